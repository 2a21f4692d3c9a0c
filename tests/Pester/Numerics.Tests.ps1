BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')

    $script:Train = 'KMeans.PowerShell.InvokeKMeansTrainingCommand'
    $script:Assign = 'KMeans.PowerShell.GetKMeansAssignmentCommand'

    # Two blobs of 100 rows x 8 around +0.5 and -0.5 in every dimension (noise within +-0.4), times $Scale; even rows
    # belong to the positive blob.
    function New-ScaledBlob {
        param([float] $Scale)
        $random = [System.Random]::new(7)
        foreach ($row in 0..199) {
            $centre = if ($row % 2 -eq 0) { 0.5 } else { -0.5 }
            , [float[]](1..8 | ForEach-Object { ($centre + ($random.NextDouble() - 0.5) * 0.6) * $Scale })
        }
    }

    # A float32 (or with -Float64, float64) .npy file of the given rows (NPY format 1.0: magic, header length, a dict
    # padded to 64 bytes).
    function Write-NpyFile {
        param([string] $LiteralPath, [object[]] $Row, [switch] $Float64)
        $descr = if ($Float64) { '<f8' } else { '<f4' }
        $header = "{'descr': '$descr', 'fortran_order': False, 'shape': ($($Row.Count), $($Row[0].Count)), }"
        $header = $header.PadRight(64 * [math]::Ceiling(($header.Length + 11) / 64) - 11) + "`n"
        $stream = [System.IO.File]::Create($LiteralPath)
        try {
            $writer = [System.IO.BinaryWriter]::new($stream)
            $writer.Write([byte[]](0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0))
            $writer.Write([uint16]$header.Length)
            $writer.Write([System.Text.Encoding]::ASCII.GetBytes($header))
            foreach ($vector in $Row) {
                foreach ($value in $vector) { if ($Float64) { $writer.Write([double]$value) } else { $writer.Write([float]$value) } }
            }
            $writer.Flush()
        }
        finally {
            $stream.Dispose()
        }
    }
}

