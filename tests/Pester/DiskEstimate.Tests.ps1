#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Get-KMeansDiskEstimate: sizing a run before starting it, from a shape, from a file, or from piped scenarios.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Get-KMeansDiskEstimate' {
    It 'sizes the sample at SampleRate x K rows of float32' {
        $estimate = Get-KMeansDiskEstimate -K 1000 -Dimension 768
        $estimate.SampleRows | Should -Be 256000
        $estimate.Bytes | Should -Be (256000 * 768 * 4)
        $estimate.Recommendation | Should -BeIn 'InMemory', 'OnDisk'
    }

    It 'caps the sample at the rows there are' {
        (Get-KMeansDiskEstimate -K 16 -Dimension 128 -Rows 1000).SampleRows | Should -Be 1000
    }

    It 'reads rows and dimension from a file' {
        $file = New-KMeansSampleData -Path (Join-Path $Scratch 'v.arrow') -Rows 5000 -Dimension 16 -Seed 1
        $estimate = Get-KMeansDiskEstimate -Path $file.FullName -K 10
        $estimate.Path | Should -Be $file.FullName
        $estimate.Rows | Should -Be 5000
        $estimate.Dimension | Should -Be 16
        $estimate.SampleRows | Should -Be 2560
        $estimate.Bytes | Should -Be (2560 * 16 * 4)
    }

    It 'takes files piped from Get-ChildItem' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $Scratch 'piped')
        New-KMeansSampleData -Path (Join-Path $folder 'a.npy') -Rows 100 -Dimension 4 -Seed 1 | Out-Null
        New-KMeansSampleData -Path (Join-Path $folder 'b.npy') -Rows 300 -Dimension 4 -Seed 1 | Out-Null
        $estimates = Get-ChildItem -LiteralPath $folder.FullName -Filter *.npy | Get-KMeansDiskEstimate -K 2
        $estimates.Rows | Sort-Object | Should -Be 100, 300
    }

    It 'estimates the files of one -Path as one sample, the sample Invoke-KMeansTraining takes from them' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $Scratch 'shards')
        # Written last to first, so that an order other than the training's (by name) would show.
        $second = New-KMeansSampleData -Path (Join-Path $folder 'part-1.arrow') -Rows 300 -Dimension 4 -Seed 2
        $first = New-KMeansSampleData -Path (Join-Path $folder 'part-0.npy') -Rows 100 -Dimension 4 -Seed 1
        $shards = Join-Path $folder 'part-*'
        $estimate = @(Get-KMeansDiskEstimate -Path $shards -K 2 -SampleRate 175)
        $estimate | Should -HaveCount 1
        $estimate[0].Rows | Should -Be 400
        $estimate[0].SampleRows | Should -Be 350
        $estimate[0].Bytes | Should -Be (350 * 4 * 4)
        $estimate[0].Path | Should -BeNullOrEmpty
        $estimate[0].Input | Should -Be $first.FullName, $second.FullName
        ($estimate[0] | Format-Table | Out-String) | Should -BeLike '*+1 part-0.npy*'
        ($estimate[0] | Format-List | Out-String) | Should -BeLike "*Input *: {$($first.FullName), $($second.FullName)}*"
        $model = Invoke-KMeansTraining -Path $shards -K 2 -SampleRate 175 -Seed 1 -MaxIterations 1 -OnDisk -AsModel
        $model.SampleRows | Should -Be $estimate[0].SampleRows
        $model.Input | Should -Be $estimate[0].Input
        $listed = Get-KMeansDiskEstimate -LiteralPath $first.FullName, $second.FullName -K 2
        $listed.Rows | Should -Be 400
        $listed.Input | Should -Be $first.FullName, $second.FullName
    }

    It 'gives no estimate for files that would not train together, and says why' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $Scratch 'mixed')
        $narrow = New-KMeansSampleData -Path (Join-Path $folder 'narrow.npy') -Rows 50 -Dimension 4 -Seed 1
        $wide = New-KMeansSampleData -Path (Join-Path $folder 'wide.npy') -Rows 50 -Dimension 6 -Seed 1
        $estimates = Get-KMeansDiskEstimate -LiteralPath $narrow.FullName, $wide.FullName -K 2 -ErrorVariable problems -ErrorAction SilentlyContinue
        $estimates | Should -BeNullOrEmpty
        $problems.FullyQualifiedErrorId | Should -Be 'DimensionMismatch,KMeans.PowerShell.GetKMeansDiskEstimateCommand'
        $problems[0].Exception.Message | Should -BeLike "*$($wide.FullName)*"
        $missing = Join-Path $folder 'missing.npy'
        $estimates = Get-KMeansDiskEstimate -LiteralPath $narrow.FullName, $missing -K 2 -ErrorVariable problems -ErrorAction SilentlyContinue
        $estimates | Should -BeNullOrEmpty
        $problems.FullyQualifiedErrorId | Should -Be 'FileNotFound,KMeans.PowerShell.GetKMeansDiskEstimateCommand'
        $problems[0].TargetObject | Should -Be $missing
    }

    It 'reports a path of a provider this session lacks as not found, and estimates the scenarios after it' {
        $good = New-KMeansSampleData -Path (Join-Path $Scratch 'after-bad-provider.npy') -Rows 20 -Dimension 3 -Seed 1
        $estimates = [pscustomobject]@{ Path = 'nosuchprovider::x.npy'; K = 2 }, [pscustomobject]@{ Path = $good.FullName; K = 2 } |
            Get-KMeansDiskEstimate -ErrorVariable problems -ErrorAction SilentlyContinue
        $estimates.Rows | Should -Be 20
        $problems.FullyQualifiedErrorId | Should -Be 'FileNotFound,KMeans.PowerShell.GetKMeansDiskEstimateCommand'
        $problems[0].TargetObject | Should -Be 'nosuchprovider::x.npy'
        { Invoke-KMeansTraining -LiteralPath 'nosuchprovider::x.npy' -K 2 } |
            Should -Throw -ErrorId 'FileNotFound,KMeans.PowerShell.InvokeKMeansTrainingCommand'
    }

    It 'takes file scenarios from a CSV by property name: Path, K, Column and InputFormat (an empty cell as none)' {
        $arrow = New-KMeansSampleData -Path (Join-Path $Scratch 'scenario.arrow') -Rows 700 -Dimension 6 -Seed 1
        $renamed = Join-Path $Scratch 'scenario.bin'
        Copy-Item -LiteralPath $arrow.FullName -Destination $renamed
        $csv = Join-Path $Scratch 'scenarios.csv'
        @"
Path,K,Column,InputFormat
$($arrow.FullName),4,,
$renamed,2,vector,Arrow
"@ | Set-Content -LiteralPath $csv
        $estimates = Import-Csv -LiteralPath $csv | Get-KMeansDiskEstimate
        $estimates.Path | Should -Be $arrow.FullName, $renamed
        $estimates.K | Should -Be 4, 2
        $estimates.Rows | Should -Be 700, 700
        $estimates.Dimension | Should -Be 6, 6
    }

    It 'takes scenarios from the pipeline by property name, and a bad one does not stop the rest' {
        $temp = (New-Item -ItemType Directory -Path (Join-Path $Scratch 'temp')).FullName
        $estimates = @(
            [pscustomobject]@{ K = '16'; Dimension = '128'; Rows = '100000' }
            [pscustomobject]@{ K = '2'; Dimension = '8'; Rows = '' }
            [pscustomobject]@{ K = '2'; Dimension = '8'; Rows = '0' }
            [pscustomobject]@{ K = '0'; Dimension = '128' }
            [pscustomobject]@{ K = '8'; Dimension = '0' }
            [pscustomobject]@{ K = '4'; Dimension = '8'; SampleRate = '10'; TempDirectory = (Join-Path $Scratch 'no-such-directory') }
            [pscustomobject]@{ K = '32'; Dimension = '64'; SampleRate = '100'; TempDirectory = $temp }
        ) | Get-KMeansDiskEstimate -ErrorVariable problems -ErrorAction SilentlyContinue
        $estimates.SampleRows | Should -Be 4096, 512, 3200
        $estimates[1].Rows | Should -BeNullOrEmpty
        $estimates[2].TempDirectory | Should -BeLike "$temp*"
        $problems.FullyQualifiedErrorId -replace ',.*' | Should -Be 'InvalidRows', 'InvalidK', 'InvalidDimension', 'TempDirectoryNotFound'
        $problems[1].TargetObject | Should -Be 0
        $problems[3].TargetObject | Should -Be (Join-Path $Scratch 'no-such-directory')
    }

    It 'takes the empty SampleRate and TempDirectory cells of a CSV as their defaults, as Rows' {
        $csv = Join-Path $Scratch 'blank-cells.csv'
        "K,Dimension,Rows,SampleRate,TempDirectory`n64,16,,,`n64,16,1000,8,$Scratch" | Set-Content -LiteralPath $csv
        $estimates = Import-Csv -LiteralPath $csv | Get-KMeansDiskEstimate
        $estimates.SampleRate | Should -Be 256, 8
        $estimates.SampleRows | Should -Be 16384, 512
        $estimates[0].TempDirectory | Should -BeLike "$([System.IO.Path]::GetTempPath().TrimEnd('/'))*"
    }

    It 'counts what balancing holds in InMemoryBytes, not in the sample, for -MaxSizeRatio and -MinSizeRatio alike' {
        $plain = Get-KMeansDiskEstimate -K 64 -Dimension 32 -Rows 10000
        $balanced = Get-KMeansDiskEstimate -K 64 -Dimension 32 -Rows 10000 -MaxSizeRatio 1.5
        # 10,000 sample rows, all cached: 20 bytes per row, and 8 candidates x 8 bytes + 20 + 12 per cached row;
        # every row's 64 scores (4 bytes each) kept for the price steps and searches.
        $balanced.InMemoryBytes - $plain.InMemoryBytes | Should -Be (10000 * 20 + 10000 * 96 + 10000 * 64 * 4)
        $balanced.Bytes | Should -Be $plain.Bytes
        $balanced.MaxSizeRatio | Should -Be 1.5
        (Get-KMeansDiskEstimate -K 64 -Dimension 32 -Rows 10000 -MinSizeRatio 0.5).InMemoryBytes | Should -Be $balanced.InMemoryBytes
    }

    It 'counts the nodes of the tree that K above 256 trains as, and a flat run when HierarchicalK is not below K' {
        $tree = Get-KMeansDiskEstimate -K 512 -Dimension 32 -Rows 10000 -ThrottleLimit 2
        $flat = Get-KMeansDiskEstimate -K 512 -Dimension 32 -Rows 10000 -ThrottleLimit 2 -HierarchicalK 512
        # The top level's labels, and 3 x 2 / 16 of the rows (their values and 16 bytes of state) in the nodes at once.
        $tree.InMemoryBytes - $flat.InMemoryBytes | Should -Be (10000 * 4 + 3750 * (32 * 4 + 16))
        $tree.Bytes | Should -Be $flat.Bytes
    }

    It 'bounds the balancing cache of a production sample' {
        $plain = Get-KMeansDiskEstimate -K 65536 -Dimension 1024
        $balanced = [pscustomobject]@{ K = 65536; Dimension = 1024; MaxSizeRatio = 2 } | Get-KMeansDiskEstimate
        # 16,777,216 rows x 20 bytes, the cache's 1,198,372 rows (96 MiB / 84 bytes) x 96 bytes, and 32 MiB of kept scores.
        $balanced.InMemoryBytes - $plain.InMemoryBytes | Should -Be (16777216 * 20 + 1198372 * 96 + 32MB)
    }

    It 'refuses a -MaxSizeRatio below 1 as Invoke-KMeansTraining does' {
        { Get-KMeansDiskEstimate -K 64 -Dimension 32 -MaxSizeRatio 0.5 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,KMeans.PowerShell.GetKMeansDiskEstimateCommand' -ExpectedMessage "*'MaxSizeRatio'. The argument 0.5 is less than 1. Supply 1 or more, or none."
        { [pscustomobject]@{ K = 64; Dimension = 32; MinSizeRatio = '1.5' } | Get-KMeansDiskEstimate -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,KMeans.PowerShell.GetKMeansDiskEstimateCommand' -ExpectedMessage "*'MinSizeRatio'. The argument 1.5 is not from 0 to 1. Supply a number in that range, or none."
    }

    It 'refuses an infinite or NaN ratio as not finite, not as too small' {
        { Get-KMeansDiskEstimate -K 64 -Dimension 32 -MaxSizeRatio ([double]::PositiveInfinity) } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,KMeans.PowerShell.GetKMeansDiskEstimateCommand' -ExpectedMessage "*'MaxSizeRatio'. The argument Infinity is not a finite number. Supply 1 or more, or none."
        { Get-KMeansDiskEstimate -K 64 -Dimension 32 -MinSizeRatio ([double]::NaN) } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,KMeans.PowerShell.GetKMeansDiskEstimateCommand' -ExpectedMessage "*'MinSizeRatio'. The argument NaN is not a finite number. Supply a number from 0 to 1, or none."
    }

    It 'reports a CSV cell that is no number, naming the parameter, and goes on with the other rows' {
        $estimates = "K,Dimension,Rows,MaxSizeRatio`n10,64,abc,`n10,64,100,x1`n12,64,1000," |
            ConvertFrom-Csv | Get-KMeansDiskEstimate -ErrorVariable problems -ErrorAction SilentlyContinue
        $estimates.K | Should -Be 12
        $problems.Exception.Message | Should -Be @(
            "Cannot process argument transformation on parameter 'Rows'. 'abc' is not a whole number."
            "Cannot process argument transformation on parameter 'MaxSizeRatio'. 'x1' is not a number."
        )
        $formats = [enum]::GetNames([KMeans.PowerShell.KMeansVectorFormat]) -join ', '
        { [pscustomobject]@{ Path = $Scratch; K = 4; InputFormat = 'Npz' } | Get-KMeansDiskEstimate -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*'InputFormat'. 'Npz' is not one of $formats."
    }

    It 'takes an empty CSV cell of -MaxSizeRatio or -MinSizeRatio as none, as its help says' {
        $estimates = @'
K,Dimension,Rows,MaxSizeRatio,MinSizeRatio
64,32,10000,,
64,32,10000,1.5,
64,32,10000,,0.5
'@ | ConvertFrom-Csv | Get-KMeansDiskEstimate
        $estimates | Should -HaveCount 3
        $estimates[0].MaxSizeRatio | Should -BeNullOrEmpty
        $estimates[0].MinSizeRatio | Should -BeNullOrEmpty
        $estimates[1].MaxSizeRatio | Should -Be 1.5
        $estimates[2].MinSizeRatio | Should -Be 0.5
        $estimates[1].InMemoryBytes | Should -BeGreaterThan $estimates[0].InMemoryBytes
        $estimates[2].InMemoryBytes | Should -Be $estimates[1].InMemoryBytes
    }

    It 'plans a -ThrottleLimit beyond the cores as the cores, as the training caps it' {
        $default = Get-KMeansDiskEstimate -K 256 -Dimension 768 -Rows 1000000
        $many = Get-KMeansDiskEstimate -K 256 -Dimension 768 -Rows 1000000 -ThrottleLimit 100000
        $many.InMemoryBytes | Should -Be $default.InMemoryBytes
    }

    It 'takes empty ThrottleLimit, MaxIterations and HierarchicalK cells as their defaults, and refuses a row count that is no whole number' {
        $estimates = "K,Dimension,Rows,ThrottleLimit,MaxIterations,HierarchicalK`n256,768,1000000,,,`n256,768,1000000,1,,`n16,32,12.5,2,10,16`n4,4,1e3,,,`n4,4,0x10,,," |
            ConvertFrom-Csv | Get-KMeansDiskEstimate -ErrorVariable problems -ErrorAction SilentlyContinue
        $estimates | Should -HaveCount 4
        $estimates[0].InMemoryBytes | Should -Be (Get-KMeansDiskEstimate -K 256 -Dimension 768 -Rows 1000000).InMemoryBytes
        $estimates[1].InMemoryBytes | Should -Be (Get-KMeansDiskEstimate -K 256 -Dimension 768 -Rows 1000000 -ThrottleLimit 1).InMemoryBytes
        $estimates[2].Rows | Should -Be 1000
        $estimates[3].Rows | Should -Be 16
        $problems.Exception.Message | Should -Be "Cannot process argument transformation on parameter 'Rows'. '12.5' is not a whole number."
    }

    It 'says an empty K cell is missing and a K of x is no whole number' {
        "K,Dimension`n,8`nx,8" | ConvertFrom-Csv | Get-KMeansDiskEstimate -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Exception.Message | Should -Be @(
            "Cannot bind argument to parameter 'K' because it is null."
            "Cannot process argument transformation on parameter 'K'. 'x' is not a whole number."
        )
    }

    It 'recommends on disk a 27 TB sample, larger than memory, and says it does not fit' {
        $estimate = Get-KMeansDiskEstimate -K 65536 -Dimension 1024 -SampleRate 100000
        $estimate.Recommendation | Should -Be 'OnDisk'
        $estimate.Fits | Should -BeFalse
    }

    It 'calibrates once per dimension, so that piped scenarios get the same rates whatever their order' {
        $scenarios = @(
            [pscustomobject]@{ K = 16; Dimension = 8; Rows = 1000 }
            [pscustomobject]@{ K = 256; Dimension = 128; Rows = 65536 }
            [pscustomobject]@{ K = 64; Dimension = 128; Rows = 8192 }
        )
        $output = $scenarios | Get-KMeansDiskEstimate -Calibrate -MaxIterations 10 -Verbose 4>&1
        $calibrations = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $calibrations | Should -HaveCount 2
        $calibrations[0] | Should -Match 'at 8 dimensions\.$'
        $calibrations[1] | Should -Match 'at 128 dimensions\.$'
        $estimates = @($output | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $estimates[1].KernelGflops | Should -Be $estimates[2].KernelGflops
        $estimates[0].KernelGflops | Should -Not -Be $estimates[1].KernelGflops
    }

    It 'adds balancing to both predicted training times of a balanced scenario, and says how much' {
        # Piped scenarios share one calibration, so the balanced one's totals differ from the plain one's by balancing alone.
        $plain, $balanced = @(
            [pscustomobject]@{ K = 16384; Dimension = 128; Rows = 4194304; MaxSizeRatio = '' }
            [pscustomobject]@{ K = 16384; Dimension = 128; Rows = 4194304; MaxSizeRatio = 2 }
        ) | Get-KMeansDiskEstimate -Calibrate -MaxIterations 10
        $plain.BalancingSeconds | Should -BeNullOrEmpty
        $balanced.BalancingSeconds | Should -BeGreaterThan 0
        [math]::Abs($balanced.FlatTrainingSeconds - $plain.FlatTrainingSeconds - $balanced.BalancingSeconds) | Should -BeLessThan 1e-6
        [math]::Abs($balanced.HierarchicalTrainingSeconds - $plain.HierarchicalTrainingSeconds - $balanced.BalancingSeconds) | Should -BeLessThan 1e-6
        # One whole assignment of the 4.2 M rows to 16,384 centroids at the measured rate is most of it.
        $assignment = 2 * 4194304 * 16384 * 128 / ($balanced.KernelGflops * 1e9)
        $balanced.BalancingSeconds | Should -BeGreaterThan $assignment
        $balanced.BalancingSeconds | Should -BeLessThan (2 * $assignment)
        $balanced.TrainingTimeSummary | Should -Match '; balancing (\d+(\.\d+)? (ms|s)|\d+ (min|h|d) \d\d (s|min|h)) of each$'
        $plain.TrainingTimeSummary | Should -Not -Match 'balancing'
    }

    It 'predicts days per flat iteration and far less per tree iteration with -Calibrate, and nothing without it' {
        $calibrated = Get-KMeansDiskEstimate -K 262144 -Dimension 1024 -Calibrate -MaxIterations 20
        $calibrated.HierarchicalIterationSeconds * 100 | Should -BeLessThan $calibrated.FlatIterationSeconds
        $calibrated.HierarchicalTrainingSeconds | Should -BeLessThan $calibrated.FlatTrainingSeconds
        $calibrated.KernelGflops | Should -BeGreaterThan 0
        $calibrated.MaxIterations | Should -Be 20
        $calibrated.TrainingTimeSummary | Should -Match '^flat .+; hierarchical '
        $plain = Get-KMeansDiskEstimate -K 262144 -Dimension 1024
        $plain.FlatIterationSeconds | Should -BeNullOrEmpty
        $plain.KernelGflops | Should -BeNullOrEmpty
    }
}
