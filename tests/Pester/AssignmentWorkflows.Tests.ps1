BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $script:First = Join-Path $Scratch 'first.npy'
    $script:Second = Join-Path $Scratch 'second.npy'
    $null = New-KMeansSampleData -Path $First -Rows 300 -Dimension 4 -Clusters 3 -Seed 1
    $null = New-KMeansSampleData -Path $Second -Rows 200 -Dimension 4 -Clusters 3 -Seed 2
    $script:Model = Invoke-KMeansTraining -Path $First -K 3 -Seed 1 -AsModel
    $script:Centroids = Join-Path $Scratch 'centroids.npy'
    $null = $Model | Export-KMeansCentroid -Path $Centroids
}

Describe 'Get-KMeansAssignment reads files named like the file cmdlets do' {
    It 'takes the data file at position 0' {
        $assignments = Get-KMeansAssignment $First -Centroid $Centroids
        $assignments.Index | Should -Be (0..299)
        ($assignments | Group-Object ClusterId | Sort-Object { [int]$_.Name } | ForEach-Object Count) |
            Should -Be ($Model.Centroids | ForEach-Object Size)
    }

    It 'caps -ThrottleLimit at the cores this process may use, as training does' {
        # Uncapped, int.MaxValue ran out of memory (a raw OutOfMemoryException) and 10,000,000 took a minute.
        $records = Get-KMeansAssignment $First -Centroid $Centroids -ThrottleLimit ([int]::MaxValue) -Verbose 4>&1
        $verbose = ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        "$verbose" | Should -BeLike "*on up to $([Environment]::ProcessorCount) threads.*"
        ($records | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).ClusterId |
            Should -Be (Get-KMeansAssignment $First -Centroid $Centroids).ClusterId
    }

    It 'refuses centroids piped as rows to assign against a file, where the one-liner bound the data file to -Centroid' {
        # Invoke-KMeansTraining ... | Get-KMeansAssignment data.npy assigned the 3 centroids to the file's 300 rows.
        $target = Join-Path $Scratch 'piped-centroids.parquet'
        $thrown = { Invoke-KMeansTraining -Path $First -K 3 -Seed 1 | Get-KMeansAssignment $First -OutFile $target } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'CentroidsAsInput,KMeans.PowerShell.GetKMeansAssignmentCommand'
        $thrown.Exception.Message | Should -BeLike "The pipeline delivered centroids (KMeansCentroid objects) as rows to assign, with the file '$First' as the centroids. To assign a file with these centroids, give them to -Centroid:*"
        Test-Path -LiteralPath $target | Should -BeFalse
        Get-ChildItem -LiteralPath $Scratch -Filter '*.tmp' -Force | Should -BeNullOrEmpty
        $thrown = { $Model | Get-KMeansAssignment -Centroid (Get-Item -LiteralPath $Centroids) -Summary } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'CentroidsAsInput,KMeans.PowerShell.GetKMeansAssignmentCommand'
        $thrown.Exception.Message | Should -BeLike "The pipeline delivered a model as rows to assign, with the file '$Centroids' as the centroids.*"
    }

    It 'assigns piped centroids as rows to centroid objects: a two-level mapping; a piped model is never a row' {
        $fine = Invoke-KMeansTraining -Path $First -K 6 -Seed 1 -AsModel
        $expected = $fine.Centroids | ForEach-Object { , $_.Vector } | Get-KMeansAssignment -Centroid $Model
        ($fine.Centroids | Get-KMeansAssignment -Centroid $Model).ClusterId | Should -Be $expected.ClusterId
        ($fine.Centroids | Get-KMeansAssignment -Centroid (Import-KMeansCentroid -LiteralPath $Centroids)).ClusterId | Should -Be $expected.ClusterId
        $thrown = { $fine | Get-KMeansAssignment -Centroid $Model } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'CentroidsAsInput,KMeans.PowerShell.GetKMeansAssignmentCommand'
        $thrown.Exception.Message | Should -Be 'The pipeline delivered a model as rows to assign. To assign a file with these centroids, give them to -Centroid: Get-KMeansAssignment data.npy -Centroid $centroids (or Get-KMeansAssignment data.npy centroids.arrow).'
    }

    It 'assigns piped FileInfo objects with indices counting across the files' {
        $assignments = Get-ChildItem -LiteralPath $First, $Second | Get-KMeansAssignment -Centroid $Centroids
        $assignments.Index | Should -Be (0..499)
        $alone = Get-KMeansAssignment -LiteralPath $Second -Centroid $Centroids
        $assignments[300..499].ClusterId | Should -Be $alone.ClusterId
    }

    It 'assigns piped path strings, expanding wildcards' {
        $assignments = (Join-Path $Scratch 'f*.npy'), $Second | Get-KMeansAssignment -Centroid $Centroids
        $assignments.Count | Should -Be 500
    }

    It 'still takes piped vectors by value, in order with piped files' {
        $vector = [float[]](0, 0, 0, 0)
        $assignments = & { , $vector; Get-Item -LiteralPath $Second; , $vector } | Get-KMeansAssignment -Centroid $Model
        $assignments.Index | Should -Be (0..201)
        $assignments[0].ClusterId | Should -Be $assignments[201].ClusterId
    }

    It 'takes objects that hold a vector and a FullName as vectors' {
        $item = [pscustomobject]@{ FullName = 'not a file'; Vector = [float[]](1, 2, 3, 4) }
        $assignment = $item | Get-KMeansAssignment -Centroid $Model
        $assignment.Index | Should -Be 0
    }
}
Describe 'Get-KMeansAssignment -OutFile' {
    BeforeAll {
        function Read-NpyLabel([string] $LiteralPath) {
            $bytes = [System.IO.File]::ReadAllBytes($LiteralPath)
            $headerLength = 10 + [System.BitConverter]::ToUInt16($bytes, 8)
            [pscustomobject]@{
                Header = [System.Text.Encoding]::Latin1.GetString($bytes, 10, $headerLength - 10)
                Labels = for ($at = $headerLength; $at -lt $bytes.Length; $at += 4) { [System.BitConverter]::ToInt32($bytes, $at) }
            }
        }
    }

    It 'writes one label per row of every input file into a .npy and outputs the file' {
        $target = Join-Path $Scratch 'labels.npy'
        $file = Get-KMeansAssignment -LiteralPath $First, $Second -Centroid $Centroids -OutFile $target
        $file | Should -BeOfType System.IO.FileInfo
        $file.FullName | Should -Be $target
        $written = Read-NpyLabel $target
        $written.Header | Should -Match "'descr': '<i4'.*'shape': \(500,\)"
        $written.Labels | Should -Be (Get-KMeansAssignment -LiteralPath $First, $Second -Centroid $Centroids).ClusterId
    }

    It 'outputs the summaries alone with -Summary, so that they format as one table, and still writes the file' {
        $target = Join-Path $Scratch 'summarised.npy'
        $output = @(Get-KMeansAssignment -LiteralPath $First, $Second -Centroid $Centroids -OutFile $target -Summary)
        $output | ForEach-Object { $_ | Should -BeOfType KMeans.PowerShell.KMeansAssignmentSummary }
        $output.ClusterId | Should -Be 0, 1, 2
        ($output | Measure-Object Count -Sum).Sum | Should -Be 500
        (Read-NpyLabel $target).Labels | Should -Be (Get-KMeansAssignment -LiteralPath $First, $Second -Centroid $Centroids).ClusterId
    }

    It 'keeps the places of a refused file''s rows, so the rows after it keep their indices' {
        $narrow = Join-Path $Scratch 'narrow.npy'
        $null = New-KMeansSampleData -Path $narrow -Rows 50 -Dimension 2 -Seed 3 -Force
        $target = Join-Path $Scratch 'with-refused.npy'
        $null = Get-KMeansAssignment -LiteralPath $First, $narrow, $Second -Centroid $Centroids -OutFile $target `
            -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.FullyQualifiedErrorId | Should -Be 'DimensionMismatch,KMeans.PowerShell.GetKMeansAssignmentCommand'
        $written = Read-NpyLabel $target
        $written.Header | Should -Match "'shape': \(550,\)"
        $alone = (Get-KMeansAssignment -LiteralPath $First, $Second -Centroid $Centroids).ClusterId
        $written.Labels | Should -Be ($alone[0..299] + @(-1) * 50 + $alone[300..499])
        $objects = Get-KMeansAssignment -LiteralPath $First, $narrow, $Second -Centroid $Centroids -ErrorAction SilentlyContinue
        $objects.Index | Should -Be (0..299 + 350..549)
    }

    It 'keeps the places of a file refused when opened, as many as its header declares' {
        # The same rows with the header saying big-endian: refused when opened, its header still giving 40 rows.
        $bigEndian = Join-Path $Scratch 'big-endian.npy'
        $null = New-KMeansSampleData -Path $bigEndian -Rows 40 -Dimension 4 -Seed 4 -Force
        $bytes = [System.IO.File]::ReadAllBytes($bigEndian)
        $header = [System.Text.Encoding]::Latin1.GetString($bytes, 0, 128)
        $at = $header.IndexOf('<f4')
        $at | Should -BeGreaterThan 0
        $bytes[$at] = [byte][char]'>'
        [System.IO.File]::WriteAllBytes($bigEndian, $bytes)
        $target = Join-Path $Scratch 'with-unopened.npy'
        $null = Get-KMeansAssignment -LiteralPath $First, $bigEndian, $Second -Centroid $Centroids -OutFile $target `
            -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.FullyQualifiedErrorId | Should -Be 'UnsupportedContent,KMeans.PowerShell.GetKMeansAssignmentCommand'
        $written = Read-NpyLabel $target
        $written.Header | Should -Match "'shape': \(540,\)"
        $alone = (Get-KMeansAssignment -LiteralPath $First, $Second -Centroid $Centroids).ClusterId
        $written.Labels | Should -Be ($alone[0..299] + @(-1) * 40 + $alone[300..499])
        $objects = Get-KMeansAssignment -LiteralPath $First, $bigEndian, $Second -Centroid $Centroids -ErrorAction SilentlyContinue
        $objects.Index | Should -Be (0..299 + 340..539)
    }

    It 'warns that a file whose row count cannot be read counts no rows, where an input follows and Index is seen' {
        $garbage = Join-Path $Scratch 'garbage.npy'
        [System.IO.File]::WriteAllBytes($garbage, [byte[]](1..100))
        $quiet = @{ ErrorAction = 'SilentlyContinue'; WarningAction = 'SilentlyContinue' }

        $objects = Get-KMeansAssignment -LiteralPath $First, $garbage, $Second -Centroid $Centroids -ErrorVariable problems -WarningVariable between @quiet
        $null = Get-KMeansAssignment -LiteralPath $First, $garbage -Centroid $Centroids -WarningVariable last @quiet
        $null = Get-KMeansAssignment -LiteralPath $First, $garbage, $Second -Centroid $Centroids -Summary -WarningVariable summarised @quiet

        $problems.Count | Should -Be 1
        "$between" | Should -Be "Index counts no rows for $garbage, whose row count cannot be read: the input after it, $Second, begins at Index 300."
        $objects.Index | Should -Be (0..499)
        $last | Should -BeNullOrEmpty
        $summarised | Should -BeNullOrEmpty
        $vector = [float[]](Import-KMeansCentroid -LiteralPath $Centroids)[0].Vector
        $then = @($garbage, $vector) | Get-KMeansAssignment -Centroid $Centroids -WarningVariable beforeVector @quiet
        "$beforeVector" | Should -Be "Index counts no rows for $garbage, whose row count cannot be read: the input after it, input item 0, begins at Index 0."
        $then.Index | Should -Be 0
        $afterStray = @($garbage, 'stray', $vector) | Get-KMeansAssignment -Centroid $Centroids -WarningVariable beforeStray @quiet
        "$beforeStray" | Should -Be "Index counts no rows for $garbage, whose row count cannot be read: the input after it, input item 0, begins at Index 0."
        $afterStray.Index | Should -Be 1
    }

    It 'writes the n nearest per row, nearest first, as the objects give them' {
        $target = Join-Path $Scratch 'top2.npy'
        $null = Get-KMeansAssignment $First -Centroid $Centroids -Count 2 -OutFile $target
        $objects = Get-KMeansAssignment $First -Centroid $Centroids -Count 2
        $objects[0].ClusterIds.Count | Should -Be 2
        $objects | ForEach-Object { $_.Distances[0] | Should -BeLessOrEqual $_.Distances[1] }
        $objects.ClusterId | Should -Be (Get-KMeansAssignment $First -Centroid $Centroids).ClusterId
        $written = Read-NpyLabel $target
        $written.Header | Should -Match "'shape': \(300, 2\)"
        $written.Labels | Should -Be ($objects | ForEach-Object { $_.ClusterIds })
    }

    It 'writes Arrow and Parquet files too (their columns are checked by the interop tests)' -ForEach @(
        @{ Name = 'labels.arrow'; Magic = 'ARROW1' }, @{ Name = 'labels.parquet'; Magic = 'PAR1' }
    ) {
        $file = Get-KMeansAssignment $First -Centroid $Centroids -OutFile (Join-Path $Scratch $Name)
        $bytes = [System.IO.File]::ReadAllBytes($file.FullName)
        [System.Text.Encoding]::ASCII.GetString($bytes, 0, $Magic.Length) | Should -Be $Magic
        [System.Text.Encoding]::ASCII.GetString($bytes, $bytes.Length - $Magic.Length, $Magic.Length) | Should -Be $Magic
    }

    It 'refuses the -Centroid file as -OutFile, even with -Force, and leaves it as it was' {
        $before = [System.IO.File]::ReadAllBytes($Centroids)
        { Get-KMeansAssignment $First -Centroid $Centroids -OutFile $Centroids -Force } |
            Should -Throw -ErrorId 'TargetIsInput,KMeans.PowerShell.GetKMeansAssignmentCommand'
        [System.IO.File]::ReadAllBytes($Centroids) | Should -Be $before
    }

    It 'refuses an existing file without -Force and replaces it with -Force' {
        $target = Join-Path $Scratch 'existing.npy'
        Set-Content -LiteralPath $target -Value 'old'
        { Get-KMeansAssignment $First -Centroid $Centroids -OutFile $target } |
            Should -Throw -ErrorId 'FileExists,KMeans.PowerShell.GetKMeansAssignmentCommand'
        Get-Content -LiteralPath $target | Should -Be 'old'
        $null = Get-KMeansAssignment $First -Centroid $Centroids -OutFile $target -Force
        (Read-NpyLabel $target).Labels.Count | Should -Be 300
    }

    It 'writes nothing with -WhatIf' {
        $target = Join-Path $Scratch 'whatif.parquet'
        Get-KMeansAssignment $First -Centroid $Centroids -OutFile $target -WhatIf | Should -BeNullOrEmpty
        Test-Path -LiteralPath $target | Should -BeFalse
    }

    It 'refuses an extension it cannot write' {
        { Get-KMeansAssignment $First -Centroid $Centroids -OutFile (Join-Path $Scratch 'labels.csv') } |
            Should -Throw -ErrorId 'UnsupportedFile,KMeans.PowerShell.GetKMeansAssignmentCommand'
    }

    It 'writes piped vectors too, with -1 for an item that is not a vector' {
        $target = Join-Path $Scratch 'piped.npy'
        $vector = [float[]](0, 0, 0, 0)
        $null = & { , $vector; [pscustomobject]@{ Name = 'no vector' }; , $vector } |
            Get-KMeansAssignment -Centroid $Model -OutFile $target -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Count | Should -Be 1
        $labels = (Read-NpyLabel $target).Labels
        $labels.Count | Should -Be 3
        $labels[1] | Should -Be -1
        $labels[0] | Should -Be $labels[2]
    }
}

