#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The training report: Export-KMeansReport and Invoke-KMeansTraining -ReportPath, as an ops script uses them.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')

    # 600 vectors around three well-separated centres, one float[] per pipeline item.
    $random = [System.Random]::new(11)
    $script:Vectors = foreach ($i in 0..599) {
        $centre = ($i % 3) * 20
        , [float[]]@(0..3 | ForEach-Object { $centre + $random.NextDouble() })
    }
    $script:Model = $Vectors | Invoke-KMeansTraining -K 3 -Seed 5 -AsModel

    # The report is well-formed XML as well as HTML: parse it to look inside.
    function script:Read-Report([string] $LiteralPath) {
        [xml](Get-Content -Raw -LiteralPath $LiteralPath)
    }
    function script:Get-SeriesLength([xml] $Report, [string] $Series) {
        $line = $Report.SelectSingleNode("//*[@data-series='$Series']")
        @($line.points -split ' ').Count
    }
}

AfterAll {
    Remove-Module KMeans -ErrorAction Ignore
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Export-KMeansReport' {
    It 'writes the report of a piped model and outputs the file' {
        $target = Join-Path $Scratch 'piped.html'

        $file = $Model | Export-KMeansReport -Path $target

        $file | Should -BeOfType System.IO.FileInfo
        $file.FullName | Should -Be $target
        $report = Read-Report $target
        Get-SeriesLength $report 'loss' | Should -Be $Model.History.Count
        Get-SeriesLength $report 'relative-change' | Should -Be $Model.History.Count
        Get-SeriesLength $report 'time' | Should -Be $Model.History.Count
        $text = $report.DocumentElement.InnerText
        $text | Should -Match ([regex]::Escape($Model.Loss.ToString('G6', [cultureinfo]::InvariantCulture)))
        $text | Should -Match "Seed\s*5"
        $text | Should -Match ([regex]::Escape("KMeans $($Model.ModuleVersion)"))
        $report.SelectNodes('//*[local-name()="script"]').Count | Should -Be 0
    }

    It 'takes the model by -InputObject and a path with brackets by -LiteralPath' {
        $target = Join-Path $Scratch 'run[1].html'

        $file = Export-KMeansReport -InputObject $Model -LiteralPath $target

        $file.Name | Should -Be 'run[1].html'
        Test-Path -LiteralPath $target | Should -BeTrue
    }

    It 'writes nothing with -WhatIf' {
        $target = Join-Path $Scratch 'whatif.html'

        $output = $Model | Export-KMeansReport -Path $target -WhatIf

        $output | Should -BeNullOrEmpty
        Test-Path -LiteralPath $target | Should -BeFalse
    }

    It 'refuses to replace a file without -Force, and leaves it as it was' {
        $target = Join-Path $Scratch 'existing.html'
        Set-Content -LiteralPath $target -Value 'keep me'

        { $Model | Export-KMeansReport -Path $target } |
            Should -Throw -ErrorId 'FileExists,KMeans.PowerShell.ExportKMeansReportCommand'
        $refusal = $null
        try { $Model | Export-KMeansReport -Path $target } catch { $refusal = $_ }
        $refusal.TargetObject | Should -Be $target
        $refusal.CategoryInfo.Category | Should -Be 'ResourceExists'

        Get-Content -Raw -LiteralPath $target | Should -Be "keep me$([Environment]::NewLine)"
        $Model | Export-KMeansReport -Path $target -Force | Should -Not -BeNullOrEmpty
        (Read-Report $target).DocumentElement.LocalName | Should -Be 'html'
        Get-ChildItem -LiteralPath $Scratch -Filter '*.tmp' -Force | Should -BeNullOrEmpty
    }

    It 'names a missing directory' {
        $target = Join-Path $Scratch 'missing/report.html'

        { $Model | Export-KMeansReport -Path $target } |
            Should -Throw -ErrorId 'FileNotFound,KMeans.PowerShell.ExportKMeansReportCommand'
    }

    It 'refuses a second model in one report' {
        { $Model, $Model | Export-KMeansReport -Path (Join-Path $Scratch 'two.html') } |
            Should -Throw -ErrorId 'SeveralModels,KMeans.PowerShell.ExportKMeansReportCommand'
        Test-Path -LiteralPath (Join-Path $Scratch 'two.html') | Should -BeFalse
    }

    It 'refuses the centroid objects of a training once, saying to pipe the model' {
        $centroids = $Vectors | Invoke-KMeansTraining -K 3 -Seed 1
        $target = Join-Path $Scratch 'centroids.html'
        # Every error lands in -ErrorVariable, the terminating one too; binding errors would be one per centroid.
        try { $centroids | Export-KMeansReport -Path $target -ErrorVariable problems } catch { $null = $_ }
        $problems.Count | Should -Be 1
        $record = if ($problems[0] -is [System.Management.Automation.ErrorRecord]) { $problems[0] } else { $problems[0].ErrorRecord }
        $record.FullyQualifiedErrorId | Should -Be 'NotAModel,KMeans.PowerShell.ExportKMeansReportCommand'
        $record.Exception.Message | Should -BeLike '*pipe Invoke-KMeansTraining -AsModel*'
        Test-Path -LiteralPath $target | Should -BeFalse
    }

    It 'shows one row per level of a hierarchical training' {
        $tree = $Vectors | Invoke-KMeansTraining -K 12 -Hierarchical On -HierarchicalK 3 -Seed 2 -AsModel
        $target = Join-Path $Scratch 'tree.html'

        $tree | Export-KMeansReport -Path $target | Out-Null

        $tree.Levels.Count | Should -BeGreaterOrEqual 2
        $rows = (Read-Report $target).SelectNodes('//*[local-name()="table" and @id="levels"]/*[local-name()="tbody"]/*[local-name()="tr"]')
        $rows.Count | Should -Be $tree.Levels.Count
    }
}

