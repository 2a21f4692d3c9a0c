#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Invoke-KMeansTraining as scripts call it: from the pipeline and from files, -AsModel, on disk, and what it reports
# while it runs (progress, verbose lines).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    . (Join-Path $PSScriptRoot 'TestVectors.ps1')
    $script:Vectors = New-BlobVector
    $script:SampleFile = (New-KMeansSampleData -Path (Join-Path $Scratch 'blobs.parquet') -Rows 2000 -Dimension 8 -Clusters 4 -Seed 3).FullName
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Training on pipeline input' {
    It 'writes one centroid per cluster, in ClusterId order, at the blob centres' {
        $centroids = $Vectors | Invoke-KMeansTraining -K 3 -Seed 1
        $centroids.ClusterId | Should -Be 0, 1, 2
        ($centroids | Measure-Object -Property Size -Sum).Sum | Should -Be 600
        $centres = $centroids | ForEach-Object { [math]::Round($_.Vector[0] - 0.5) } | Sort-Object
        $centres | Should -Be 0, 20, 40
        foreach ($centroid in $centroids) {
            $centroid.Dimension | Should -Be 4
            $centroid.Size | Should -Be 200
            foreach ($value in $centroid.Vector) {
                [math]::Abs($value - $centroid.Vector[0]) | Should -BeLessThan 0.2
            }
        }
    }

    It 'writes one model with -AsModel, with its history and settings' {
        $model = $Vectors | Invoke-KMeansTraining -K 3 -Seed 1 -Tolerance 0 -MaxIterations 6 -AsModel
        $model | Should -HaveCount 1
        $model | Should -BeOfType KMeans.PowerShell.KMeansModel
        $model.K | Should -Be 3
        $model.Dimension | Should -Be 4
        $model.Iterations | Should -Be 6
        $model.History.Iteration | Should -Be (1..6)
        $model.RowsRead | Should -Be 600
        $model.Seed | Should -Be 1
        $model.Centroids.ClusterId | Should -Be 0, 1, 2
        $model.Loss | Should -Be $model.History[-1].Loss
    }

    It 'reads objects through their Vector property, hashtables too, and another property with -VectorProperty' {
        $arrays = $Vectors | Invoke-KMeansTraining -K 3 -Seed 2
        $objects = $Vectors | ForEach-Object { [pscustomobject]@{ Id = 1; Vector = $_ } } | Invoke-KMeansTraining -K 3 -Seed 2
        $hashtables = $Vectors | ForEach-Object { @{ Vector = $_ } } | Invoke-KMeansTraining -K 3 -Seed 2
        $named = $Vectors | ForEach-Object { [pscustomobject]@{ Embedding = $_ } } | Invoke-KMeansTraining -K 3 -Seed 2 -VectorProperty Embedding
        foreach ($other in $objects, $hashtables, $named) {
            for ($c = 0; $c -lt 3; $c++) {
                $other[$c].Vector | Should -Be $arrays[$c].Vector
            }
        }
    }

    It 'trains double[], object[] and lists of numbers, piped or given whole to -InputObject, like float[]' {
        $floats = $Vectors | Invoke-KMeansTraining -K 3 -Seed 2
        $doubles = $Vectors | ForEach-Object { , [double[]]$_ } | Invoke-KMeansTraining -K 3 -Seed 2
        $objects = $Vectors | ForEach-Object { , [object[]]$_ } | Invoke-KMeansTraining -K 3 -Seed 2
        $lists = $Vectors | ForEach-Object { , [System.Collections.Generic.List[double]]::new([double[]]$_) } | Invoke-KMeansTraining -K 3 -Seed 2
        $whole = Invoke-KMeansTraining -InputObject $Vectors -K 3 -Seed 2
        foreach ($other in $doubles, $objects, $lists, $whole) {
            for ($c = 0; $c -lt 3; $c++) {
                $other[$c].Vector | Should -Be $floats[$c].Vector
            }
        }
    }

    It 'leaves out rows holding NaN or infinity with -SkipNonFinite, and counts them' {
        $items = $Vectors[0..41] + @(, [float[]](1, [float]::NaN, 3, 4)) + $Vectors[42..299] + @(, [float[]](1, 2, [float]::PositiveInfinity, 4))
        $model = $items | Invoke-KMeansTraining -K 3 -Seed 1 -SkipNonFinite -AsModel
        $model.SkippedRows | Should -Be 2
        $model.SampleRows | Should -Be 300
    }

    It 'trains on disk to the same centroids and leaves the temporary directory empty' {
        $temp = New-Item -ItemType Directory -Path (Join-Path $Scratch 'spill')
        $inMemory = $Vectors | Invoke-KMeansTraining -K 3 -Seed 2 -AsModel
        $onDisk = $Vectors | Invoke-KMeansTraining -K 3 -Seed 2 -OnDisk -TempDirectory $temp.FullName -AsModel
        $onDisk.OnDisk | Should -BeTrue
        $inMemory.OnDisk | Should -BeFalse
        for ($c = 0; $c -lt 3; $c++) {
            $onDisk.Centroids[$c].Vector | Should -Be $inMemory.Centroids[$c].Vector
        }
        Get-ChildItem -LiteralPath $temp.FullName -Force | Should -BeNullOrEmpty
    }

    It 'gives the same centroids with one thread as with two' {
        $one = $Vectors | Invoke-KMeansTraining -K 3 -Seed 4 -ThrottleLimit 1
        $two = $Vectors | Invoke-KMeansTraining -K 3 -Seed 4 -ThrottleLimit 2
        for ($c = 0; $c -lt 3; $c++) {
            $two[$c].Vector | Should -Be $one[$c].Vector
        }
    }

    It 'reports the seed it chose, which reproduces the run' {
        $unseeded = $Vectors | Invoke-KMeansTraining -K 3 -AsModel
        $again = $Vectors | Invoke-KMeansTraining -K 3 -Seed $unseeded.Seed -AsModel
        for ($c = 0; $c -lt 3; $c++) {
            $again.Centroids[$c].Vector | Should -Be $unseeded.Centroids[$c].Vector
        }
    }

    It 'starts from -InitialCentroid given as a model, as its centroids, or as a centroid file' {
        $model = $Vectors | Invoke-KMeansTraining -K 3 -Seed 5 -AsModel
        $file = $model | Export-KMeansCentroid -Path (Join-Path $Scratch 'start.arrow')
        $fromModel = $Vectors | Invoke-KMeansTraining -K 3 -InitialCentroid $model -MaxIterations 1 -AsModel
        $fromCentroids = $Vectors | Invoke-KMeansTraining -K 3 -InitialCentroid $model.Centroids -MaxIterations 1 -AsModel
        $fromFile = $Vectors | Invoke-KMeansTraining -K 3 -InitialCentroid $file.FullName -MaxIterations 1 -AsModel
        $fromModel.Iterations | Should -Be 1
        for ($c = 0; $c -lt 3; $c++) {
            $fromModel.Centroids[$c].Vector | Should -Be $model.Centroids[$c].Vector
            $fromCentroids.Centroids[$c].Vector | Should -Be $model.Centroids[$c].Vector
            $fromFile.Centroids[$c].Vector | Should -Be $model.Centroids[$c].Vector
        }
    }
}

