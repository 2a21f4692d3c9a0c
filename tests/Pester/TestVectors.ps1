# Dot-sourced by the Pester files that train: vectors around three well-separated centres, the same ones every run, and
# an .npy that holds no rows.

function New-BlobVector {
    param(
        [int] $Count = 600,
        [int] $Seed = 7
    )
    $random = [System.Random]::new($Seed)
    foreach ($i in 0..($Count - 1)) {
        $centre = ($i % 3) * 20
        # The comma keeps each float[] one pipeline item.
        , [float[]]@(0..3 | ForEach-Object { $centre + $random.NextDouble() })
    }
}

# A float32 .npy of shape (0, Dimension): a valid file that holds no rows.
function New-EmptyNpy {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [int] $Dimension
    )
    $header = "{'descr': '<f4', 'fortran_order': False, 'shape': (0, $Dimension), }"
    $header = $header.PadRight(64 - 10 - 1) + "`n"
    $bytes = [byte[]](0x93) + [System.Text.Encoding]::ASCII.GetBytes('NUMPY') + [byte[]](1, 0) +
        [System.BitConverter]::GetBytes([uint16]$header.Length) + [System.Text.Encoding]::ASCII.GetBytes($header)
    [System.IO.File]::WriteAllBytes($Path, $bytes)
}