Describe 'The report of a balanced training' {
    It 'shows the size bounds the training enforced, as facts and as bound lines' {
        $balanced = $Vectors | Invoke-KMeansTraining -K 6 -Seed 3 -MaxSizeRatio 1.2 -MinSizeRatio 0.8 -AsModel
        $target = Join-Path $Scratch 'balanced.html'

        $balanced | Export-KMeansReport -Path $target | Out-Null

        # 600 rows in 6 partitions: at most floor(1.2 x 100) = 120, at least ceiling(0.8 x 100) = 80.
        $balanced.MaxPartitionSize | Should -Be 120
        $balanced.MinPartitionSize | Should -Be 80
        $report = Read-Report $target
        $text = $report.DocumentElement.InnerText
        $text | Should -Match 'Balancing: largest allowed\s*120'
        $text | Should -Match 'Balancing: smallest allowed\s*80'
        $text | Should -Match "Balancing: rows displaced\s*$($balanced.BalanceHistory[-1].Displaced)"
        $text | Should -Match "Balancing: sizes when assigned with the prices\s*$($balanced.PricedPartitionSizes.Min)–$($balanced.PricedPartitionSizes.Max)"
        @($report.SelectNodes('//*[local-name()="line" and contains(@class, "bound")]')).Count | Should -Be 4
    }

    It 'draws no bound without balancing' {
        $Model.MaxPartitionSize | Should -BeNullOrEmpty
        $target = Join-Path $Scratch 'unbalanced.html'
        $Model | Export-KMeansReport -Path $target | Out-Null
        @((Read-Report $target).SelectNodes('//*[local-name()="line" and contains(@class, "bound")]')).Count | Should -Be 0
        (Read-Report $target).DocumentElement.InnerText | Should -Not -Match 'Balancing:'
    }
}

Describe 'The model behind a report' {
    It 'records the settings and the provenance of its training' {
        $trained = $Vectors | Invoke-KMeansTraining -K 3 -Seed 5 -MaxIterations 40 -Tolerance 1e-3 -SampleRate 100 -Init KMeansPlusPlus -AsModel

        $trained.Tolerance | Should -Be 1e-3
        $trained.MaxIterations | Should -Be 40
        $trained.SampleRate | Should -Be 100
        $trained.Redos | Should -Be 1
        $trained.Initialization | Should -Be 'KMeansPlusPlus'
        $trained.Input | Should -Be 'the pipeline (600 vectors)'
        $trained.ModuleVersion | Should -Be (Get-Module KMeans).Version.ToString()
        $trained.Levels | Should -BeNullOrEmpty
    }

    It 'says when training started from given centroids, and shows tree levels as a table' {
        $resumed = $Vectors | Invoke-KMeansTraining -K 3 -InitialCentroid $Model -AsModel
        $tree = $Vectors | Invoke-KMeansTraining -K 12 -Hierarchical On -HierarchicalK 3 -Seed 2 -AsModel

        $resumed.Initialization | Should -Be 'InitialCentroid'
        $tree.Levels[0].Level | Should -Be 1
        $tree.Levels[0].Centroids | Should -Be 3
        $tree.Levels[0].Rows | Should -Be 600
        ($tree.Levels | Format-Table | Out-String) | Should -Match 'ConvergedNodes'
    }
}