Describe 'Values whose squares overflow float' {
    It 'refuses the 1e20 blobs under L2 with ValueOutOfRange naming the file, row and column' {
        $path = Join-Path $Scratch 'blobs-1e20.npy'
        Write-NpyFile -LiteralPath $path -Row @(New-ScaledBlob -Scale 1e20)

        $failure = { Invoke-KMeansTraining -LiteralPath $path -K 2 -Seed 1 } | Should -Throw -ErrorId "ValueOutOfRange,$Train" -PassThru

        $failure.CategoryInfo.Category | Should -Be 'InvalidData'
        $failure.Exception.Message | Should -Match "^Row 0 of .*blobs-1e20\.npy holds .* at column 0; under L2 distance values of 8-dimensional vectors must lie within ±2\.31E\+18"
    }

    It 'reports each 1e20 row of a file given to Get-KMeansAssignment under L2 by file, row and column, and goes on' {
        $path = Join-Path $Scratch 'assign-1e20.npy'
        $rows = @(New-ScaledBlob -Scale 1e20)
        $rows[5] = [float[]](@(0.5) * 8)
        Write-NpyFile -LiteralPath $path -Row $rows
        $centroids = @(, [float[]](@(0.5) * 8)) + @(, [float[]](@(-0.5) * 8))

        $assigned = Get-KMeansAssignment -LiteralPath $path -Centroid $centroids -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems.Count | Should -Be 199
        $problems[0].FullyQualifiedErrorId | Should -Be "ValueOutOfRange,$Assign"
        $problems[0].Exception.Message | Should -Match '^Row 0 of .*assign-1e20\.npy \(Index 0\) holds .* at column 0; under L2 distance'
        @($assigned).Count | Should -Be 1
        $assigned.Index | Should -Be 5
        $assigned.Distance | Should -Be 0
    }

    It 'trains the 1e20 blobs under Cosine to the two blobs with a finite loss' {
        $model = New-ScaledBlob -Scale 1e20 | Invoke-KMeansTraining -K 2 -Seed 1 -Distance Cosine -AsModel

        [double]::IsFinite($model.Loss) | Should -BeTrue
        $model.Centroids.Size | Sort-Object | Should -Be @(100, 100)
        $model.Centroids.Vector | ForEach-Object { [math]::Abs($_) } | Should -BeLessThan 1
    }

    It 'under <Distance> at <Scale>: training and assignment are exact (Cosine) or refused (L2, Dot)' -ForEach @(
        foreach ($distance in 'L2', 'Cosine', 'Dot') { foreach ($scale in 1e19, 1e30, 3e38) { @{ Distance = $distance; Scale = $scale } } }
    ) {
        $rows = @(New-ScaledBlob -Scale $Scale)
        $centroids = @(, [float[]](@(0.5 * $Scale) * 8)) + @(, [float[]](@(-0.5 * $Scale) * 8))
        if ($Distance -eq 'Cosine') {
            $model = $rows | Invoke-KMeansTraining -K 2 -Seed 1 -Distance Cosine -AsModel
            [double]::IsFinite($model.Loss) | Should -BeTrue
            $model.Centroids.Size | Sort-Object | Should -Be @(100, 100)

            $assigned = $rows | Get-KMeansAssignment -Centroid $centroids -Distance Cosine
            $assigned.ClusterId | Should -Be @(0..199 | ForEach-Object { $_ % 2 })
            $assigned.Distance | ForEach-Object { [double]::IsFinite($_) | Should -BeTrue; $_ | Should -BeLessThan 0.2 }
            return
        }
        { $rows | Invoke-KMeansTraining -K 2 -Seed 1 -Distance $Distance } | Should -Throw -ErrorId "ValueOutOfRange,$Train"
        { $rows[0] | Get-KMeansAssignment -Centroid $centroids -Distance $Distance } | Should -Throw -ErrorId "ValueOutOfRange,$Assign"

        $ordinary = @(, [float[]](@(0.5) * 8)) + @(, [float[]](@(-0.5) * 8))
        $assigned = $rows | Get-KMeansAssignment -Centroid $ordinary -Distance $Distance -ErrorVariable problems -ErrorAction SilentlyContinue
        $assigned | Should -BeNullOrEmpty
        $problems.Count | Should -Be 200
        $problems[3].FullyQualifiedErrorId | Should -Be "ValueOutOfRange,$Assign"
        $problems[3].Exception.Message | Should -Match '^Input item 3 holds .* at column 0; under'
    }

    It 'calls tiny non-zero vectors under Cosine directions, not the zero vector' {
        $model = New-ScaledBlob -Scale 1e-30 | Invoke-KMeansTraining -K 2 -Seed 1 -Distance Cosine -AsModel
        $model.Centroids.Size | Sort-Object | Should -Be @(100, 100)
    }
}