Describe 'Get-KMeansAssignment -Count' {
    It 'refuses more nearest centroids than there are' {
        { Get-KMeansAssignment $First -Centroid $Centroids -Count 4 } |
            Should -Throw -ErrorId 'InvalidOption,KMeans.PowerShell.GetKMeansAssignmentCommand'
    }
}
Describe 'Invoke-KMeansTraining -MaxSizeRatio' {
    BeforeAll {
        # Three quarters of the rows in one tight blob: unbalanced k-means gives it one huge partition.
        $random = [System.Random]::new(3)
        $script:Skewed = foreach ($i in 0..1999) {
            $blob = ($i % 4) -ne 0
            , [float[]]@(foreach ($j in 0..3) { if ($blob) { 5 + $random.NextDouble() * 0.01 } else { $random.NextDouble() * 10 } })
        }
    }

    It 'bounds every partition and reports the sizes on the model' {
        $unbalanced = $Skewed | Invoke-KMeansTraining -K 10 -Seed 2 -AsModel
        $model = $Skewed | Invoke-KMeansTraining -K 10 -Seed 2 -MaxSizeRatio 1.5 -MinSizeRatio 0.5 -AsModel -WarningVariable warnings 3>$null
        $unbalanced.PartitionSizes.MaxOverMean | Should -BeGreaterThan 1.5
        $model.PartitionSizes.Max | Should -BeLessOrEqual 300
        $model.PartitionSizes.Min | Should -BeGreaterOrEqual 100
        ($model.Centroids | Measure-Object -Property Size -Maximum).Maximum | Should -Be $model.PartitionSizes.Max
        $model.BalanceHistory.Count | Should -BeGreaterThan 0
        $model.BalanceHistory[-1].Sizes.MaxOverMean | Should -Be $model.PartitionSizes.MaxOverMean
        $model.BalanceHistory[-1].Loss | Should -Be $model.Loss
        # The blob's rows lie within 0.01 of each other, and prices do not fill small partitions: assigning with the
        # prices breaks a bound that the model's own partitions keep, and the warning says which sizes each gives.
        ($model.PricedPartitionSizes.Min -lt 100 -or $model.PricedPartitionSizes.Max -gt 300) | Should -BeTrue
        @($warnings).Count | Should -Be 1
        $own = '{0:N0}–{1:N0}' -f $model.PartitionSizes.Min, $model.PartitionSizes.Max
        $priced = '{0:N0}–{1:N0}' -f $model.PricedPartitionSizes.Min, $model.PricedPartitionSizes.Max
        $warnings[0].Message | Should -BeLike "Balancing * of the 2,000 sample rows*gives partitions of $priced rows*the model's own partitions keep $own, within the bounds (100–300 rows)*"
    }

    It 'warns, with a maximum alone, when the prices leave partitions empty that balancing gave a row each' {
        # 10 distinct vectors twice each, K = 15: prices cannot split copies of a row, so 5 priced partitions stay empty.
        $rows = foreach ($copy in 1..2) { foreach ($i in 1..10) { , [float[]]@($i, (($i * $i) % 7), ($i % 3)) } }
        $model = $rows | Invoke-KMeansTraining -K 15 -Seed 1 -MaxSizeRatio 1 -AsModel -WarningVariable warnings 3>$null
        $model.PartitionSizes.Min | Should -Be 1
        $model.PricedPartitionSizes.Min | Should -Be 0
        ($rows | Get-KMeansAssignment -Centroid $model -Summary | Where-Object Count -eq 0).Count | Should -BeGreaterThan 0
        $message = @($warnings | Where-Object Message -like 'Balancing kept a row in every partition*')
        $message.Count | Should -Be 1
        $message[0].Message | Should -BeLike "Balancing kept a row in every partition, moving * of the 20 sample rows (* %) into partitions the prices leave empty*leaves partitions empty (partitions of 0–* rows), while the model's own partitions keep 1–*a lower -K*"
        $message[0].Message | Should -Not -BeLike '*-MinSizeRatio*'
    }

    It 'says, for a minimum alone, that prices do not fill small partitions, not to loosen a maximum never given' {
        $data = New-KMeansSampleData -Path (Join-Path $Scratch 'minimum.npy') -Rows 8000 -Dimension 24 -Clusters 30 -Seed 5
        $model = Invoke-KMeansTraining -LiteralPath $data.FullName -K 20 -Seed 3 -SampleRate 1000 -MinSizeRatio 0.9 -AsModel -WarningVariable warnings 3>$null
        $model.PartitionSizes.Min | Should -BeGreaterOrEqual 360
        $own = '{0:N0}–{1:N0}' -f $model.PartitionSizes.Min, $model.PartitionSizes.Max
        "$warnings" | Should -BeLike "Balancing moved * of the 8,000 sample rows * into partitions below the minimum, which prices cannot do:*the model's own partitions keep $own, within the bounds (at least 360 rows): -MinSizeRatio holds on the sample only*"
        "$warnings" | Should -Not -BeLike '*-MaxSizeRatio*'
    }

    It 'warns when holding the bound sends a far group of rows away from every centroid, and not without that group' {
        # Blobs 1e4 from the origin and 20 rows of zeros: the zeros' centroid went to split a crowded partition, and
        # their rows ended 2.8e4 from any centroid, the loss about 4.5e5 times the trained one, without a word. Held at
        # 1.01 times the mean, the two blobs that share a centroid have no neighbour with room, so that still happens
        # (at 1.2 the neighbours take their rows and the zeros keep their centroid).
        $random = [System.Random]::new(3)
        function Get-Gaussian { [Math]::Sqrt(-2 * [Math]::Log(1 - $random.NextDouble())) * [Math]::Cos(2 * [Math]::PI * $random.NextDouble()) }
        $centres = foreach ($c in 0..19) { , [double[]]@(foreach ($j in 0..7) { 1e4 + 3 * (Get-Gaussian) }) }
        $blobs = foreach ($i in 20..3999) { $centre = $centres[$i % 20]; , [float[]]@(foreach ($j in 0..7) { $centre[$j] + (Get-Gaussian) }) }
        $zeros = foreach ($i in 0..19) { , [float[]]::new(8) }

        $vectors = @($zeros) + @($blobs)

        $trained = $vectors | Invoke-KMeansTraining -K 20 -Seed 1 -AsModel
        $model = $vectors | Invoke-KMeansTraining -K 20 -Seed 1 -MaxSizeRatio 1.01 -AsModel -WarningVariable warnings 3>$null
        $model.Loss | Should -BeGreaterThan (100 * $trained.Loss)
        $fold = ($model.Loss / $trained.Loss).ToString('F1', [cultureinfo]::InvariantCulture)
        $to = $model.Loss.ToString('G6', [cultureinfo]::InvariantCulture)
        $raised = @($warnings | Where-Object { "$_" -like 'Balancing raised the loss*' })
        $raised.Count | Should -Be 1
        "$raised" | Should -BeLike "Balancing raised the loss $fold-fold, to ${to}: to hold the size bounds it sent rows far from every centroid*"

        $withoutZeros = $blobs | Invoke-KMeansTraining -K 20 -Seed 1 -MaxSizeRatio 1.01 -AsModel -WarningVariable quiet 3>$null
        $withoutZeros.Loss | Should -BeLessThan (2 * ($blobs | Invoke-KMeansTraining -K 20 -Seed 1 -AsModel).Loss)
        "$quiet" | Should -Not -BeLike '*raised the loss*'
    }

    It 'warns when holding the bound raises a loss of 0, rows that all sat on their centroids' {
        # 1,000 copies of one point and two groups of 10 copies of two others: trained, every row sits on its centroid;
        # held at 1.2 times the mean, most copies of the first point must go to the others' far centroids.
        $vectors = @(foreach ($i in 1..1000) { , [float[]](0, 0) }) + @(foreach ($i in 1..10) { , [float[]](50, 0) }) + @(foreach ($i in 1..10) { , [float[]](0, 50) })
        ($vectors | Invoke-KMeansTraining -K 3 -Seed 1 -AsModel).Loss | Should -Be 0
        $model = $vectors | Invoke-KMeansTraining -K 3 -Seed 1 -MaxSizeRatio 1.2 -AsModel -WarningVariable warnings 3>$null
        $model.Loss | Should -BeGreaterThan 0
        $to = $model.Loss.ToString('G6', [cultureinfo]::InvariantCulture)
        @($warnings | Where-Object { "$_" -like '*raised the loss*' }).Count | Should -Be 1
        "$warnings" | Should -BeLike "*Balancing raised the loss from 0 (every row on its centroid) to ${to}: to hold the size bounds*"
    }

    It 'gives the same centroids on disk and on one thread' {
        $inMemory = $Skewed | Invoke-KMeansTraining -K 10 -Seed 2 -MaxSizeRatio 1.2 3>$null
        $onDisk = $Skewed | Invoke-KMeansTraining -K 10 -Seed 2 -MaxSizeRatio 1.2 -OnDisk -ThrottleLimit 1 3>$null
        ($onDisk | ForEach-Object { $_.Vector }) | Should -Be ($inMemory | ForEach-Object { $_.Vector })
        ($onDisk | ForEach-Object Size) | Should -Be ($inMemory | ForEach-Object Size)
    }

    It 'refuses a ratio below 1' {
        { $Skewed | Invoke-KMeansTraining -K 10 -MaxSizeRatio 0.9 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,KMeans.PowerShell.InvokeKMeansTrainingCommand'
    }
}
Describe 'Partition prices of a balanced model' {
    BeforeAll {
        # Twelve clusters of unequal size in 4,000 rows: with -MaxSizeRatio 1.2 the model needs prices to stay balanced.
        $script:Mixture = Join-Path $Scratch 'mixture.npy'
        $null = New-KMeansSampleData -Path $Mixture -Rows 4000 -Dimension 8 -Clusters 12 -Seed 4
        $script:Balanced = Invoke-KMeansTraining -Path $Mixture -K 16 -Seed 7 -MaxSizeRatio 1.2 -AsModel
        function script:Get-Sizes($Summary) { $Summary | Sort-Object ClusterId | ForEach-Object Count }
        # Assigning the training file with the model's prices gives exactly the model's partitions, within its bound.
        function script:Assert-PricesPlaceEveryRow($Model, $Path) {
            $Model.BalanceHistory[-1].Displaced | Should -Be 0
            $sizes = Get-Sizes (Get-KMeansAssignment -Path $Path -Centroid $Model -Summary)
            $sizes | Should -Be ($Model.Centroids | ForEach-Object Size)
            ($sizes | Measure-Object -Maximum).Maximum | Should -BeLessOrEqual $Model.MaxPartitionSize
        }
    }

    It 'gives every row of the sample its balanced partition again when assigning with the model' {
        $Balanced.BalanceHistory[-1].Displaced | Should -Be 0
        $Balanced.Centroids.Price | Should -Not -Contain $null
        Get-Sizes (Get-KMeansAssignment -Path $Mixture -Centroid $Balanced -Summary) |
            Should -Be ($Balanced.Centroids | ForEach-Object Size)
    }

    It 'reaches the bound with prices alone on a small sample, whose full partitions trade rows for dozens of steps first' {
        $blobs = Join-Path $Scratch 'blobs.npy'
        $null = New-KMeansSampleData -Path $blobs -Rows 3000 -Dimension 16 -Clusters 5 -Seed 3
        $model = Invoke-KMeansTraining -Path $blobs -K 9 -Seed 2 -MaxSizeRatio 1.1 -SampleRate 100000 -AsModel -WarningVariable warnings
        $warnings | Should -BeNullOrEmpty
        $model.PricedPartitionSizes.Max | Should -Be $model.PartitionSizes.Max
        Assert-PricesPlaceEveryRow $model $blobs
    }

    It 'holds a tight bound with prices alone where full partitions surround dense clusters, without a warning' {
        # Before the shortest-path searches this case displaced 736 rows, and assigning the file with the model gave
        # partitions up to 1.30x the mean against a bound of 1.05x. A few rows within the kernel's rounding of a border
        # may stay displaced (on seeds 1 to 6: 0, 0, 7, 0, 0, 6; a partition 1 row beyond the bound).
        $blobs = Join-Path $Scratch 'tight-blobs.npy'
        $null = New-KMeansSampleData -Path $blobs -Rows 6000 -Dimension 24 -Clusters 7 -Seed 2
        $model = Invoke-KMeansTraining -Path $blobs -K 17 -Seed 1 -MaxSizeRatio 1.05 -SampleRate 100000 -AsModel -WarningVariable warnings
        $warnings | Should -BeNullOrEmpty
        $model.BalanceHistory[-1].Displaced | Should -BeLessOrEqual 8
        $sizes = Get-Sizes (Get-KMeansAssignment -Path $blobs -Centroid $model -Summary)
        ($sizes | Measure-Object -Maximum).Maximum | Should -Be $model.PricedPartitionSizes.Max
        ($sizes | Measure-Object -Minimum).Minimum | Should -Be $model.PricedPartitionSizes.Min
        $model.PricedPartitionSizes.MaxOverMean | Should -BeLessOrEqual 1.055
    }

    It 'says in -Verbose how many balance passes ran and what assignment with the prices gives' {
        $blobs = Join-Path $Scratch 'verbose-blobs.npy'
        $null = New-KMeansSampleData -Path $blobs -Rows 3000 -Dimension 16 -Clusters 5 -Seed 3
        $records = Invoke-KMeansTraining -Path $blobs -K 9 -Seed 2 -MaxSizeRatio 1.1 -SampleRate 100000 -AsModel -Verbose 4>&1
        $model = $records | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $messages = ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        $passes = $model.BalanceHistory.Count
        @($messages -like "Done in * and $passes balance passes, 3,000 sample rows, seed 2.") | Should -HaveCount 1
        @($messages -like "Balanced in $passes passes: partitions of $($model.PartitionSizes.Min)–$($model.PartitionSizes.Max) rows, 0 rows displaced; assigning the sample with the prices gives $($model.PricedPartitionSizes.Min)–$($model.PricedPartitionSizes.Max) rows*") |
            Should -HaveCount 1
    }

    It 'warns when the prices alone leave the sample well beyond the bound, with the sizes assignment gives' {
        # Under Dot distance centroids that share a direction differ only in norm, and prices place their rows poorly.
        $blobs = Join-Path $Scratch 'dot-blobs.npy'
        $null = New-KMeansSampleData -Path $blobs -Rows 6000 -Dimension 24 -Clusters 9 -Seed 5
        $model = Invoke-KMeansTraining -Path $blobs -K 40 -Distance Dot -Seed 1 -MaxSizeRatio 1.5 -SampleRate 100000 -AsModel -WarningVariable warnings 3>$null
        $sizes = Get-Sizes (Get-KMeansAssignment -Path $blobs -Centroid $model -Summary)
        $largest = ($sizes | Measure-Object -Maximum).Maximum
        $model.PartitionSizes.Max | Should -BeLessOrEqual $model.MaxPartitionSize
        $model.PricedPartitionSizes.Max | Should -Be $largest
        $model.PricedPartitionSizes.Min | Should -Be ($sizes | Measure-Object -Minimum).Minimum
        $largest | Should -BeGreaterThan (1.05 * $model.MaxPartitionSize)
        $ratio = $model.PricedPartitionSizes.MaxOverMean.ToString('F2', [cultureinfo]::InvariantCulture)
        @($warnings).Count | Should -Be 1
        $warnings[0].Message | Should -BeLike "Balancing displaced * of the 6,000 sample rows*gives partitions of *($ratio× the mean)*at most $($model.MaxPartitionSize) rows*"
    }

    It 'warns when assignment with the prices leaves partitions below -MinSizeRatio, which prices do not enforce' {
        $blobs = Join-Path $Scratch 'three-blobs.npy'
        $null = New-KMeansSampleData -Path $blobs -Rows 3001 -Dimension 4 -Clusters 3 -Seed 1
        $model = Invoke-KMeansTraining -Path $blobs -K 7 -Seed 1 -MinSizeRatio 0.99 -SampleRate 100000 -AsModel -WarningVariable warnings 3>$null
        $sizes = Get-Sizes (Get-KMeansAssignment -Path $blobs -Centroid $model -Summary)
        $model.PartitionSizes.Min | Should -BeGreaterOrEqual $model.MinPartitionSize
        $model.PricedPartitionSizes.Min | Should -Be ($sizes | Measure-Object -Minimum).Minimum
        $model.PricedPartitionSizes.Min | Should -BeLessThan (0.95 * $model.MinPartitionSize)
        @($warnings).Count | Should -Be 1
        $warnings[0].Message | Should -BeLike "*keep $($model.PartitionSizes.Min.ToString('N0'))–$($model.PartitionSizes.Max.ToString('N0')), within the bounds (at least $($model.MinPartitionSize) rows)*"
    }

    It 'assigns to the nearest centroid with -IgnorePrice, which breaks the bound here' {
        $nearest = Get-Sizes (Get-KMeansAssignment -Path $Mixture -Centroid $Balanced -Summary -IgnorePrice)
        ($nearest | Measure-Object -Maximum).Maximum | Should -BeGreaterThan $Balanced.MaxPartitionSize
    }

    It 'keeps the prices through .arrow and .json files and centroid objects' {
        foreach ($name in 'priced.arrow', 'priced.json') {
            $file = Join-Path $Scratch $name
            $Balanced | Export-KMeansCentroid -Path $file | Out-Null
            (Import-KMeansCentroid -Path $file).Price | Should -Be $Balanced.Centroids.Price
            Get-Sizes (Get-KMeansAssignment -Path $Mixture -Centroid $file -Summary) |
                Should -Be ($Balanced.Centroids | ForEach-Object Size)
        }
        $objects = Import-KMeansCentroid -Path (Join-Path $Scratch 'priced.arrow')
        Get-Sizes (Get-KMeansAssignment -Path $Mixture -Centroid $objects -Summary) |
            Should -Be ($Balanced.Centroids | ForEach-Object Size)
    }

    It 'warns when the format drops the prices, and the file then assigns by nearest centroid' {
        $file = Join-Path $Scratch 'unpriced.npy'
        $Balanced | Export-KMeansCentroid -Path $file -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
        "$warnings" | Should -Match 'does not record the partition prices'
        (Import-KMeansCentroid -Path $file).Price | Should -Be (@($null) * 16)
        Get-Sizes (Get-KMeansAssignment -Path $Mixture -Centroid $file -Summary) |
            Should -Be (Get-Sizes (Get-KMeansAssignment -Path $Mixture -Centroid $Balanced -Summary -IgnorePrice))
    }

    It 'warns when -Distance drops prices learned under another metric, from a model or from centroid objects' {
        $objects = Import-KMeansCentroid -Path (Join-Path $Scratch 'priced.arrow')
        foreach ($source in @{ Model = $Balanced }, @{ Objects = $objects }) {
            $file = Join-Path $Scratch 'recast.json'
            $exported = if ($source.Model) { $source.Model } else { $source.Objects }
            $exported | Export-KMeansCentroid -Path $file -Distance Cosine -Force -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
            "$warnings" | Should -BeLike "*recast.json' does not record the partition prices of these balanced centroids: they were learned under L2 distance, and under -Distance Cosine they mean nothing*"
            (Import-KMeansCentroid -Path $file).Price | Should -Be (@($null) * 16)
        }
        $Balanced | Export-KMeansCentroid -Path (Join-Path $Scratch 'same.json') -Distance L2 -Force -WarningVariable warnings | Out-Null
        $warnings | Should -BeNullOrEmpty
        (Import-KMeansCentroid -Path (Join-Path $Scratch 'same.json')).Price | Should -Be $Balanced.Centroids.Price
    }

    It 'does not warn for a model without prices' {
        $Model | Export-KMeansCentroid -Path (Join-Path $Scratch 'plain.npy') -WarningVariable warnings | Out-Null
        $warnings | Should -BeNullOrEmpty
        $Model.Centroids.Price | Should -Be (@($null) * 3)
    }
}
AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force
}