Describe 'Training on files' {
    It 'draws a sample smaller than the file by reservoir with -SkipNonFinite, other rows than without it; a whole-file sample is the same' {
        $selected = Invoke-KMeansTraining -LiteralPath $SampleFile -K 4 -Seed 1 -SampleRate 50 -AsModel
        $reservoir = Invoke-KMeansTraining -LiteralPath $SampleFile -K 4 -Seed 1 -SampleRate 50 -SkipNonFinite -AsModel
        $whole = Invoke-KMeansTraining -LiteralPath $SampleFile -K 4 -Seed 1 -SampleRate 1000 -AsModel
        $wholeSkipping = Invoke-KMeansTraining -LiteralPath $SampleFile -K 4 -Seed 1 -SampleRate 1000 -SkipNonFinite -AsModel

        $reservoir.SkippedRows | Should -Be 0
        $reservoir.SampleRows | Should -Be 200
        $reservoir.Loss | Should -Not -Be $selected.Loss
        $wholeSkipping.Loss | Should -Be $whole.Loss
        for ($c = 0; $c -lt 4; $c++) {
            $wholeSkipping.Centroids[$c].Vector | Should -Be $whole.Centroids[$c].Vector
        }
    }

    It 'trains on a file given to -Path' {
        $model = Invoke-KMeansTraining -Path $SampleFile -K 4 -Seed 3 -AsModel
        $model.RowsRead | Should -Be 2000
        $model.Dimension | Should -Be 8
        # Sizes count the training sample: SampleRate (256) x K rows of the 2,000.
        $model.SampleRows | Should -Be 1024
        ($model.Centroids | Measure-Object -Property Size -Sum).Sum | Should -Be 1024
    }

    It 'takes a wildcard in -Path and reads every match as one data set' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $Scratch 'parts')
        New-KMeansSampleData -Path (Join-Path $folder 'a.npy') -Rows 300 -Dimension 8 -Seed 1 | Out-Null
        New-KMeansSampleData -Path (Join-Path $folder 'b.npy') -Rows 500 -Dimension 8 -Seed 2 | Out-Null
        $model = Invoke-KMeansTraining -Path (Join-Path $folder '*.npy') -K 4 -Seed 3 -AsModel
        $model.RowsRead | Should -Be 800
    }

    It 'takes a name with wildcard characters as it is through -LiteralPath' {
        $literal = Join-Path $Scratch 'run[1].parquet'
        Copy-Item -LiteralPath $SampleFile -Destination $literal
        $model = Invoke-KMeansTraining -LiteralPath $literal -K 4 -Seed 3 -AsModel
        $model.RowsRead | Should -Be 2000
    }

    It 'reads the column named by -Column' {
        $named = Invoke-KMeansTraining -Path $SampleFile -Column vector -K 4 -Seed 3
        $unnamed = Invoke-KMeansTraining -Path $SampleFile -K 4 -Seed 3
        for ($c = 0; $c -lt 4; $c++) {
            $named[$c].Vector | Should -Be $unnamed[$c].Vector
        }
    }
}

