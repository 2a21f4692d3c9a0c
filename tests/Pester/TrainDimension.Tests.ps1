#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Invoke-KMeansTraining -TrainDimension: training on projected vectors, full-dimension centroids, and the estimate.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $script:Blobs = Join-Path $Scratch 'blobs.npy'
    $null = New-KMeansSampleData -LiteralPath $Blobs -Rows 2000 -Dimension 64 -Clusters 8 -Spread 1 -Seed 3

    # 300 vectors of 32 dimensions around three centres, as pipeline input.
    $random = [System.Random]::new(11)
    $script:Vectors = foreach ($i in 0..299) {
        $centre = ($i % 3) * 10 + 1
        , [float[]]@(0..31 | ForEach-Object { $centre + ($_ % 3) * ($i % 3) + $random.NextDouble() })
    }

    function Get-VectorText {
        param([object[]] $Centroid)
        ($Centroid | ForEach-Object { $_.Vector -join ',' }) -join ';'
    }
}

AfterAll {
    Remove-Module KMeans -ErrorAction Ignore
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Invoke-KMeansTraining -TrainDimension' {
    It 'returns full-dimension centroids whose loss is within 1 % of a full-dimension run' {
        $reduced = Invoke-KMeansTraining -LiteralPath $Blobs -K 8 -Seed 5 -TrainDimension 12 -AsModel
        $full = Invoke-KMeansTraining -LiteralPath $Blobs -K 8 -Seed 5 -AsModel
        $reduced.Centroids | ForEach-Object { $_.Dimension | Should -Be 64 }
        ($reduced.Centroids | Measure-Object -Property Size -Sum).Sum | Should -Be 2000
        $reduced.Loss | Should -BeLessOrEqual ($full.Loss * 1.01)
        $reduced.Loss | Should -BeGreaterThan 0
    }

    It 'gives identical centroids in memory, on disk and on one thread under <_>' -ForEach 'L2', 'Cosine', 'Dot' {
        # Under Dot two of the three clusters end empty, which each training warns of alike.
        $quiet = @{ WarningAction = 'SilentlyContinue' }
        $inMemory = $Vectors | Invoke-KMeansTraining -K 3 -Seed 2 -Distance $_ -TrainDimension 6 @quiet
        $onDisk = $Vectors | Invoke-KMeansTraining -K 3 -Seed 2 -Distance $_ -TrainDimension 6 -OnDisk -TempDirectory $Scratch @quiet
        $oneThread = $Vectors | Invoke-KMeansTraining -K 3 -Seed 2 -Distance $_ -TrainDimension 6 -ThrottleLimit 1 @quiet
        Get-VectorText $onDisk | Should -BeExactly (Get-VectorText $inMemory)
        Get-VectorText $oneThread | Should -BeExactly (Get-VectorText $inMemory)
        $inMemory | ForEach-Object { $_.Dimension | Should -Be 32 }
        Get-ChildItem -LiteralPath $Scratch -File -Force | Where-Object { $_.Name -like 'kmeans-sample-*' -or $_.Name -like '*.tmp' } | Should -BeNullOrEmpty
    }

    It 'normalises Cosine centroids in the full dimension' {
        $centroids = $Vectors | Invoke-KMeansTraining -K 3 -Seed 2 -Distance Cosine -TrainDimension 6
        foreach ($centroid in $centroids) {
            $norm = [Math]::Sqrt(($centroid.Vector | ForEach-Object { [double]$_ * $_ } | Measure-Object -Sum).Sum)
            $norm | Should -BeGreaterThan 0.9999
            $norm | Should -BeLessThan 1.0001
        }
    }

    It 'trains a tree in the reduced dimension, the same in memory and on disk' {
        $inMemory = Invoke-KMeansTraining -LiteralPath $Blobs -K 24 -Seed 4 -Hierarchical On -HierarchicalK 4 -TrainDimension 16 -AsModel
        $onDisk = Invoke-KMeansTraining -LiteralPath $Blobs -K 24 -Seed 4 -Hierarchical On -HierarchicalK 4 -TrainDimension 16 -AsModel -OnDisk -TempDirectory $Scratch
        $inMemory.Centroids.Count | Should -Be 24
        Get-VectorText $onDisk.Centroids | Should -BeExactly (Get-VectorText $inMemory.Centroids)
        $onDisk.Loss | Should -Be $inMemory.Loss
    }

    It 'reads input files again for the final pass, to the bits of the same rows piped, which keep their full rows' {
        function Write-Fvecs([string] $Path, [object[]] $Rows) {
            $writer = [System.IO.BinaryWriter]::new([System.IO.File]::Create($Path))
            try {
                foreach ($vector in $Rows) {
                    $writer.Write([int]$vector.Length)
                    foreach ($value in $vector) { $writer.Write([float]$value) }
                }
            }
            finally {
                $writer.Dispose()
            }
        }
        $whole = Join-Path $Scratch 'vectors.fvecs'
        $first, $second = (Join-Path $Scratch 'first.fvecs'), (Join-Path $Scratch 'second.fvecs')
        Write-Fvecs $whole $Vectors
        Write-Fvecs $first $Vectors[0..99]
        Write-Fvecs $second $Vectors[100..299]
        $fromFile = Invoke-KMeansTraining -LiteralPath $whole -K 3 -Seed 2 -TrainDimension 6 -AsModel
        $fromTwoFiles = Invoke-KMeansTraining -LiteralPath $first, $second -K 3 -Seed 2 -TrainDimension 6 -AsModel
        $piped = $Vectors | Invoke-KMeansTraining -K 3 -Seed 2 -TrainDimension 6 -AsModel
        $fromFile.SampleRows | Should -Be 300
        Get-VectorText $fromFile.Centroids | Should -BeExactly (Get-VectorText $piped.Centroids)
        Get-VectorText $fromTwoFiles.Centroids | Should -BeExactly (Get-VectorText $piped.Centroids)
        $fromFile.Loss | Should -Be $piped.Loss
    }

    It 'shows the final read of the input as a child activity of the training' {
        $run = Invoke-InChildRunspace { param($Path) Invoke-KMeansTraining -LiteralPath $Path -K 8 -Seed 4 -TrainDimension 12 -AsModel } `
            -ArgumentList $Blobs
        $run.Error | Should -BeNullOrEmpty
        $final = @($run.Progress | Where-Object Activity -EQ 'Reading the sampled rows again')
        $final[0].StatusDescription | Should -BeLike '*of 2,000 rows read again for the full-dimension means'
        $final[0].ParentActivityId | Should -Be $run.Progress[0].ActivityId
        $final[-1].RecordType | Should -Be 'Completed'
    }

    It 'reports the training dimension and its loss with -Verbose' {
        $verbose = $Vectors | Invoke-KMeansTraining -K 3 -Seed 2 -TrainDimension 6 -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $line = $verbose.Message | Where-Object { $_ -like 'Trained in 6 dimensions*' }
        $line | Should -Match '^Trained in 6 dimensions \(loss there [0-9.]+(E[-+]?[0-9]+)?\); the centroids are the means of their rows in 32 dimensions\.$'
    }

    It 'records the training dimension and its loss on the model: <What>' -ForEach @(
        @{ What = 'flat'; Extra = @{} }
        @{ What = 'a tree'; Extra = @{ Hierarchical = 'On'; HierarchicalK = 4 } }
        @{ What = 'balanced'; Extra = @{ MaxSizeRatio = 1.5 } }
    ) {
        $model = Invoke-KMeansTraining -LiteralPath $Blobs -K 16 -Seed 4 -TrainDimension 16 -AsModel @Extra -WarningAction SilentlyContinue
        $model.TrainDimension | Should -Be 16
        $model.Dimension | Should -Be 64
        # The transform keeps squared distances in expectation, so the loss there is of the full loss's order: lower,
        # as Lloyd minimised it there (0.83-0.97 of it on these blobs), not a small fraction.
        $model.TrainDimensionLoss | Should -BeGreaterThan (0.5 * $model.Loss)
        $model.TrainDimensionLoss | Should -BeLessThan $model.Loss
    }

    It 'leaves the training dimension empty on a full-dimension model, and names it in the report' {
        $full = Invoke-KMeansTraining -LiteralPath $Blobs -K 8 -Seed 4 -AsModel
        $full.TrainDimension | Should -BeNullOrEmpty
        $full.TrainDimensionLoss | Should -BeNullOrEmpty
        $reduced = Invoke-KMeansTraining -LiteralPath $Blobs -K 8 -Seed 4 -TrainDimension 12 -AsModel
        $report = Join-Path $Scratch 'reduced.html'
        $reduced | Export-KMeansReport -LiteralPath $report | Out-Null
        $loss = $reduced.TrainDimensionLoss.ToString('G6', [cultureinfo]::InvariantCulture)
        Get-Content -Raw -LiteralPath $report | Should -Match ([regex]::Escape("12 (rows projected; loss there $loss, centroids the means of their rows in 64)"))
        $full | Export-KMeansReport -LiteralPath (Join-Path $Scratch 'full.html') | Out-Null
        Get-Content -Raw -LiteralPath (Join-Path $Scratch 'full.html') | Should -Not -Match 'Training dimension'
    }

    It 'blames the projection, not the input, when the projected sample has fewer distinct rows than K' {
        # Under Cosine in 1 dimension every row becomes +1 or -1: 2 distinct rows for K = 8.
        $null = Invoke-KMeansTraining -LiteralPath $Blobs -K 8 -Seed 1 -TrainDimension 1 -Distance Cosine -WarningVariable warnings 3>$null
        "$warnings" | Should -BeLike 'The training sample, projected to 1 dimension (-TrainDimension), holds only 2 distinct rows, fewer than K = 8:*Raise -TrainDimension, or lower -K.'
    }

    It 'gives repeated rows their own centroids exactly and blames the input, not the projection' {
        $rows = , ([float[]](1..64)) * 100
        $model = $rows | Invoke-KMeansTraining -K 8 -Seed 1 -TrainDimension 4 -AsModel -WarningVariable warnings 3>$null
        $model.Loss | Should -Be 0
        $model.Centroids[0].Size | Should -Be 100
        foreach ($centroid in $model.Centroids) { $centroid.Vector | Should -Be ([float[]](1..64)) }
        ($rows | Get-KMeansAssignment -Centroid $model -Summary | Where-Object Count).ClusterId | Should -Be 0
        "$warnings" | Should -BeLike 'The training sample holds only 1 distinct row, fewer than K = 8:*Lower -K, or check the input for repeated vectors.'
        foreach ($distance in 'Cosine', 'Dot') {
            $null = $rows | Invoke-KMeansTraining -K 8 -Seed 1 -TrainDimension 4 -Distance $distance -WarningVariable warnings 3>$null
            "$warnings" | Should -BeLike 'The training sample holds only 1 distinct row, fewer than K = 8:*Lower -K, or check the input for repeated vectors.' -Because $distance
        }
        # Balancing rebuilds the result; it keeps what the final pass found.
        $two = foreach ($i in 1..40) { , [float[]]$(if ($i % 2) { 1, 2, 3, 4, 5, 6 } else { 5, -1, 2, 7, 0, 1 }) }
        $null = $two | Invoke-KMeansTraining -K 4 -Seed 1 -TrainDimension 2 -MaxSizeRatio 2 -WarningVariable warnings 3>$null
        "$warnings" | Should -BeLike '*The training sample holds only 2 distinct rows, fewer than K = 4*Lower -K, or check the input for repeated vectors.*'
        "$warnings" | Should -Not -BeLike '*Raise -TrainDimension*'
    }

    It 'leaves the model as trained under a bound its partitions already meet, with and without -TrainDimension' {
        foreach ($reduced in @{}, @{ TrainDimension = 12 }) {
            $free = Invoke-KMeansTraining -LiteralPath $Blobs -K 12 -Seed 6 -AsModel @reduced
            $largest = ($free.Centroids.Size | Measure-Object -Maximum).Maximum / (2000 / 12)
            $edge = Invoke-KMeansTraining -LiteralPath $Blobs -K 12 -Seed 6 -AsModel -MaxSizeRatio ($largest * (1 + 1e-9)) @reduced
            $loose = Invoke-KMeansTraining -LiteralPath $Blobs -K 12 -Seed 6 -AsModel -MaxSizeRatio 100 @reduced
            $largest | Should -BeGreaterThan 1.05
            Get-VectorText $edge.Centroids | Should -Be (Get-VectorText $free.Centroids)
            Get-VectorText $loose.Centroids | Should -Be (Get-VectorText $free.Centroids)
            $edge.Centroids.Price | Sort-Object -Unique | Should -Be 0
        }
    }

    It 'refuses a training dimension, K or any other whole-number parameter with a fraction, which PowerShell would round' {
        foreach ($value in 16.5, '16.5', 2.5, '16.5d', [System.Half]16.5) {
            $thrown = { $Vectors | Invoke-KMeansTraining -K 3 -Seed 2 -TrainDimension $value } |
                Should -Throw -ErrorId 'ParameterArgumentTransformationError,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
            $thrown.Exception.Message | Should -Be "Cannot process argument transformation on parameter 'TrainDimension'. '$value' is not a whole number."
            $thrown = { Get-KMeansDiskEstimate -K 64 -Dimension 768 -TrainDimension $value } |
                Should -Throw -ErrorId 'ParameterArgumentTransformationError,KMeans.PowerShell.GetKMeansDiskEstimateCommand' -PassThru
            $thrown.Exception.Message | Should -Be "Cannot process argument transformation on parameter 'TrainDimension'. '$value' is not a whole number."
        }
        foreach ($parameter in 'K', 'MaxIterations', 'Redos', 'Seed', 'SampleRate', 'ThrottleLimit', 'HierarchicalK', 'RefineIterations') {
            $arguments = @{ K = 3 }
            $arguments[$parameter] = 2.5
            { $Vectors | Invoke-KMeansTraining @arguments } |
                Should -Throw -ErrorId 'ParameterArgumentTransformationError,KMeans.PowerShell.InvokeKMeansTrainingCommand' -Because "-$parameter 2.5"
        }
        { $Vectors | Get-KMeansAssignment -Centroid $Vectors[0..1] -Count 1.5 } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,KMeans.PowerShell.GetKMeansAssignmentCommand'
        { New-KMeansSampleData -LiteralPath (Join-Path $Scratch 'half.npy') -Rows 10.5 -Dimension 4 } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,KMeans.PowerShell.NewKMeansSampleDataCommand'
        ($Vectors | Invoke-KMeansTraining -K 3.0 -Seed 2 -TrainDimension 16.0 -AsModel).TrainDimension | Should -Be 16
    }

    It 'refuses a training dimension not below the vectors'' dimension with InvalidOption' {
        $thrown = { $Vectors | Invoke-KMeansTraining -K 3 -Seed 2 -TrainDimension 32 } |
            Should -Throw -ErrorId 'InvalidOption,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.ErrorDetails.Message | Should -Be '-TrainDimension must be at least 1 and less than the vectors'' 32 dimensions, but was 32.'
        $thrown = { @([float[]]1, [float[]]2, [float[]]3) | Invoke-KMeansTraining -K 2 -TrainDimension 1 } |
            Should -Throw -ErrorId 'InvalidOption,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.ErrorDetails.Message | Should -Be '-TrainDimension needs vectors of 2 or more dimensions to project, but these have 1 (it was 1).'
        $thrown = { Get-KMeansDiskEstimate -K 8 -Dimension 100 -TrainDimension 100 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidOption,KMeans.PowerShell.GetKMeansDiskEstimateCommand' -PassThru
        $thrown.ErrorDetails.Message | Should -Be '-TrainDimension must be at least 1 and less than the vectors'' 100 dimensions, but was 100.'
    }

    It 'refuses a training dimension below 1 at binding, training and estimating alike' {
        { $Vectors | Invoke-KMeansTraining -K 3 -TrainDimension 0 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        { Get-KMeansDiskEstimate -K 8 -Dimension 100 -TrainDimension 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,KMeans.PowerShell.GetKMeansDiskEstimateCommand'
    }
}

Describe 'Get-KMeansDiskEstimate -TrainDimension' {
    It 'counts only the projected sample, the final pass reading the files again' {
        $full = Get-KMeansDiskEstimate -K 16 -Dimension 1024 -Rows 10000
        $reduced = Get-KMeansDiskEstimate -K 16 -Dimension 1024 -Rows 10000 -TrainDimension 128
        $full.Bytes | Should -Be (4096 * 1024 * 4)
        $reduced.Bytes | Should -Be (4096 * 128 * 4)
        $reduced.TrainDimension | Should -Be 128
        $full.TrainDimension | Should -BeNullOrEmpty
        # Per row a second label and distance, and the row's origin, hash, slot in input order and sort key; a copy
        # of each cluster's first row.
        $reduced.InMemoryBytes - $full.InMemoryBytes | Should -Be (4096 * (128 - 1024) * 4 + 4096 * (8 + 28) + 16 * 1024 * 4)
        $reduced.FinalPassReadsInput | Should -BeTrue
        $full.FinalPassReadsInput | Should -BeFalse
    }

    It 'counts the projected sample beside the full one where <What> keeps both' -ForEach @(
        @{ What = 'balancing'; Extra = @{ MaxSizeRatio = 1.2 } }
        @{ What = 'pipeline input'; Extra = @{ PipelineInput = $true } }
    ) {
        $full = Get-KMeansDiskEstimate -K 16 -Dimension 1024 -Rows 10000 @Extra
        $reduced = Get-KMeansDiskEstimate -K 16 -Dimension 1024 -Rows 10000 -TrainDimension 128 @Extra
        $reduced.Bytes | Should -Be (4096 * (1024 + 128) * 4)
        $reduced.InMemoryBytes - $full.InMemoryBytes | Should -Be (4096 * 128 * 4 + 4096 * 8)
        $reduced.FinalPassReadsInput | Should -BeFalse
    }

    It 'plans piped input for the full SampleRate x K rows, as a pipeline''s length is known only at its end' {
        $piped = Get-KMeansDiskEstimate -K 16 -Dimension 1024 -Rows 1000 -TrainDimension 128 -PipelineInput
        $files = Get-KMeansDiskEstimate -K 16 -Dimension 1024 -Rows 1000 -TrainDimension 128
        $piped.SampleRows | Should -Be 4096
        $piped.Bytes | Should -Be (4096 * (1024 + 128) * 4)
        $files.SampleRows | Should -Be 1000
        $files.Bytes | Should -Be (1000 * 128 * 4)
    }

    It 'times the iterations of a calibrated estimate in the training dimension, and the whole run with the final pass' {
        $full = Get-KMeansDiskEstimate -K 4096 -Dimension 1024 -Calibrate
        $reduced = Get-KMeansDiskEstimate -K 4096 -Dimension 1024 -TrainDimension 128 -Calibrate
        # 2·n·K·d: an eighth of the dimension is about an eighth of the iteration, whatever this machine's speed.
        $ratio = $reduced.FlatIterationSeconds / $full.FlatIterationSeconds
        $ratio | Should -BeGreaterThan 0.04
        $ratio | Should -BeLessThan 0.4
        $reduced.FlatTrainingSeconds | Should -BeGreaterThan ($reduced.FlatIterationSeconds * $reduced.MaxIterations)
        $reduced.FlatTrainingSeconds | Should -BeLessThan ($full.FlatTrainingSeconds / 3)
    }

    It 'binds PipelineInput from a CSV scenario as True or False, an empty cell meaning files' {
        $scenarios = @"
K,Dimension,TrainDimension,PipelineInput
256,128,16,True
256,128,16,false
256,128,16,
"@ | ConvertFrom-Csv
        $estimates = $scenarios | Get-KMeansDiskEstimate
        $estimates.FinalPassReadsInput | Should -Be @($false, $true, $true)
        $estimates[0].Bytes | Should -Be (65536 * (128 + 16) * 4)
        $thrown = { [pscustomobject]@{ K = 256; Dimension = 128; PipelineInput = 'maybe' } | Get-KMeansDiskEstimate -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,KMeans.PowerShell.GetKMeansDiskEstimateCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike "*'maybe' is not True or False.*"
    }

    It 'binds TrainDimension from a CSV scenario, an empty cell meaning none' {
        $scenarios = @"
K,Dimension,Rows,TrainDimension
16,768,5000,96
16,768,5000,
"@ | ConvertFrom-Csv
        $estimates = $scenarios | Get-KMeansDiskEstimate
        $estimates[0].Bytes | Should -Be (4096 * 96 * 4)
        $estimates[1].Bytes | Should -Be (4096 * 768 * 4)
    }

    It 'reports a training dimension not below the dimension and goes on with the next scenario' {
        $estimates = @(
            [pscustomobject]@{ K = 4; Dimension = 64; TrainDimension = 64 }
            [pscustomobject]@{ K = 4; Dimension = 64; TrainDimension = 8 }
        ) | Get-KMeansDiskEstimate -ErrorVariable problems -ErrorAction SilentlyContinue
        @($estimates).Count | Should -Be 1
        $estimates.TrainDimension | Should -Be 8
        $problems[0].FullyQualifiedErrorId | Should -Be 'InvalidOption,KMeans.PowerShell.GetKMeansDiskEstimateCommand'
        $problems[0].TargetObject | Should -Be 64
    }
}
