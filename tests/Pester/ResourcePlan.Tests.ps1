BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    . (Join-Path $PSScriptRoot 'TestVectors.ps1')
}

Describe 'Get-KMeansDiskEstimate counts sizes it can hold and says when a run cannot start' {
    It 'refuses <Name> as InvalidOption for that scenario alone' -ForEach @(
        @{ Name = 'sizes beyond 64 bits'; K = 1073741824; Dimension = 1024; SampleRate = 2147483647 }
        @{ Name = 'K × dimension beyond one array (reported as 0 bytes before)'; K = 1073741824; Dimension = 16777216; SampleRate = 256 }
    ) {
        $scenarios = @(
            [pscustomobject]@{ K = $K; Dimension = $Dimension; SampleRate = $SampleRate }
            [pscustomobject]@{ K = 4; Dimension = 8; SampleRate = 256 }
        )
        $estimates = @($scenarios | Get-KMeansDiskEstimate -ErrorVariable problems -ErrorAction SilentlyContinue)

        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'InvalidOption,KMeans.PowerShell.GetKMeansDiskEstimateCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $estimates.Count | Should -Be 1
        $estimates[0].Bytes | Should -Be (4 * 256 * 8 * 4)
        $estimates[0].Fits | Should -BeTrue
        $estimates[0].FitsReason | Should -BeNullOrEmpty
    }

    It 'reports a predicted time beyond a TimeSpan as an error of that scenario, and estimates the next' {
        $scenarios = @(
            [pscustomobject]@{ K = 1048576; Dimension = 65536; MaxIterations = 2147483647 }
            [pscustomobject]@{ K = 16384; Dimension = 65536; MaxIterations = 2147483647 }
            [pscustomobject]@{ K = 4; Dimension = 8; MaxIterations = 10 }
        )
        $estimates = @($scenarios | Get-KMeansDiskEstimate -Calibrate -ErrorVariable problems -ErrorAction SilentlyContinue)

        $problems.Count | Should -Be 2
        $problems[0].FullyQualifiedErrorId | Should -Be 'InvalidOption,KMeans.PowerShell.GetKMeansDiskEstimateCommand'
        $problems[1].FullyQualifiedErrorId | Should -Be 'InvalidOption,KMeans.PowerShell.GetKMeansDiskEstimateCommand'
        $problems[1].ErrorDetails.Message | Should -BeLike '*years a time span can hold: lower -MaxIterations, K or -SampleRate.'
        $estimates.Count | Should -Be 1
        $estimates[0].K | Should -Be 4
        $estimates[0].FlatTrainingSeconds | Should -BeGreaterThan 0
    }

    It 'says a file without rows does not fit, and why' {
        $empty = Join-Path $Scratch 'empty.npy'
        New-EmptyNpy -Path $empty -Dimension 4

        $estimate = Get-KMeansDiskEstimate -LiteralPath $empty -K 2 -TempDirectory $Scratch

        $estimate.Rows | Should -Be 0
        $estimate.Bytes | Should -Be 0
        $estimate.Fits | Should -BeFalse
        $estimate.FitsReason | Should -Be 'The input holds no rows: there is nothing to sample.'
    }

    It 'says fewer rows than K do not fit' {
        $estimate = Get-KMeansDiskEstimate -K 10 -Dimension 4 -Rows 9 -TempDirectory $Scratch

        $estimate.Fits | Should -BeFalse
        $estimate.FitsReason | Should -Be 'K is 10, but the input holds only 9 rows: K cannot exceed the number of rows.'
    }

    It 'says a directory where no file can be created does not fit' -Skip:(-not $IsLinux) {
        # Root ignores permission bits, but not PATH_MAX: in this directory no file name fits.
        $deep = Join-Path $Scratch 'unwritable'
        while ($deep.Length -lt 4096 - 300) { $deep = Join-Path $deep ('d' * 250) }
        $deep = Join-Path $deep ('e' * (4096 - 40 - $deep.Length))
        $null = [System.IO.Directory]::CreateDirectory($deep)

        $estimate = Get-KMeansDiskEstimate -K 4 -Dimension 8 -TempDirectory $deep

        $estimate.Fits | Should -BeFalse
        $estimate.FitsReason | Should -BeLike "Cannot create the on-disk sample in '$deep':*"
        @(Get-ChildItem -LiteralPath $deep -Force).Count | Should -Be 0
    }
}

Describe 'Core messages name the parameters users type' {
    It 'says -OnDisk when an in-memory run does not fit' {
        # The pipeline's length is unknown, so the sample must be able to hold SampleRate × K rows.
        $vector = [float[]]::new(64)

        $problem = { , $vector | Invoke-KMeansTraining -K 1000 -SampleRate 2000000000 } | Should -Throw -ErrorId 'InsufficientMemory,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru

        $problem.ErrorDetails.Message | Should -BeLike '*Train with -OnDisk to keep the sample in a memory-mapped temporary file, or lower -SampleRate or K.'
        $problem.Exception.Message | Should -BeLike '*Train with OnDisk to keep the sample*'
    }

    It 'says -SkipNonFinite when a row holds NaN' {
        $vectors = @([float[]](1, 2), [float[]](3, [float]::NaN), [float[]](5, 6))

        $problem = { $vectors | Invoke-KMeansTraining -K 2 } | Should -Throw -ErrorId 'NonFiniteValue,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru

        $problem.ErrorDetails.Message | Should -BeLike '*values must be finite (use -SkipNonFinite to drop such rows).'
    }
}

AfterAll { Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction SilentlyContinue }