Describe 'What a training reports while it runs' {
    It 'writes one verbose line per iteration' {
        $output = $Vectors | Invoke-KMeansTraining -K 3 -Seed 1 -Tolerance 0 -MaxIterations 6 -AsModel -Verbose 4>&1
        $lines = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        @($lines | Where-Object { $_ -like 'Iteration *' }).Count | Should -Be 6
        @($lines | Where-Object { $_ -like 'Iteration 6 of 6: loss *' }).Count | Should -Be 1
        @($output | Where-Object { $_ -is [KMeans.PowerShell.KMeansModel] }).Count | Should -Be 1
    }

    It 'writes one verbose line per balance pass, and shows balancing as a child activity of the training' {
        $run = Invoke-InChildRunspace { param($Path) Invoke-KMeansTraining -Path $Path -K 8 -Seed 3 -MaxSizeRatio 1.05 -AsModel -Verbose } `
            -ArgumentList $SampleFile
        $run.Error | Should -BeNullOrEmpty
        $model = $run.Output[0]
        $lines = @($run.Verbose.Message | Where-Object { $_ -like 'Balance pass *' })
        $progress = $run.Progress
        $model.BalanceHistory.Count | Should -BeGreaterThan 1
        $lines.Count | Should -Be $model.BalanceHistory.Count
        $lines[-1] | Should -BeLike "Balance pass $($model.BalanceHistory[-1].Pass): largest partition *"
        $balancing = @($progress | Where-Object Activity -EQ 'Balancing partitions')
        $balancing[0].StatusDescription | Should -BeLike 'Pass 1: largest partition *'
        $balancing[0].ParentActivityId | Should -Be $progress[0].ActivityId
        $balancing[-1].RecordType | Should -Be 'Completed'
    }

    It 'writes no verbose line without -Verbose' {
        $output = $Vectors | Invoke-KMeansTraining -K 3 -Seed 1 -MaxIterations 3 4>&1
        @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -Be 0
    }

    Context 'progress, captured from a child runspace' {
        BeforeAll {
            $shell = [powershell]::Create()
            try {
                $null = $shell.AddScript({
                        param($Manifest, $Path)
                        Import-Module $Manifest
                        Invoke-KMeansTraining -Path $Path -K 4 -Seed 3 -Tolerance 0 -MaxIterations 12 -AsModel
                    }).AddArgument($Manifest).AddArgument($SampleFile)
                $script:ChildOutput = $shell.Invoke()
                $script:ChildErrors = @($shell.Streams.Error)
                $script:Progress = @($shell.Streams.Progress)
            }
            finally {
                $shell.Dispose()
            }
            $script:Iterations = @($Progress | Where-Object { $_.StatusDescription -like 'Iteration *' })
        }

        It 'trains without error in the child' {
            $ChildErrors | Should -BeNullOrEmpty
            $ChildOutput[0].Iterations | Should -Be 12
        }

        It 'reports every iteration under one activity, ending at 100 percent' {
            $Iterations.Count | Should -Be 12
            $Iterations.ActivityId | Sort-Object -Unique | Should -HaveCount 1
            $Iterations | ForEach-Object { ($_.StatusDescription -split ':')[0] } | Should -Be (1..12 | ForEach-Object { "Iteration $_ of 12" })
            $Iterations[-1].PercentComplete | Should -Be 100
            $Iterations[-1].SecondsRemaining | Should -BeGreaterOrEqual 0
        }

        It 'reports the reading of the file as a child activity of the training, completed' {
            $parent = $Iterations[0].ActivityId
            $reading = @($Progress | Where-Object { $_.ParentActivityId -eq $parent -and $_.ActivityId -ne $parent })
            $reading | Should -Not -BeNullOrEmpty
            @($reading | Where-Object StatusDescription -Like '2,000 of 2,000 rows read*').Count | Should -BeGreaterOrEqual 1
            $reading[-1].RecordType | Should -Be 'Completed'
        }

        It 'ends with a Completed record of the training activity' {
            $Progress[-1].RecordType | Should -Be 'Completed'
            $Progress[-1].ActivityId | Should -Be $Iterations[0].ActivityId
        }
    }
}