Describe 'Centroids are checked before they are used' {
    It 'refuses a centroid holding <Value> given to Get-KMeansAssignment as <Form>' -ForEach @(
        foreach ($value in [float]::NaN, [float]::PositiveInfinity, [float]::NegativeInfinity) {
            @{ Value = $value; Form = 'float[]' }
            @{ Value = $value; Form = 'an object' }
        }
    ) {
        $bad = [float[]](1, $Value, 3)
        $centroids = if ($Form -eq 'float[]') { @(, [float[]](0, 0, 0)) + @(, $bad) } else { @([pscustomobject]@{ Vector = [float[]](0, 0, 0) }, [pscustomobject]@{ Vector = $bad }) }

        $failure = { , [float[]](1, 2, 3) | Get-KMeansAssignment -Centroid $centroids } | Should -Throw -ErrorId "NonFiniteValue,$Assign" -PassThru

        $failure.Exception.Message | Should -BeLike "Centroid 1 holds $Value at column 1; values must be finite*"
        $failure.CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'refuses the zero vector as a centroid under Cosine, but not a tiny one' {
        { , [float[]](1, 2) | Get-KMeansAssignment -Centroid @(, [float[]](0, 0)) -Distance Cosine } | Should -Throw -ErrorId "ZeroVector,$Assign"
        (, [float[]](1, 2) | Get-KMeansAssignment -Centroid @(, [float[]](1e-30, 0)) -Distance Cosine).ClusterId | Should -Be 0
    }

    It 'refuses a NaN initial centroid with NonFiniteValue' {
        $rows = New-ScaledBlob -Scale 1
        $initial = @(, [float[]](@(1) * 8)) + @(, [float[]](@([float]::NaN) * 8))
        { $rows | Invoke-KMeansTraining -K 2 -InitialCentroid $initial } | Should -Throw -ErrorId "NonFiniteValue,$Train"
    }
}

Describe 'Degenerate data' {
    It 'warns when the sample holds fewer distinct rows than K, and gives the row itself as the centroid at loss 0' {
        $row = [float[]](0.25, -1.5, 3, 0.125)
        $model = 1..200 | ForEach-Object { , $row } | Invoke-KMeansTraining -K 4 -Seed 1 -AsModel -WarningVariable warnings -WarningAction SilentlyContinue

        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -BeLike 'The training sample holds only 1 distinct row, fewer than K = 4*the 3 empty clusters (1, 2, 3)*'
        $model.Centroids.Size | Should -Be @(200, 0, 0, 0)
        $model.Loss | Should -Be 0
        foreach ($centroid in $model.Centroids) { $centroid.Vector | Should -Be $row }
    }

    It 'says, after balancing, that the centroids share the few distinct rows instead of naming empty clusters' {
        $rows = foreach ($i in 0..599) { , [float[]]@((($i % 3) * 10), 1, 2, 3) }
        $model = $rows | Invoke-KMeansTraining -K 10 -Seed 1 -MaxSizeRatio 1.5 -AsModel -WarningVariable warnings -WarningAction SilentlyContinue

        $model.PartitionSizes.Min | Should -BeGreaterThan 0
        $model.PartitionSizes.Max | Should -BeLessOrEqual $model.MaxPartitionSize
        @($warnings.Message) -like 'The training sample holds only 3 distinct rows, fewer than K = 10, so several centroids share the same rows*' |
            Should -HaveCount 1
        @($warnings.Message) -like '*empty clusters*' | Should -HaveCount 0
    }

    It 'gives 200 zero rows centroids of exactly 0 and a loss of 0' {
        $model = 1..200 | ForEach-Object { , [float[]]::new(8) } | Invoke-KMeansTraining -K 4 -Seed 1 -AsModel -WarningAction SilentlyContinue

        $model.Loss | Should -Be 0
        $model.Centroids.Vector | Should -Be (@(0) * 32)
        $model.Converged | Should -BeTrue
        $model.Iterations | Should -Be 1
    }

    It 'does not warn when there are K distinct rows' {
        $null = New-ScaledBlob -Scale 1 | Invoke-KMeansTraining -K 2 -Seed 1 -WarningVariable warnings
        $warnings | Should -BeNullOrEmpty
    }

    It 'does not call a run that repairs empty clusters every iteration converged, and warns of the empty ones under Dot' {
        # Under Dot distance every row goes to the centroid of largest x: the other one is repaired and empty again.
        $rows = 1..100 | ForEach-Object { , [float[]]@($_, 0) }
        $model = $rows | Invoke-KMeansTraining -K 2 -Distance Dot -Seed 1 -MaxIterations 12 -AsModel -WarningVariable warnings -WarningAction SilentlyContinue
        $model.Converged | Should -BeFalse
        $model.Iterations | Should -Be 12
        $model.History.RepairedClusters | Should -Be (@(1) * 12)
        $warnings | Should -HaveCount 1
        $warnings[0].Message | Should -BeLike '1 of K = 2 clusters are empty after training (*): *normalise the vectors and use -Distance Cosine*'
    }

    It 'reports at most -MaxIterations and Converged at loss 0 for a hierarchical run with K equal to the rows' {
        $random = [System.Random]::new(3)
        $rows = 1..300 | ForEach-Object { , [float[]](1..4 | ForEach-Object { $random.NextDouble() }) }

        $model = $rows | Invoke-KMeansTraining -K 300 -Seed 1 -SampleRate 1 -MaxIterations 1 -Hierarchical On -HierarchicalK 4 -AsModel

        $model.Iterations | Should -Be 1
        $model.Loss | Should -Be 0
        $model.Converged | Should -BeTrue
    }
}

Describe 'Threads and messages' {
    It 'caps -ThrottleLimit at the cores the process may use, with the same result' {
        $rows = @(New-ScaledBlob -Scale 1)
        $many = $rows | Invoke-KMeansTraining -K 2 -Seed 1 -ThrottleLimit 1000 -AsModel -Verbose 4>&1
        $one = $rows | Invoke-KMeansTraining -K 2 -Seed 1 -ThrottleLimit 1 -AsModel

        @($many | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Training K = *' })[0].Message |
            Should -BeLike "*, $([Environment]::ProcessorCount) threads."
        ($many | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Centroids.Vector | Should -Be $one.Centroids.Vector
    }

    It 'says -K, without .NET parameter text, when K is below 1' {
        $failure = { New-ScaledBlob -Scale 1 | Invoke-KMeansTraining -K 0 } | Should -Throw -ErrorId "InvalidK,$Train" -PassThru
        $failure.Exception.Message | Should -Be '-K must be at least 1, but was 0.'
    }

    It 'counts initial centroids without naming an internal property' {
        $initial = @(, [float[]](@(1) * 8)) + @(, [float[]](@(2) * 8))
        $failure = { New-ScaledBlob -Scale 1 | Invoke-KMeansTraining -K 3 -InitialCentroid $initial } |
            Should -Throw -ErrorId "InitialCentroidShape,$Train" -PassThru
        $failure.Exception.Message | Should -Be '2 initial centroids were given, but K is 3: give exactly K.'
    }

    It 'names the -InitialCentroid file whose centroids have another dimension than the vectors' {
        $rows = Join-Path $Scratch 'eight-dimensions.npy'
        Write-NpyFile -LiteralPath $rows -Row @(New-ScaledBlob -Scale 1)
        $wide = Join-Path $Scratch 'nine-dimensions.npy'
        Write-NpyFile -LiteralPath $wide -Row @([float[]](@(1) * 9), [float[]](@(2) * 9))

        $fromFile = { Invoke-KMeansTraining -LiteralPath $rows -K 2 -InitialCentroid $wide } | Should -Throw -ErrorId "InitialCentroidShape,$Train" -PassThru
        $fromObjects = { Invoke-KMeansTraining -LiteralPath $rows -K 2 -InitialCentroid (Import-KMeansCentroid -LiteralPath $wide) } |
            Should -Throw -ErrorId "InitialCentroidShape,$Train" -PassThru

        $fromFile.Exception.Message | Should -Be "Initial centroid 0 has 9 values, but the vectors have 8 dimensions (-InitialCentroid '$wide')."
        $fromObjects.Exception.Message | Should -Be 'Initial centroid 0 has 9 values, but the vectors have 8 dimensions.'
    }
}

Describe 'ErrorId documentation' {
    BeforeAll {
        $about = Get-Content -Raw -LiteralPath (Join-Path $RepositoryRoot 'module/en-US/about_KMeans.help.txt')
        $section = [regex]::Match($about, '(?ms)^ERRORS\r?\n(.*?)^EXAMPLES').Groups[1].Value
        $script:Documented = @{}
        foreach ($match in [regex]::Matches($section, '(?m)^ {8}(\w+) \((\w+)\)\r?$')) {
            $Documented[$match.Groups[1].Value] = $match.Groups[2].Value
        }
        # Every ErrorRecord is built with a literal ErrorId followed by its category, in KMeansErrors.cs (which also maps
        # every KMeansErrorKind) or directly in a cmdlet.
        $script:Raised = @{}
        foreach ($file in Get-ChildItem -LiteralPath (Join-Path $RepositoryRoot 'src/KMeans.PowerShell') -Recurse -Filter '*.cs' |
                Where-Object FullName -NotMatch '[\\/](bin|obj)[\\/]') {
            foreach ($match in [regex]::Matches((Get-Content -Raw -LiteralPath $file.FullName), '"(\w+)",\s*ErrorCategory\.(\w+)')) {
                $Raised["$($match.Groups[1].Value) ($($match.Groups[2].Value))"] = $file.Name
            }
        }
    }

    It 'finds the ErrorIds in the sources and in about_KMeans' {
        $Raised.Count | Should -BeGreaterThan 20
        $Documented.Count | Should -BeGreaterThan 20
        $Raised.Keys | Should -Contain 'InvalidK (InvalidArgument)'
        $Raised.Keys | Should -Contain 'FileNotWritable (WriteError)'
    }

    It 'documents every ErrorId the code raises, with its category' {
        $undocumented = $Raised.Keys | Where-Object { $_ -match '^(\w+) \((\w+)\)$' -and $Documented[$Matches[1]] -ne $Matches[2] } |
            ForEach-Object { "$_ from $($Raised[$_])" }
        $undocumented | Should -BeNullOrEmpty
    }

    It 'documents no ErrorId that the code does not raise' {
        $raisedIds = $Raised.Keys | ForEach-Object { ($_ -split ' ')[0] }
        $Documented.Keys | Where-Object { $_ -notin $raisedIds } | Should -BeNullOrEmpty
    }

    It 'maps every KMeansErrorKind to an ErrorId' {
        $kinds = [regex]::Matches((Get-Content -Raw -LiteralPath (Join-Path $RepositoryRoot 'src/KMeans.Core/KMeansErrorKind.cs')), '(?m)^\s+(\w+),\s*$') |
            ForEach-Object { $_.Groups[1].Value }
        $mapping = Get-Content -Raw -LiteralPath (Join-Path $RepositoryRoot 'src/KMeans.PowerShell/Errors/KMeansErrors.cs')
        $kinds.Count | Should -BeGreaterThan 15
        $kinds | Where-Object { $mapping -notmatch "KMeansErrorKind\.$_ => \(`"\w+`", ErrorCategory\.\w+\)" } | Should -BeNullOrEmpty
    }
}

Describe 'A dimension whose range dwarfs the gaps between neighbouring rows' {
    BeforeAll {
        # 2,000 rows of 32 standard normal values, the first replaced by a sorted draw from 0-19,999: squared norms
        # reach 4e8, so float32 scores are off by tens while neighbours' squared distances differ by tens too.
        $random = [System.Random]::new(11)
        $first = 0..19999 | Sort-Object { $random.Next() } | Select-Object -First 2000 | Sort-Object
        $script:Rows = foreach ($value in $first) {
            $row = [float[]]::new(32)
            $row[0] = $value
            foreach ($j in 1..31) {
                $row[$j] = [math]::Sqrt(-2 * [math]::Log(1 - $random.NextDouble())) * [math]::Cos(2 * [math]::PI * $random.NextDouble())
            }
            , $row
        }
        $script:RowFile = Join-Path $Scratch 'row-numbers.npy'
        Write-NpyFile -LiteralPath $RowFile -Row $Rows
    }

    It 'assigns every row to its own copy among the centroids, first in its -Count 2 list' {
        $assigned = Get-KMeansAssignment -LiteralPath $RowFile -Centroid $RowFile -Count 2

        $assigned.Count | Should -Be 2000
        @($assigned | Where-Object { $_.ClusterId -ne $_.Index }).Count | Should -Be 0
        $assigned.Distance | Sort-Object -Unique | Should -Be 0
        (Get-KMeansAssignment -LiteralPath $RowFile -Centroid $RowFile).ClusterId | Should -Be (0..1999)
    }

    It 'orders -Count 3 lists by exact distance where float32 scores cannot tell the second from the third' {
        # Centroids 6 and 7 sit either side of the axis 60 beyond centroid 5, 2e4 out along a dimension the others
        # spread over: scores of about 1e8 round to multiples of 8, while a row's distances to 6 and 7 differ by 4 times
        # its y (0.04 to 0.4). Its nearest, 5, is far clearer than float32's rounding; the order after it is not.
        $centroids = @(0, 1e3, 2e3, 3e3, 1e4, 2e4) | ForEach-Object { , [float[]]($_, 0, 0) }
        $centroids += @(, [float[]](20060, 1, 0)) + @(, [float[]](20060, -1, 0))
        $ys = 1..40 | ForEach-Object { ($_ % 10 + 1) * 0.01 * ($(if ($_ % 2) { 1 } else { -1 })) }
        $rows = $ys | ForEach-Object { , [float[]](20000.5, $_, 0) }

        $lists = $rows | Get-KMeansAssignment -Centroid $centroids -Count 3

        $lists.ClusterId | Sort-Object -Unique | Should -Be 5
        $lists | ForEach-Object { $_.ClusterIds[1] } | Should -Be ($ys | ForEach-Object { if ($_ -gt 0) { 6 } else { 7 } })
        @($lists | Where-Object { $_.Distances[1] -gt $_.Distances[2] }).Count | Should -Be 0
    }

    It 'trains from the rows themselves to a loss of 0, one row per cluster' {
        $model = Invoke-KMeansTraining -LiteralPath $RowFile -K 2000 -InitialCentroid $RowFile -MaxIterations 1 -Tolerance 0 -Hierarchical Off -AsModel

        $model.Loss | Should -Be 0
        $model.Centroids.Size | Sort-Object -Unique | Should -Be 1
    }
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Float64 values that float32 cannot tell apart' {
    BeforeAll {
        # Two blobs 3 apart (noise within +-0.1) in 4 float64 dimensions, at 1e8 where float32 spaces values 8 apart,
        # and the same rows at 0.
        $random = [System.Random]::new(11)
        $script:Far = foreach ($row in 0..199) {
            $centre = if ($row % 2 -eq 0) { 1.5 } else { -1.5 }
            , [double[]](1..4 | ForEach-Object { 1e8 + $centre + ($random.NextDouble() - 0.5) * 0.2 })
        }
        $script:FarFile = Join-Path $Scratch 'far-float64.npy'
        Write-NpyFile -LiteralPath $FarFile -Row $Far -Float64
        $script:NearFile = Join-Path $Scratch 'near-float64.npy'
        Write-NpyFile -LiteralPath $NearFile -Row @($Far | ForEach-Object { , [double[]]($_ | ForEach-Object { $_ - 1e8 }) }) -Float64
        $script:Blurred = "far-float64\.npy holds float64 values, read as float32 \(the precision the module computes in\): the values of column \d span [\d.]+ from 1E\+08, and float32 moves them by up to [\d.]+, \d+ % of that span \(and 3 other columns\), so rows that differ there train and assign as if equal\. Subtract a common offset"
    }

    It 'training says which column float32 blurred, before the warning that the rows read as one' {
        $model = Invoke-KMeansTraining -LiteralPath $FarFile -K 2 -Seed 1 -AsModel -WarningVariable warnings -WarningAction SilentlyContinue

        $model.Loss | Should -Be 0
        $warnings.Count | Should -Be 2
        $warnings[0].Message | Should -Match $Blurred
        $warnings[1].Message | Should -Match 'only 1 distinct row'
    }

    It 'assignment of the file says so too' {
        $centroids = @(, [float[]](@(1.5) * 4)) + @(, [float[]](@(-1.5) * 4))

        $summary = Get-KMeansAssignment -LiteralPath $FarFile -Centroid $centroids -Summary -WarningVariable warnings -WarningAction SilentlyContinue

        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -Match $Blurred
        ($summary | Measure-Object -Property Count -Sum).Sum | Should -Be 200
    }

    It 'under Cosine, a row of float64 values too small for float32 is refused as read, saying why it is zero' {
        $tiny = Join-Path $Scratch 'tiny-row-float64.npy'
        $rows = @($Far | ForEach-Object { , [double[]]($_ | ForEach-Object { $_ - 1e8 }) })
        $rows[9] = [double[]](@(1e-50) * 4)
        Write-NpyFile -LiteralPath $tiny -Row $rows -Float64

        $failure = { Invoke-KMeansTraining -LiteralPath $tiny -K 2 -Seed 1 -Distance Cosine } | Should -Throw -ErrorId "ZeroVector,$Train" -PassThru

        $failure.Exception.Message | Should -Be "Row 9 of $tiny is the zero vector (every value is 0 as read in float32, where float64 values of magnitude 2^-150 (7.006E-46) or less become 0), which has no direction under Cosine distance."
    }

    It 'piped double[] vectors get the same check, as pipeline input, in training and assignment' {
        $centroids = @(, [float[]](@(1.5) * 4)) + @(, [float[]](@(-1.5) * 4))
        $near = @($Far | ForEach-Object { , [double[]]($_ | ForEach-Object { $_ - 1e8 }) })

        $model = $Far | Invoke-KMeansTraining -K 2 -Seed 1 -AsModel -WarningVariable trained -WarningAction SilentlyContinue
        $null = $Far | Get-KMeansAssignment -Centroid $centroids -Summary -WarningVariable assigned -WarningAction SilentlyContinue
        $null = $near | Invoke-KMeansTraining -K 2 -Seed 1 -WarningVariable nearTrained -WarningAction SilentlyContinue
        $null = $near | Get-KMeansAssignment -Centroid $centroids -WarningVariable nearAssigned -WarningAction SilentlyContinue

        $pipelineBlur = $Blurred -replace '^far-float64\\\.npy holds float64 values', 'pipeline input holds float64 or whole-number values'
        $trained[0].Message | Should -Match "^$pipelineBlur"
        $model.Loss | Should -Be 0
        $assigned.Count | Should -Be 1
        $assigned[0].Message | Should -Match "^$pipelineBlur"
        $nearTrained | Should -BeNullOrEmpty
        $nearAssigned | Should -BeNullOrEmpty
    }

    It 'whole numbers piped among doubles count too: JSON integers at 1e8 are blurred, an integer column sets the scale' {
        $json = '[' + ((0..99 | ForEach-Object { "[$(100000000 + 3 * ($_ % 2)), $(100000000 + 3 * ($_ % 2)), 0.5]" }) -join ',') + ']'
        # Column 1's doubles move by up to 6e-8 in float32, 0.3 % of their own span, but nothing beside column 0's 199.
        $scaled = 0..199 | ForEach-Object { , @($_, (1 + $_ * 1e-7)) }

        $null = $json | ConvertFrom-Json | Invoke-KMeansTraining -K 2 -Seed 1 -WarningVariable integers -WarningAction SilentlyContinue
        $null = $scaled | Invoke-KMeansTraining -K 2 -Seed 1 -WarningVariable mixed -WarningAction SilentlyContinue

        $integers[0].Message | Should -Match '^pipeline input holds float64 or whole-number values, read as float32 \(the precision the module computes in\): the values of column 0 span 3 from 1E\+08, and float32 moves them by up to 3, 100 % of that span \(and 1 other column\)'
        $mixed | Should -BeNullOrEmpty
    }

    It 'the same rows near 0 train to the two blobs without a word' {
        $model = Invoke-KMeansTraining -LiteralPath $NearFile -K 2 -Seed 1 -AsModel -WarningVariable warnings -WarningAction SilentlyContinue

        $warnings.Count | Should -Be 0
        $model.Centroids.Size | Should -Be @(100, 100)
    }
}