Describe 'Invoke-KMeansTraining -ReportPath' {
    It 'writes the report after training and still outputs the centroids' {
        $target = Join-Path $Scratch 'trained.html'

        $centroids = $Vectors | Invoke-KMeansTraining -K 3 -Seed 5 -ReportPath $target

        $centroids.Count | Should -Be 3
        $report = Read-Report $target
        Get-SeriesLength $report 'loss' | Should -Be $Model.History.Count
        $report.DocumentElement.InnerText | Should -Match 'the pipeline \(600 vectors\)'
    }

    It 'records the input files of the model' {
        $data = Join-Path $Scratch 'blobs.npy'
        New-KMeansSampleData -Path $data -Rows 2000 -Dimension 8 -Clusters 4 -Seed 3 | Out-Null
        $target = Join-Path $Scratch 'files.html'

        $trained = Invoke-KMeansTraining -LiteralPath $data -K 4 -Seed 1 -AsModel -ReportPath $target

        $trained.Input | Should -Be @($data)
        (Read-Report $target).DocumentElement.InnerText | Should -Match ([regex]::Escape($data))
    }

    It 'keeps the training when the report cannot be written at its end, even under -ErrorAction Stop' {
        $target = Join-Path $Scratch 'raced.html'
        $centroidFile = Join-Path $Scratch 'raced.npy'
        # Another job writes the report while this training reads its input.
        $input = { foreach ($i in 0..599) { if ($i -eq 300) { Set-Content -LiteralPath $target -Value 'another job' }; , $Vectors[$i] } }

        $model = & $input | Invoke-KMeansTraining -K 3 -Seed 5 -ReportPath $target -AsModel -ErrorAction Stop -WarningVariable warnings 3>$null
        Remove-Item -LiteralPath $target
        & $input | Invoke-KMeansTraining -K 3 -Seed 5 -ReportPath $target -ErrorAction Stop 3>$null | Export-KMeansCentroid $centroidFile | Out-Null

        $model.Loss | Should -Be $Model.Loss
        Test-Path -LiteralPath $centroidFile | Should -BeTrue
        $warnings | Should -HaveCount 1
        "$warnings" | Should -Be "The training report was not written: The file '$target' already exists. Use -Force to replace it. The trained centroids are output all the same; with -AsModel, Export-KMeansReport writes the report from the model."
        Get-Content -Raw -LiteralPath $target | Should -Be "another job$([Environment]::NewLine)"
    }

    It 'neither trains nor writes under -WhatIf when the run would write files, and trains as usual when it would not' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $Scratch 'dry-run')
        $output = $Vectors | Invoke-KMeansTraining -K 3 -Seed 5 -ReportPath (Join-Path $folder 'r.html') -CheckpointPath (Join-Path $folder 's.kmc') -WhatIf
        $output | Should -BeNullOrEmpty
        Get-ChildItem -LiteralPath $folder -Force | Should -BeNullOrEmpty
        ($Vectors | Invoke-KMeansTraining -K 3 -Seed 5 -WhatIf).Vector | Should -Be $Model.Centroids.Vector
    }

    It 'dry-runs the ops pipeline of a training and its export under $WhatIfPreference, refusing what the real run would' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $Scratch 'dry-pipeline')
        & {
            $WhatIfPreference = $true
            $Vectors | Invoke-KMeansTraining -K 3 -Seed 5 -ReportPath (Join-Path $folder 'r.html') -ErrorAction Stop |
                Export-KMeansCentroid -Path (Join-Path $folder 'c.arrow') -ErrorAction Stop
        }
        Get-ChildItem -LiteralPath $folder -Force | Should -BeNullOrEmpty
        $checkpoint = Join-Path $folder 'kept.kmc'
        Set-Content -LiteralPath $checkpoint -Value 'kept'
        { $Vectors | Invoke-KMeansTraining -K 3 -CheckpointPath $checkpoint -WhatIf } |
            Should -Throw -ErrorId 'FileExists,KMeans.PowerShell.InvokeKMeansTrainingCommand'
    }

    It 'refuses an existing report before training unless -Force' {
        $target = Join-Path $Scratch 'ops.html'
        Set-Content -LiteralPath $target -Value 'previous run'

        { $Vectors | Invoke-KMeansTraining -K 3 -ReportPath $target } |
            Should -Throw -ErrorId 'FileExists,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        Get-Content -Raw -LiteralPath $target | Should -Be "previous run$([Environment]::NewLine)"

        $Vectors | Invoke-KMeansTraining -K 3 -ReportPath $target -Force | Should -HaveCount 3
        (Read-Report $target).DocumentElement.LocalName | Should -Be 'html'
    }
}
