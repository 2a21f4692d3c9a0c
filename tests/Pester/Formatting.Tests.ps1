#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The default views, as a console of 120 columns shows them: vectors shortened, no type names, nothing wrapped.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    . (Join-Path $PSScriptRoot 'TestVectors.ps1')
    $script:Vectors = New-BlobVector
    $script:Model = $Vectors | Invoke-KMeansTraining -K 3 -Seed 1 -Tolerance 0 -MaxIterations 2 -AsModel
    $random = [System.Random]::new(3)
    $wideVectors = foreach ($row in 0..99) {
        $vector = [float[]]::new(1024)
        for ($d = 0; $d -lt 1024; $d++) { $vector[$d] = $random.NextDouble() }
        , $vector
    }
    $script:Wide = $wideVectors | Invoke-KMeansTraining -K 2 -Seed 1 -MaxIterations 2 -AsModel

    function Get-Rendered {
        param([Parameter(ValueFromPipeline)] $InputObject, [switch] $List)
        begin { $items = [System.Collections.Generic.List[object]]::new() }
        process { $items.Add($InputObject) }
        end {
            $text = if ($List) { $items | Format-List | Out-String -Width 120 } else { $items | Out-String -Width 120 }
            # Lines without trailing blanks, and without the blank lines around a view.
            @($text -split "`r?`n" | ForEach-Object TrimEnd | Where-Object { $_ })
        }
    }
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Default views at 120 columns' {
    It 'shows centroids as a table with the vector shortened to its first values' {
        $lines = $Wide.Centroids | Get-Rendered
        $lines[0] | Should -Match '^ClusterId\s+Size\s+Dimension\s+Vector$'
        $lines.Count | Should -Be 4
        $lines[2] | Should -Match '^\s+0\s+\d+\s+1024 \[[-\d.e]+, [-\d.e]+, [-\d.e]+, [-\d.e]+, …\]$'
    }

    It 'shows a short vector whole, rounded to four digits' {
        $lines = $Model.Centroids[0] | Get-Rendered
        $expected = ($Model.Centroids[0].Vector | ForEach-Object { $_.ToString('G4', [cultureinfo]::InvariantCulture) }) -join ', '
        $lines[2] | Should -BeLike "*[[]$expected]"
    }

    It 'shows a model as one row of its figures, the loss in six digits' {
        $lines = $Model | Get-Rendered
        $lines[0] | Should -Match '^\s+K\s+Dimension\s+Distance\s+Loss\s+Iterations\s+Converged\s+OnDisk\s+SampleRows\s+Duration$'
        $lines.Count | Should -Be 3
        $lines[2] | Should -Match ('^\s+3\s+4\s+L2\s+' + [regex]::Escape($Model.Loss.ToString('G6', [cultureinfo]::InvariantCulture)) + '\s+2\s+(True|False)\s+False\s+600\s+\d\d:\d\d:\d\d\.\d{3}$')
    }

    It 'lists a model with its centroids and iterations summed up, and no type name' {
        $text = ($Model | Get-Rendered -List) -join "`n"
        $text | Should -Not -Match 'KMeans\.PowerShell\.'
        $text | Should -Match 'History\s+: \{Iteration 1: loss [\d.]+, Iteration 2: loss [\d.]+\}'
        $text | Should -Match 'Centroids\s+: \{Centroid 0 \(200 rows, \['
    }

    It 'lists a wide model without printing its vectors' {
        $text = ($Wide | Get-Rendered -List) -join "`n"
        $text | Should -Match 'Centroid 0 \(\d+ rows, \[[^\]]+, …\]\)'
        $text.Length | Should -BeLessThan 3000
    }

    It 'shows the history as a table of iterations within 80 columns, each iteration''s time in its units' {
        $text = $Model.History | Out-String -Width 79
        $lines = @($text -split "`r?`n" | ForEach-Object TrimEnd | Where-Object { $_ })
        $lines[0] | Should -Match '^Redo\s+Iteration\s+Loss\s+Change\s+Repaired\s+Reassigned\s+Imbalance\s+Elapsed$'
        $lines.Count | Should -Be 4
        $elapsed = [regex]::Escape([KMeans.PowerShell.DurationText]::Format($Model.History[1].ElapsedSeconds))
        $lines[3] | Should -Match "^\s+0\s+2\s+[\d.]+\s+[\d.eE-]+\s+\d+\s+\d+\s+\d\.\d{3}\s+$elapsed$"
        $lines[3] | Should -Match '\d(\.\d+)? (ms|s)$'
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 79 }
    }

    It 'lists a balanced model with its balance passes summed up, and no type name' {
        $balanced = $Vectors | Invoke-KMeansTraining -K 3 -Seed 1 -MaxSizeRatio 1.5 -AsModel -WarningAction SilentlyContinue
        $text = ($balanced | Get-Rendered -List) -join "`n"
        $text | Should -Not -Match 'KMeans\.PowerShell\.'
        $first = $balanced.BalanceHistory[0]
        $text | Should -Match ('BalanceHistory\s+: \{Pass 1: loss ' + [regex]::Escape($first.Loss.ToString('G6', [cultureinfo]::InvariantCulture)) + ', max/mean ' + [regex]::Escape($first.Sizes.MaxOverMean.ToString('F2', [cultureinfo]::InvariantCulture)))
    }

    It 'lists a tree model with its levels summed up, and no type name' {
        $tree = $Vectors | Invoke-KMeansTraining -K 12 -Seed 1 -Hierarchical On -HierarchicalK 3 -AsModel
        $text = ($tree | Get-Rendered -List) -join "`n"
        $text | Should -Not -Match 'KMeans\.PowerShell\.'
        $text | Should -Match ('Levels\s+: \{Level 1: 1 nodes, 3 centroids, loss ' + [regex]::Escape($tree.Levels[0].Loss.ToString('G6', [cultureinfo]::InvariantCulture)))
        # A console of 80 columns leaves the last one free: 79 characters, as for every table below.
        $lines = @($tree.Levels | Out-String -Width 79) -split "`r?`n" | ForEach-Object TrimEnd | Where-Object { $_ }
        $lines[0] | Should -Match '^Level\s+Nodes\s+Centroids\s+Rows\s+MaxIterations\s+ConvergedNodes\s+Loss$'
        $lines.Count | Should -Be (2 + $tree.Levels.Count)
    }

    It 'writes numbers the same way under any culture: verbose lines and the summaries of a list view' {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'de-DE'
            $many = New-BlobVector -Count 3000
            $tree = $many | Invoke-KMeansTraining -K 12 -Seed 1 -Hierarchical On -HierarchicalK 3 -MaxSizeRatio 1.5 -AsModel -Verbose -WarningAction SilentlyContinue 4>&1
            $verbose = @($tree | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
            $model = $tree | Where-Object { $_ -is [KMeans.PowerShell.KMeansModel] }
            $verbose | Where-Object { $_ -like 'Trained tree node*' } | Should -Match 'over 1,000 rows\.$'
            $model.PartitionSizes.ToString() | Should -Match 'max/mean \d\.\d\d, CV \d\.\d\d\)$'
            $model.Levels[0].ToString() | Should -Match 'loss \d(\.\d+)?E\+\d+$|loss \d+(\.\d+)?$'
        }
        finally {
            [cultureinfo]::CurrentCulture = $saved
        }
    }

    It 'shows the balance history as a table of passes' {
        $balanced = $Vectors | Invoke-KMeansTraining -K 3 -Seed 1 -MaxSizeRatio 1.5 -AsModel -WarningAction SilentlyContinue
        $lines = $balanced.BalanceHistory | Get-Rendered
        $lines[0] | Should -Match '^Pass\s+Loss\s+Displaced\s+Reassigned\s+Elapsed\s+Sizes$'
        $lines.Count | Should -Be (2 + $balanced.BalanceHistory.Count)
        $last = $balanced.BalanceHistory[-1]
        $lines[-1] | Should -Match ('^\s+' + $last.Pass + '\s+' + [regex]::Escape($last.Loss.ToString('G6', [cultureinfo]::InvariantCulture)) + '\s+\d+\s+\d+\s+' + [regex]::Escape([KMeans.PowerShell.DurationText]::Format($last.ElapsedSeconds)) + '\s+' + [regex]::Escape($last.Sizes.ToString()) + '$')
    }

    It 'shows assignments with the distance in six digits' {
        $assignments = $Vectors[0..1] | Get-KMeansAssignment -Centroid $Model
        $lines = $assignments | Get-Rendered
        $lines[0] | Should -Match '^\s+Index\s+ClusterId\s+Distance$'
        $lines[2] | Should -Match ('^\s+0\s+' + $assignments[0].ClusterId + '\s+' + [regex]::Escape($assignments[0].Distance.ToString('G6', [cultureinfo]::InvariantCulture)) + '$')
    }

    It 'shows a summary with the fraction in percent' {
        $lines = $Vectors | Get-KMeansAssignment -Centroid $Model -Summary | Get-Rendered
        $lines[0] | Should -Match '^ClusterId\s+Count\s+Fraction\s+MeanDistance$'
        $lines[2] | Should -Match '^\s+0\s+200\s+33\.3 %\s+[\d.]+$'
    }

    It 'shows the days of a training that took more than one' {
        $long = [pscustomobject]@{ PSTypeName = 'KMeans.PowerShell.KMeansModel'; K = 1; DurationSeconds = 93784.5 } | Get-Rendered
        ($long -join "`n") | Should -Match '1\.02:03:04\.500'
        $short = [pscustomobject]@{ PSTypeName = 'KMeans.PowerShell.KMeansModel'; K = 1; DurationSeconds = 3.25 } | Get-Rendered
        ($short -join "`n") | Should -Match '(?<![.\d])00:00:03\.250'
    }

    It 'shows every nearest centroid and distance of -Count 2, nearest first' {
        $assignments = $Vectors[0..1] | Get-KMeansAssignment -Centroid $Model -Count 2
        $lines = $assignments | Get-Rendered
        $lines[0] | Should -Match '^\s+Index\s+ClusterIds\s+Distances$'
        $distances = ($assignments[0].Distances | ForEach-Object { $_.ToString('G6', [cultureinfo]::InvariantCulture) }) -join ', '
        $lines[2] | Should -Match ('^\s+0\s+' + ($assignments[0].ClusterIds -join ', ') + '\s+' + [regex]::Escape($distances) + '$')
    }

    It 'shows a small fraction in three significant digits, and no mean distance for a cluster nothing went to' {
        $lines = , $Vectors[0] | Get-KMeansAssignment -Centroid $Model -Summary | Get-Rendered
        $empty = @($lines | Where-Object { $_ -match '^\s+\d+\s+0\s+0 %\s*$' })
        $empty.Count | Should -Be 2
        $fraction = [KMeans.PowerShell.KMeansAssignmentSummary]::new(0, 1, 1 / 4096, 2.5) | Get-Rendered
        $fraction[2] | Should -Match '^\s+0\s+1\s+0\.0244 %\s+2\.5$'
    }

    It 'lists why an estimate does not fit, and no empty timing rows without -Calibrate' {
        $lines = Get-KMeansDiskEstimate -K 262144 -Dimension 1024 -TempDirectory $Scratch | Get-Rendered -List
        ($lines -join "`n") | Should -Match 'FitsReason\s+: The on-disk sample needs [\d,]+ bytes'
        ($lines -join "`n") | Should -Match 'the\s+sample\s+does\s+not\s+fit\s+in\s+memory\s+either\.'
        $lines | Should -Not -Match '^(MaxIterations|FlatIterationSeconds|KernelGflops|TrainingTimeSummary)\s+:'
        Get-KMeansDiskEstimate -K 16 -Dimension 8 | Get-Rendered -List | Should -Not -Match '^FitsReason'
    }

    It 'shows a disk estimate as a table within an 80-column console, sizes in binary units, no column wrapped' {
        $text = Get-KMeansDiskEstimate -K 65536 -Dimension 1024 -Rows 20000000 | Out-String -Width 79
        $lines = @($text -split "`r?`n" | ForEach-Object TrimEnd | Where-Object { $_ })
        $lines.Count | Should -Be 3
        $lines[0] | Should -Match '^\s+K\s+Dimension\s+SampleRows\s+Size\s+InMemory\s+Free\s+Fits\s+Recommendation$'
        $lines[2] | Should -Match '^\s+65536\s+1024\s+16777216\s+64 GiB\s+[\d.]+ GiB\s+[\d.]+ [KMGTP]iB\s+(True|False)\s+(InMemory|OnDisk)$'
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 79 }
    }

    It 'lists a calibrated estimate''s seconds in the invariant culture, as its other numbers' {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'de-DE'
            $text = Get-KMeansDiskEstimate -K 300 -Dimension 8 -Calibrate -MaxSizeRatio 1.5 | Format-List | Out-String
        }
        finally {
            [cultureinfo]::CurrentCulture = $saved
        }
        foreach ($name in 'FlatIterationSeconds', 'FlatTrainingSeconds', 'HierarchicalIterationSeconds', 'HierarchicalTrainingSeconds', 'BalancingSeconds', 'KernelGflops') {
            $text | Should -Match "(?m)^$name\s+: \d+(\.\d+)?(E-\d+)?$" -Because $name
        }
    }

    It 'shows a calibrated estimate with its predicted training times, in the units that read best, within 80 columns' {
        $estimate = Get-KMeansDiskEstimate -K 1024 -Dimension 32 -Calibrate
        $text = $estimate | Out-String -Width 79
        $lines = @($text -split "`r?`n" | ForEach-Object TrimEnd | Where-Object { $_ })
        $lines[0] | Should -Match '^\s+K\s+Dimension\s+Size\s+Fits\s+Recommendation\s+FlatTraining\s+TreeTraining$'
        $duration = '(\d+(\.\d+)? (ms|s)|\d+ (min|h|d) \d\d (s|min|h))'
        $lines[2] | Should -Match "^\s+1024\s+32\s+[\d.]+ MiB\s+True\s+InMemory\s+$duration\s+$duration$"
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 79 }
        $estimate.TrainingTimeSummary | Should -Match "^flat $duration/iteration, $duration in all; hierarchical $duration/iteration, $duration in all$"
    }

    It 'tells the estimates of several files apart by name and rows, within 80 columns, calibrated or not' {
        $first = New-KMeansSampleData -Path (Join-Path $Scratch 'estimate-a.npy') -Rows 3000 -Dimension 16 -Seed 1
        $second = New-KMeansSampleData -Path (Join-Path $Scratch 'estimate-b.npy') -Rows 1200 -Dimension 16 -Seed 2
        $text = $first, $second | Get-KMeansDiskEstimate -K 8 | Out-String -Width 79
        $lines = @($text -split "`r?`n" | ForEach-Object TrimEnd | Where-Object { $_ })
        $lines[0] | Should -Match '^File\s+K\s+Rows\s+Size\s+InMemory\s+Fits\s+Recommendation$'
        $lines[2] | Should -Match '^estimate-a\.npy\s+8\s+3000\s+[\d.]+ KiB\s+[\d.]+ KiB\s+True\s+InMemory$'
        $lines[3] | Should -Match '^estimate-b\.npy\s+8\s+1200\s'
        $calibrated = $first | Get-KMeansDiskEstimate -K 8 -Calibrate | Out-String -Width 79
        $calibratedLines = @($calibrated -split "`r?`n" | ForEach-Object TrimEnd | Where-Object { $_ })
        $calibratedLines[0] | Should -Match '^File\s+K\s+Size\s+Fits\s+Recommendation\s+FlatTraining\s+TreeTraining$'
        $calibratedLines[2] | Should -Match '^estimate-a\.npy\s+8\s'
        $lines + $calibratedLines | ForEach-Object { $_.Length | Should -BeLessOrEqual 79 }
    }

    It 'writes a duration with its two largest units, never a predicted millisecond as zero' -ForEach @(
        @{ Seconds = 0.0104; Text = '10.4 ms' }
        @{ Seconds = 0.99949; Text = '999 ms' }
        @{ Seconds = 0.9996; Text = '1 s' }
        @{ Seconds = 59.94; Text = '59.9 s' }
        @{ Seconds = 59.96; Text = '1 min 00 s' }
        @{ Seconds = 7322; Text = '2 h 02 min' }
        @{ Seconds = 3e7; Text = '347 d 05 h' }
    ) {
        [KMeans.PowerShell.DurationText]::Format($Seconds) | Should -BeExactly $Text
    }

    It 'lists a disk estimate with the temp directory, and every time a calibrated one predicts' {
        $text = (Get-KMeansDiskEstimate -K 16 -Dimension 128 -TempDirectory $Scratch | Get-Rendered -List) -join "`n"
        $text | Should -Match "TempDirectory\s+: $([regex]::Escape($Scratch))"
        $text | Should -Match 'InMemory\s+: 2\.39 MiB'
        $text | Should -Not -Match 'KMeans\.PowerShell\.'
        $times = 'FlatIterationSeconds', 'FlatTrainingSeconds', 'HierarchicalIterationSeconds', 'HierarchicalTrainingSeconds', 'TrainingTimeSummary'
        $calibrated = [ordered]@{ PSTypeName = 'KMeans.PowerShell.KMeansDiskEstimate'; Fits = $true }
        foreach ($name in $times) { $calibrated[$name] = 1.5 }
        $calibratedText = ([pscustomobject]$calibrated | Get-Rendered -List) -join "`n"
        foreach ($name in $times) {
            $calibratedText | Should -Match "$name\s+: 1\.5"
        }
    }
}
