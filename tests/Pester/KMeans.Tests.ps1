#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The user workflows of the module, run by build.ps1 -Task Test under the pinned pwsh and Pester.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $script:QuickStart = Join-Path $RepositoryRoot 'examples/quickstart.ps1'

    # 600 vectors around three well-separated centres, one float[] per pipeline item.
    $random = [System.Random]::new(7)
    $script:Vectors = foreach ($i in 0..599) {
        $centre = ($i % 3) * 20
        , [float[]]@(0..3 | ForEach-Object { $centre + $random.NextDouble() })
    }
}

AfterAll {
    Remove-Module KMeans -ErrorAction Ignore
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'The module' {
    It 'exports its cmdlets and the plural alias explicitly' {
        $module = Get-Module KMeans
        $module.ExportedCmdlets.Keys | Sort-Object | Should -Be @(
            'Export-KMeansCentroid', 'Export-KMeansReport', 'Get-KMeansAssignment', 'Get-KMeansDiskEstimate',
            'Import-KMeansCentroid', 'Invoke-KMeansTraining', 'New-KMeansSampleData')
        $module.ExportedAliases.Keys | Should -Be 'Export-KMeansCentroids'
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedVariables.Count | Should -Be 0
    }

    It 'keeps the engine types out of sight' {
        'KMeans.Core.Training.KMeansOptions' -as [type] | Should -BeNullOrEmpty
        'KMeans.PowerShell.KMeansCentroid' -as [type] | Should -Not -BeNullOrEmpty
    }

    It 'documents <_>' -ForEach @(
        'Invoke-KMeansTraining', 'Get-KMeansDiskEstimate', 'Get-KMeansAssignment',
        'Export-KMeansCentroid', 'Import-KMeansCentroid', 'New-KMeansSampleData') {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -Match "^\s*$_"
        ($help.description | ForEach-Object Text) -join '' | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($parameter in (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common }) {
            $entry = $help.parameters.parameter | Where-Object name -EQ $parameter
            ($entry.description | ForEach-Object Text) -join '' | Should -Not -BeNullOrEmpty -Because "-$parameter needs help"
        }
    }
}

Describe 'Invoke-KMeansTraining' {
    It 'writes one centroid per cluster in ClusterId order' {
        $centroids = $Vectors | Invoke-KMeansTraining -K 3 -Seed 1
        $centroids.ClusterId | Should -Be 0, 1, 2
        $centroids | ForEach-Object { $_.Dimension | Should -Be 4 }
        ($centroids | Measure-Object -Property Size -Sum).Sum | Should -Be 600
    }

    It 'writes one model with -AsModel, and a verbose line per iteration' {
        $output = $Vectors | Invoke-KMeansTraining -K 3 -Seed 1 -Tolerance 0 -MaxIterations 6 -AsModel -Verbose 4>&1
        $model = $output | Where-Object { $_ -is [KMeans.PowerShell.KMeansModel] }
        $model.K | Should -Be 3
        $model.Iterations | Should -Be 6
        $model.History.Count | Should -Be 6
        @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Iteration *' }).Count | Should -Be 6
    }

    It 'trains on disk to the same centroids and leaves the temporary directory empty' {
        $temp = New-Item -ItemType Directory -Path (Join-Path $Scratch 'spill')
        $inMemory = $Vectors | Invoke-KMeansTraining -K 3 -Seed 2
        $onDisk = $Vectors | Invoke-KMeansTraining -K 3 -Seed 2 -OnDisk -TempDirectory $temp.FullName
        for ($c = 0; $c -lt 3; $c++) {
            $onDisk[$c].Vector | Should -Be $inMemory[$c].Vector
        }
        Get-ChildItem -LiteralPath $temp.FullName -Force | Should -BeNullOrEmpty
    }

    It 'trains on a vector file' {
        $file = New-KMeansSampleData -Path (Join-Path $Scratch 'blobs.parquet') -Rows 2000 -Dimension 8 -Clusters 4 -Seed 3
        $model = Invoke-KMeansTraining -Path $file.FullName -K 4 -Seed 3 -AsModel
        $model.RowsRead | Should -Be 2000
    }

    It 'stops within about an iteration when the pipeline is stopped' {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$Manifest'; New-KMeansSampleData -Path '$Scratch/long.npy' -Rows 4000 -Dimension 32 -Clusters 8 -Force | Out-Null; Invoke-KMeansTraining -Path '$Scratch/long.npy' -K 64 -Init Random -Tolerance 0 -MaxIterations 1000000 -OnDisk -TempDirectory '$Scratch'")
            $running = $shell.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while (-not @($shell.Streams.Progress | Where-Object StatusDescription -Like 'Iteration *').Count -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
            $running.IsCompleted | Should -BeTrue
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            Get-ChildItem -LiteralPath $Scratch -Filter 'kmeans-sample-*' -Force | Should -BeNullOrEmpty
        }
        finally {
            $shell.Dispose()
        }
    }

    It 'reports <ErrorId>' -ForEach @(
        @{ ErrorId = 'InvalidK'; Script = { $Vectors | Invoke-KMeansTraining -K 0 } }
        @{ ErrorId = 'KExceedsRows'; Script = { $Vectors[0..4] | Invoke-KMeansTraining -K 6 } }
        @{ ErrorId = 'NonFiniteValue'; Script = { @(, [float[]](1, [float]::NaN, 3, 4)) + $Vectors | Invoke-KMeansTraining -K 3 } }
        @{ ErrorId = 'TempDirectoryNotFound'; Script = { $Vectors | Invoke-KMeansTraining -K 3 -OnDisk -TempDirectory (Join-Path $Scratch 'missing') } }
        @{ ErrorId = 'NotFileSystemPath'; Script = { $Vectors | Invoke-KMeansTraining -K 3 -OnDisk -TempDirectory Env:\ } }
        @{ ErrorId = 'FileNotFound'; Script = { Invoke-KMeansTraining -Path (Join-Path $Scratch 'missing.npy') -K 3 } }
        @{ ErrorId = 'UnsupportedFile'; Script = { Set-Content (Join-Path $Scratch 'notes.txt') 'text'; Invoke-KMeansTraining -Path (Join-Path $Scratch 'notes.txt') -K 3 } }
        @{ ErrorId = 'InvalidFile'; Script = { Set-Content (Join-Path $Scratch 'broken.npy') 'text'; Invoke-KMeansTraining -Path (Join-Path $Scratch 'broken.npy') -K 3 } }
        @{ ErrorId = 'InsufficientMemory'; Script = { New-KMeansSampleData (Join-Path $Scratch 'v.arrows') -Rows 100 -Dimension 64 -Seed 1 | Out-Null; Invoke-KMeansTraining -Path (Join-Path $Scratch 'v.arrows') -K 1000 -SampleRate 2000000000 } }
    ) {
        $Script | Should -Throw -ErrorId "$ErrorId,KMeans.PowerShell.InvokeKMeansTrainingCommand"
    }

    It 'reports a vector of another dimension by its index and trains on the rest' {
        $items = $Vectors[0..9] + @(, [float[]](1, 2)) + $Vectors[10..599]
        $centroids = $items | Invoke-KMeansTraining -K 3 -Seed 1 -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'DimensionMismatch,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        $problems[0].Exception.Message | Should -Match 'Input item 10 has 2 values, but every vector must have 4, like the first vector'
        $centroids.Count | Should -Be 3
        ($centroids | Measure-Object -Property Size -Sum).Sum | Should -Be 600
    }

    It 'says that the first vector fixed the dimension when it is the odd one' {
        $items = @(, [float[]](1, 2)) + $Vectors
        { $items | Invoke-KMeansTraining -K 3 -Seed 1 -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'KExceedsRows,KMeans.PowerShell.InvokeKMeansTrainingCommand' -ExpectedMessage '*only 1 of 601 pipeline items are usable vectors: 600 were rejected (the first vector fixes the dimension, here 2*'
    }
}

Describe 'Get-KMeansDiskEstimate' {
    It 'sizes the sample at SampleRate × K rows of float32' {
        $estimate = Get-KMeansDiskEstimate -K 1000 -Dimension 768
        $estimate.Bytes | Should -Be (256000 * 768 * 4)
        $estimate.Recommendation | Should -BeIn 'InMemory', 'OnDisk'
    }

    It 'takes scenarios from the pipeline by property name' {
        $estimates = @(
            [pscustomobject]@{ K = 16; Dimension = 128; Rows = 1000 }
            [pscustomobject]@{ K = 8; Dimension = 64 }
        ) | Get-KMeansDiskEstimate
        $estimates.SampleRows | Should -Be 1000, 2048
    }

    It 'predicts days per flat iteration and far less per tree iteration with -Calibrate, and nothing without it' {
        $calibrated = Get-KMeansDiskEstimate -K 262144 -Dimension 1024 -Calibrate -MaxIterations 20
        $calibrated.HierarchicalIterationTime.Ticks * 100 | Should -BeLessThan $calibrated.FlatIterationTime.Ticks
        $calibrated.HierarchicalTrainingTime | Should -BeLessThan $calibrated.FlatTrainingTime
        $calibrated.KernelGflops | Should -BeGreaterThan 0
        $calibrated.MaxIterations | Should -Be 20
        $calibrated.TrainingTimeSummary | Should -Match '^flat .+; hierarchical '
        $plain = Get-KMeansDiskEstimate -K 262144 -Dimension 1024
        $plain.FlatIterationTime | Should -BeNullOrEmpty
        $plain.KernelGflops | Should -BeNullOrEmpty
    }
}

Describe 'Centroid files' {
    BeforeAll {
        $script:Model = $Vectors | Invoke-KMeansTraining -K 3 -Seed 4 -AsModel
    }

    It 'round-trips through <_>' -ForEach 'c.arrow', 'c.npy', 'c.csv', 'c.json' {
        $path = Join-Path $Scratch $_
        $file = $Model | Export-KMeansCentroids -Path $path -Force
        $file | Should -BeOfType System.IO.FileInfo
        $imported = Import-KMeansCentroid -Path $path
        for ($c = 0; $c -lt 3; $c++) {
            $imported[$c].Vector | Should -Be $Model.Centroids[$c].Vector
        }
    }

    It 'refuses an existing file without -Force' {
        $path = Join-Path $Scratch 'taken.json'
        Set-Content -LiteralPath $path -Value 'keep'
        { $Model | Export-KMeansCentroid -Path $path } | Should -Throw -ErrorId 'FileExists,KMeans.PowerShell.ExportKMeansCentroidCommand'
        Get-Content -LiteralPath $path | Should -Be 'keep'
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $Scratch 'whatif.arrow'
        $Model | Export-KMeansCentroid -Path $path -WhatIf
        Test-Path -LiteralPath $path | Should -BeFalse
    }
}

Describe 'Get-KMeansAssignment' {
    It 'assigns every vector in input order and sums up per cluster' {
        $model = $Vectors | Invoke-KMeansTraining -K 3 -Seed 5 -AsModel
        $assignments = $Vectors | Get-KMeansAssignment -Centroid $model
        $assignments.Index | Should -Be (0..599)
        $summary = $Vectors | Get-KMeansAssignment -Centroid $model -Summary
        # ForEach-Object, because .Count on an array is the array's length, not the summaries' Count property.
        $summary | ForEach-Object Count | Should -Be ($model.Centroids | ForEach-Object Size)
    }
}

Describe 'The quick start' {
    It 'runs without error' {
        $output = & $QuickStart -OutputDirectory (Join-Path $Scratch 'quickstart')
        @($output | Where-Object { $_ -is [KMeans.PowerShell.KMeansAssignmentSummary] }).Count | Should -Be 12
        Test-Path -LiteralPath (Join-Path $Scratch 'quickstart/centroids.arrow') | Should -BeTrue
    }
}
