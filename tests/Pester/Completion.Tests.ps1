#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Tab completion as the console asks for it, through TabExpansion2: enum values, -Column from the file's schema, paths.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $script:Parquet = (New-KMeansSampleData -Path (Join-Path $Scratch 'vectors.parquet') -Rows 50 -Dimension 4 -Seed 1).FullName
    $script:ArrowStream = (New-KMeansSampleData -Path (Join-Path $Scratch 'vectors.arrows') -Rows 50 -Dimension 4 -Seed 1).FullName
    $script:Npy = (New-KMeansSampleData -Path (Join-Path $Scratch 'vectors.npy') -Rows 50 -Dimension 4 -Seed 1).FullName
    $script:CentroidFile = (0..9 | ForEach-Object { , [float[]]@($_, 1) } | Invoke-KMeansTraining -K 2 -Seed 1 |
            Export-KMeansCentroid -Path (Join-Path $Scratch 'centroids.arrow')).FullName
    $null = New-Item -ItemType Directory -Path (Join-Path $Scratch 'spill here')
    $null = New-Item -ItemType Directory -Path (Join-Path $Scratch 'spill-too')

    function Get-Completion {
        param([string] $InputScript)
        (TabExpansion2 -inputScript $InputScript -cursorColumn $InputScript.Length).CompletionMatches.CompletionText
    }
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Enum parameters' {
    It 'completes "<Typed>" to <Expected>' -ForEach @(
        @{ Typed = 'Invoke-KMeansTraining -Distance '; Expected = 'Cosine', 'Dot', 'L2' }
        @{ Typed = 'Invoke-KMeansTraining -Distance C'; Expected = , 'Cosine' }
        @{ Typed = 'Invoke-KMeansTraining -Init '; Expected = 'Auto', 'KMeansParallel', 'KMeansPlusPlus', 'Random' }
        @{ Typed = 'Invoke-KMeansTraining -Init KMeansP'; Expected = 'KMeansParallel', 'KMeansPlusPlus' }
        @{ Typed = 'Invoke-KMeansTraining -Hierarchical O'; Expected = 'Off', 'On' }
        @{ Typed = 'Get-KMeansAssignment -Distance D'; Expected = , 'Dot' }
        @{ Typed = 'Export-KMeansCentroid -Format '; Expected = 'Arrow', 'ArrowStream', 'Csv', 'Json', 'Npy' }
        @{ Typed = 'Export-KMeansCentroid -Distance L'; Expected = , 'L2' }
        @{ Typed = 'New-KMeansSampleData -Format Arrow'; Expected = 'Arrow', 'ArrowStream' }
        @{ Typed = 'New-KMeansSampleData -Format '; Expected = 'Arrow', 'ArrowStream', 'Bvecs', 'Fvecs', 'Npy', 'Parquet' }
        @{ Typed = 'Invoke-KMeansTraining -InputFormat P'; Expected = , 'Parquet' }
        @{ Typed = 'Import-KMeansCentroid -Format J'; Expected = , 'Json' }
    ) {
        Get-Completion $Typed | Should -Be $Expected
    }
}

Describe '-Column' {
    It 'lists the vector column of a Parquet file given to <Command> -Path' -ForEach @(
        @{ Command = 'Invoke-KMeansTraining' }
        @{ Command = 'Get-KMeansAssignment' }
        @{ Command = 'Get-KMeansDiskEstimate' }
        @{ Command = 'Import-KMeansCentroid' }
    ) {
        Get-Completion "$Command -Path '$Parquet' -Column " | Should -Be 'vector'
    }

    It 'reads the columns of a file under another name in the -InputFormat typed, for <Command>' -ForEach @(
        @{ Command = 'Invoke-KMeansTraining' }
        @{ Command = 'Get-KMeansAssignment' }
        @{ Command = 'Get-KMeansDiskEstimate' }
    ) {
        $unnamed = Join-Path $Scratch 'vectors.dat'
        Copy-Item -LiteralPath $Parquet -Destination $unnamed -Force
        Get-Completion "$Command -LiteralPath '$unnamed' -InputFormat Parquet -Column " | Should -Be 'vector'
        Get-Completion "$Command -LiteralPath '$unnamed' -Column " | Should -BeNullOrEmpty
    }

    It 'lists the vector column of an Arrow stream given to -LiteralPath, filtered by what is typed' {
        Get-Completion "Invoke-KMeansTraining -LiteralPath '$ArrowStream' -Column v" | Should -Be 'vector'
        Get-Completion "Invoke-KMeansTraining -LiteralPath '$ArrowStream' -Column x" | Should -BeNullOrEmpty
    }

    It 'lists only the vector column of a centroid file, not its cluster_id and size' {
        Get-Completion "Get-KMeansDiskEstimate -Path '$CentroidFile' -K 2 -Column " | Should -Be 'centroid'
    }

    It 'resolves a relative path and a wildcard from the current location' {
        Push-Location -LiteralPath $Scratch
        try {
            Get-Completion 'Invoke-KMeansTraining -Path ./vectors.parquet -Column ' | Should -Be 'vector'
            Get-Completion 'Invoke-KMeansTraining -Path ./vec*.parquet -Column ' | Should -Be 'vector'
        }
        finally {
            Pop-Location
        }
    }

    It 'offers nothing for a file without named columns, a missing file, or no file at all' {
        Get-Completion "Invoke-KMeansTraining -Path '$Npy' -Column " | Should -BeNullOrEmpty
        Get-Completion "Invoke-KMeansTraining -Path '$Scratch/missing.parquet' -Column " | Should -BeNullOrEmpty
        Get-Completion 'Invoke-KMeansTraining -Column ' | Should -BeNullOrEmpty
    }
}

Describe 'Paths' {
    It 'completes -TempDirectory of <_> from an absolute path, quoting a name with a space' -ForEach 'Invoke-KMeansTraining', 'Get-KMeansDiskEstimate' {
        Get-Completion "$_ -TempDirectory $(Join-Path $Scratch 'spill')" |
            Should -Be "'$(Join-Path $Scratch 'spill here')'", (Join-Path $Scratch 'spill-too')
    }

    It 'completes -Path relative to the current location' {
        Push-Location -LiteralPath $Scratch
        try {
            Get-Completion 'Invoke-KMeansTraining -Path ./vectors.p' | Should -Be './vectors.parquet'
            Get-Completion 'Import-KMeansCentroid -Path ./centr' | Should -Be './centroids.arrow'
        }
        finally {
            Pop-Location
        }
    }
}
