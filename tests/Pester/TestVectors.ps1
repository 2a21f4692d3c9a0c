# Dot-sourced by the Pester files that train: vectors around three well-separated centres, the same ones every run.

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
