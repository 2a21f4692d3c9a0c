#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Pipeline input is sampled as it arrives: more piped vectors than the sample holds train on a seeded reservoir, the
# same one every time; fewer train on all of them, as a file of the same rows does; bad items fail as they arrive.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')

    # Vectors around four centres (0, 10, 20, 30 in every coordinate), the centre cycling with the item's index.
    function New-CycleVector {
        param([int] $Count, [int] $Seed = 3)
        $random = [System.Random]::new($Seed)
        for ($i = 0; $i -lt $Count; $i++) {
            $centre = ($i % 4) * 10
            , [float[]]@(($centre + $random.NextDouble()), ($centre + $random.NextDouble()), ($centre + $random.NextDouble()))
        }
    }

    $script:Many = @(New-CycleVector -Count 20000)
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'A pipeline longer than the sample' {
    It 'trains on SampleRate x K of its rows and finds the centres' {
        $model = $Many | Invoke-KMeansTraining -K 4 -SampleRate 64 -Seed 1 -AsModel
        $model.RowsRead | Should -Be 20000
        $model.SampleRows | Should -Be 256
        ($model.Centroids | Measure-Object -Property Size -Sum).Sum | Should -Be 256
        $centres = $model.Centroids | ForEach-Object { [math]::Round($_.Vector[0] - 0.5) } | Sort-Object
        $centres | Should -Be 0, 10, 20, 30
    }

    It 'gives the same centroids twice, on disk and on one thread, and other ones with another seed' {
        $temp = (New-Item -ItemType Directory -Path (Join-Path $Scratch 'spill')).FullName
        $first = $Many | Invoke-KMeansTraining -K 4 -SampleRate 64 -Seed 5 -AsModel
        $again = $Many | Invoke-KMeansTraining -K 4 -SampleRate 64 -Seed 5 -AsModel
        $onDisk = $Many | Invoke-KMeansTraining -K 4 -SampleRate 64 -Seed 5 -OnDisk -TempDirectory $temp -AsModel
        $oneThread = $Many | Invoke-KMeansTraining -K 4 -SampleRate 64 -Seed 5 -ThrottleLimit 1 -AsModel
        $otherSeed = $Many | Invoke-KMeansTraining -K 4 -SampleRate 64 -Seed 6 -Init Random -MaxIterations 1 -AsModel
        $sameStart = $Many | Invoke-KMeansTraining -K 4 -SampleRate 64 -Seed 5 -Init Random -MaxIterations 1 -AsModel
        foreach ($other in $again, $onDisk, $oneThread) {
            $other.Loss | Should -Be $first.Loss
            for ($c = 0; $c -lt 4; $c++) {
                $other.Centroids[$c].Vector | Should -Be $first.Centroids[$c].Vector
            }
        }
        $otherSeed.Loss | Should -Not -Be $sameStart.Loss
        Get-ChildItem -LiteralPath $temp -Force | Should -BeNullOrEmpty
    }

    It 'fails on a NaN that arrives after the sample is full, naming the item' {
        $items = $Many[0..4999] + @(, [float[]](1, [float]::NaN, 3)) + $Many[5000..5999]
        $thrown = { $items | Invoke-KMeansTraining -K 4 -SampleRate 8 -Seed 1 } |
            Should -Throw -ErrorId 'NonFiniteValue,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike 'Row 5000 of pipeline input holds NaN at column 1*'
        $thrown.TargetObject | Should -Be 5000
    }

    It 'refuses a double beyond float32 as out of range, not as infinite, even with -SkipNonFinite' {
        $items = $Many[0..9] + @(, [double[]](1, 1e300, 3)) + $Many[10..19]
        foreach ($skip in $false, $true) {
            $thrown = { $items | Invoke-KMeansTraining -K 2 -Seed 1 -SkipNonFinite:$skip } |
                Should -Throw -ErrorId 'ValueOutOfRange,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
            $thrown.Exception.Message | Should -BeLike "Row 10 of pipeline input holds a value beyond float32's range (±3.4E+38) at column 1;*"
        }
    }

    It 'skips and counts such rows with -SkipNonFinite, and reports items of another dimension by index' {
        $items = $Many[0..2999] + @(, [float[]](1, [float]::NaN, 3)) + @(, [float[]](1, 2)) + $Many[3000..5999]
        $model = $items | Invoke-KMeansTraining -K 4 -SampleRate 8 -Seed 1 -SkipNonFinite -AsModel -ErrorVariable problems -ErrorAction SilentlyContinue -WarningVariable warnings
        # Reported once, as the error that says why, not again as a null row.
        $warnings | Should -BeNullOrEmpty
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'DimensionMismatch,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        $problems[0].Exception.Message | Should -BeLike 'Input item 3001 has 2 values*'
        $model.RowsRead | Should -Be 6002
        $model.SkippedRows | Should -Be 2
        $model.SampleRows | Should -Be 32
    }
}

