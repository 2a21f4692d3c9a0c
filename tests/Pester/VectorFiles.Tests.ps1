#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# New-KMeansSampleData in every vector format, read back by training: the formats users bring their embeddings in.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $reference = New-KMeansSampleData -Path (Join-Path $Scratch 'reference.npy') -Rows 1500 -Dimension 8 -Clusters 4 -Seed 3
    # A sample cap (1000 x K) above the row count keeps every row, so every format trains on the same rows in one order.
    $script:Expected = Invoke-KMeansTraining -Path $reference.FullName -K 4 -Seed 1 -SampleRate 1000
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Vector files' {
    It 'writes <Name> and trains on it to the same centroids as .npy' -ForEach @(
        @{ Name = 'data.arrow' }
        @{ Name = 'data.feather' }
        @{ Name = 'data.arrows' }
        @{ Name = 'data.parquet' }
        @{ Name = 'data.fvecs' }
    ) {
        $file = New-KMeansSampleData -Path (Join-Path $Scratch $Name) -Rows 1500 -Dimension 8 -Clusters 4 -Seed 3
        $file | Should -BeOfType System.IO.FileInfo
        $file.Length | Should -BeGreaterThan (1500 * 8 * 4 - 1)
        $actual = Invoke-KMeansTraining -LiteralPath $file.FullName -K 4 -Seed 1 -SampleRate 1000
        for ($c = 0; $c -lt 4; $c++) {
            $actual[$c].Vector | Should -Be $Expected[$c].Vector
        }
    }

    It 'writes the format -Format names, whatever the extension' {
        $file = New-KMeansSampleData -Path (Join-Path $Scratch 'forced.bin') -Format Npy -Rows 10 -Dimension 2 -Seed 1
        [System.IO.File]::ReadAllBytes($file.FullName)[1..5] | Should -Be ([byte[]][char[]]'NUMPY')
    }

    It 'writes the same bytes for the same seed' {
        $first = New-KMeansSampleData -Path (Join-Path $Scratch 'seed-a.npy') -Rows 100 -Dimension 4 -Seed 11
        $second = New-KMeansSampleData -Path (Join-Path $Scratch 'seed-b.npy') -Rows 100 -Dimension 4 -Seed 11
        (Get-FileHash -LiteralPath $first.FullName).Hash | Should -Be (Get-FileHash -LiteralPath $second.FullName).Hash
    }
}
