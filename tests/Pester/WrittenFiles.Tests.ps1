#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# What the writers output: the file they wrote, as Get-Item gives it, so that it shows in pwsh's file table with its
# directory, mode, owner and size, and pipes on to the file cmdlets by its literal path.

BeforeDiscovery {
    # The writers by their index in $Writers, which is built at run time.
    $WriterCases = @(
        @{ Index = 0; Name = 'New-KMeansSampleData' }
        @{ Index = 1; Name = 'Export-KMeansCentroid' }
        @{ Index = 2; Name = 'Export-KMeansReport' }
        @{ Index = 3; Name = 'Get-KMeansAssignment -OutFile' }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $script:Rows = Join-Path $Scratch 'rows.npy'
    New-KMeansSampleData -Path $Rows -Rows 500 -Dimension 4 -Clusters 3 -Seed 1 | Out-Null
    $script:Model = Invoke-KMeansTraining -LiteralPath $Rows -K 3 -Seed 1 -AsModel

    # Each writer, given the target; names with brackets, which a -Path wildcard would not match literally.
    $script:Writers = @(
        @{ Name = 'New-KMeansSampleData'; Write = { param($t) New-KMeansSampleData -LiteralPath $t -Rows 10 -Dimension 2 -Seed 1 }; File = '[sample].npy' }
        @{ Name = 'Export-KMeansCentroid'; Write = { param($t) $Model | Export-KMeansCentroid -LiteralPath $t }; File = '[centroids].arrow' }
        @{ Name = 'Export-KMeansReport'; Write = { param($t) $Model | Export-KMeansReport -LiteralPath $t }; File = '[report].md' }
        @{ Name = 'Get-KMeansAssignment -OutFile'; Write = { param($t) Get-KMeansAssignment -LiteralPath $Rows -Centroid $Model -OutFile $t }; File = '[labels].parquet' }
    )
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'The file a writer outputs' {
    It '<Name> outputs the file as Get-Item does, and it shows alike in the file table' -ForEach $WriterCases {
        $writer = $Writers[$Index]
        $target = Join-Path $Scratch $writer.File
        $file = & $writer.Write $target
        $file | Should -HaveCount 1
        $file | Should -BeOfType System.IO.FileInfo
        $item = Get-Item -LiteralPath $target
        $file.PSPath | Should -Be $item.PSPath
        $file.PSParentPath | Should -Be $item.PSParentPath
        ($file | Format-Table | Out-String) | Should -Be ($item | Format-Table | Out-String)
        ($file | Format-Table | Out-String) | Should -Match ([regex]::Escape($item.Length.ToString()))
    }

    It '<Name> outputs a file that Remove-Item takes from the pipeline by its literal path' -ForEach $WriterCases {
        $writer = $Writers[$Index]
        $target = Join-Path $Scratch ('piped' + $writer.File)
        & $writer.Write $target | Remove-Item
        Test-Path -LiteralPath $target | Should -BeFalse
    }

    It 'outputs the file when the current location is on another provider' {
        $target = Join-Path $Scratch 'elsewhere.arrow'
        Push-Location Env:
        try {
            $file = $Model | Export-KMeansCentroid -LiteralPath $target
        }
        finally {
            Pop-Location
        }
        $file.PSPath | Should -Be (Get-Item -LiteralPath $target).PSPath
    }
}