Describe 'Files and vectors in one pipeline' {
    It 'refuses a stray string among vectors as an item that is not one, and trains on the others' {
        $vectors = 1..40 | ForEach-Object { , [float[]]@(($_ % 4), ($_ % 3)) }
        $items = $vectors[0..9] + @('a label') + $vectors[10..39]
        $model = $items | Invoke-KMeansTraining -K 2 -Seed 1 -AsModel -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Exception.Message | Should -Be "Input item 10 is not a vector: it is the string 'a label', which names no file; pipe either vectors or vector files."
        $model.SampleRows | Should -Be 40
    }

    It 'names the first vector after piped files by its place in the pipeline' {
        $file = Join-Path $Scratch 'first.npy'
        New-KMeansSampleData -Path $file -Rows 50 -Dimension 2 -Seed 1 | Out-Null
        { @($file, $file, [float[]](1, 2)) | Invoke-KMeansTraining -K 2 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage 'Input item 2 is not a vector: the pipeline delivered files before it; pipe either files or vectors.'
    }
}

Describe 'Checkpoints of pipeline input' {
    It 'resumes without -Seed: the sample is drawn with the seed the checkpoint saved' {
        $checkpoint = Join-Path $Scratch 'piped.kmc'
        $first = $Many | Invoke-KMeansTraining -K 4 -SampleRate 8 -CheckpointPath $checkpoint -AsModel
        $resumed = $Many | Invoke-KMeansTraining -K 4 -SampleRate 8 -CheckpointPath $checkpoint -Resume -AsModel
        $resumed.Seed | Should -Be $first.Seed
        $resumed.Loss | Should -Be $first.Loss
        for ($c = 0; $c -lt 4; $c++) {
            $resumed.Centroids[$c].Vector | Should -Be $first.Centroids[$c].Vector
        }
    }
}

Describe 'A pipeline no longer than the sample' {
    It 'trains on all its rows, to the centroids of the same rows in a file' {
        $file = New-KMeansSampleData -Path (Join-Path $Scratch 'rows.npy') -Rows 900 -Dimension 6 -Clusters 5 -Seed 4
        $rows = Import-KMeansCentroid -LiteralPath $file.FullName | ForEach-Object { , $_.Vector }
        $fromFile = Invoke-KMeansTraining -LiteralPath $file.FullName -K 5 -Seed 2 -AsModel
        $piped = $rows | Invoke-KMeansTraining -K 5 -Seed 2 -AsModel
        $piped.SampleRows | Should -Be 900
        $piped.Loss | Should -Be $fromFile.Loss
        for ($c = 0; $c -lt 5; $c++) {
            $piped.Centroids[$c].Vector | Should -Be $fromFile.Centroids[$c].Vector
        }
    }

    It 'takes [Half] values at their own value, as Half[] vectors and among doubles in a list, in training and assignment' {
        $halves = 0..9 | ForEach-Object { , [Half[]]@([Half]($_ % 2 * 4), [Half]0.5) }
        $mixed = 0..9 | ForEach-Object { , [object[]]@([Half]($_ % 2 * 4), 0.5) }

        foreach ($rows in $halves, $mixed) {
            $model = $rows | Invoke-KMeansTraining -K 2 -Seed 1 -AsModel
            $sizes = $rows | Get-KMeansAssignment $model -Summary

            $model.Centroids | Sort-Object { $_.Vector[0] } | ForEach-Object { $_.Vector -join ',' } | Should -Be @('0,0.5', '4,0.5')
            $model.Loss | Should -Be 0
            @($sizes | ForEach-Object Count) | Should -Be @(5, 5)
        }
    }

    It 'takes whole numbers beyond 64 bits (JSON''s, [bigint], [Int128]) as numbers, refusing one beyond float32 as out of range' {
        $rows = '[[0, 1], [40000000000000000000000, 1], [1, 1], [40000000000000000000001, 1]]' | ConvertFrom-Json
        $typed = @(, [bigint[]](0, 1)) + @(, [Int128[]](4, 1)) + @(, [bigint[]](1, 1)) + @(, [UInt128[]](4, 1))
        $beyond = '[[0, 1], [1' + ('0' * 40) + ', 1], [1, 1]]' | ConvertFrom-Json

        $model = $rows | Invoke-KMeansTraining -K 2 -Seed 1 -AsModel -Distance Cosine
        $fromTyped = $typed | Invoke-KMeansTraining -K 2 -Seed 1 -AsModel
        { $beyond | Invoke-KMeansTraining -K 2 -Seed 1 } | Should -Throw -ExpectedMessage "Row 1 of pipeline input holds a value beyond float32's range*"

        $rows[1][0].GetType().Name | Should -Be 'BigInteger'
        $model.SampleRows | Should -Be 4
        $fromTyped.Centroids | Sort-Object { $_.Vector[0] } | ForEach-Object { $_.Vector -join ',' } | Should -Be @('0.5,1', '4,1')
    }

    It 'names each refused item by its own index, a list that is no vector counting as one item' {
        $rows = @(New-CycleVector -Count 20)
        $items = @($rows[0..9]) + , @('1', '2', '3') + @($rows[10..11]) + , [float[]](1, 2) + @($rows[12..19])

        $model = $items | Invoke-KMeansTraining -K 4 -Seed 1 -AsModel -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems.Exception.Message | Should -Be @(
            'Input item 10 is not a vector: value 0 is a String, not a number.'
            'Input item 13 has 2 values, but every vector must have 3, like the first vector.')
        $model.SampleRows | Should -Be 20
    }
}

Describe 'Stopping while piped vectors are sampled' {
    BeforeAll {
        $script:TempDirectory = (New-Item -ItemType Directory -Path (Join-Path $Scratch 'stop-spill')).FullName
        # The on-disk sample is unlinked as soon as it is created on Unix: there, what must go is the open handle.
        function Get-SampleHandleCount {
            if ($IsWindows) { return 0 }
            @(Get-ChildItem -LiteralPath "/proc/$PID/fd" -ErrorAction Ignore |
                    Where-Object { $_.LinkTarget -like "$TempDirectory*kmeans-sample-*" }).Count
        }
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                    param($Manifest, $TempDirectory)
                    Import-Module $Manifest
                    $vector = [float[]](1, 2, 3, 4)
                    & { while ($true) { , $vector } } | Invoke-KMeansTraining -K 4 -OnDisk -TempDirectory $TempDirectory
                }).AddArgument($Manifest).AddArgument($TempDirectory)
            $running = $shell.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while (@($shell.Streams.Progress | Where-Object StatusDescription -Like '*rows read*').Count -lt 2 -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 20
            }
            $script:RunningState = $shell.InvocationStateInfo.State
            $script:HandlesWhileSampling = Get-SampleHandleCount
            $script:FilesWhileSampling = @(Get-ChildItem -LiteralPath $TempDirectory -Force).Count
            $stopWatch = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $script:StopTime = $stopWatch.Elapsed
            $script:Completed = $running.IsCompleted
            $script:FinalState = $shell.InvocationStateInfo.State
        }
        finally {
            $shell.Dispose()
        }
        $script:HandlesAfterStop = Get-SampleHandleCount
    }

    It 'was sampling, with the sample open, when stopped' {
        $RunningState | Should -Be 'Running'
        if ($IsWindows) { $FilesWhileSampling | Should -Be 1 } else { $HandlesWhileSampling | Should -Be 1 }
    }

    It 'stops at once and leaves neither a file nor an open handle' {
        $Completed | Should -BeTrue
        $FinalState | Should -Be 'Stopped'
        $StopTime.TotalSeconds | Should -BeLessThan 5
        Get-ChildItem -LiteralPath $TempDirectory -Force | Should -BeNullOrEmpty
        $HandlesAfterStop | Should -Be 0
    }
}
