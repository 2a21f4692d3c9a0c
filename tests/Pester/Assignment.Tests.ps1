#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Get-KMeansAssignment as scripts use it: assignments joined back to the input rows, summaries per cluster.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    . (Join-Path $PSScriptRoot 'TestVectors.ps1')
    $script:Vectors = New-BlobVector
    $script:Model = $Vectors | Invoke-KMeansTraining -K 3 -Seed 5 -AsModel
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Assigning piped vectors' {
    It 'assigns every vector, in input order' {
        $assignments = $Vectors | Get-KMeansAssignment -Centroid $Model
        $assignments | Should -HaveCount 600
        $assignments.Index | Should -Be (0..599)
    }

    It 'joins back to the input rows by Index, each row to its nearest centroid at its squared L2 distance' {
        $rows = for ($i = 0; $i -lt 30; $i++) { [pscustomobject]@{ Id = "doc-$i"; Vector = $Vectors[$i] } }
        $assignments = $rows | Get-KMeansAssignment -Centroid $Model
        $joined = foreach ($assignment in $assignments) {
            $row = $rows[$assignment.Index]
            [pscustomobject]@{ Id = $row.Id; Vector = $row.Vector; ClusterId = $assignment.ClusterId; Distance = $assignment.Distance }
        }
        $joined.Id | Should -Be ($rows.Id)
        foreach ($row in $joined) {
            $squared = foreach ($centroid in $Model.Centroids) {
                $sum = 0.0
                for ($d = 0; $d -lt 4; $d++) { $sum += [math]::Pow($row.Vector[$d] - $centroid.Vector[$d], 2) }
                $sum
            }
            $nearest = [array]::IndexOf($squared, ($squared | Measure-Object -Minimum).Minimum)
            $row.ClusterId | Should -Be $nearest
            $row.Distance | Should -BeGreaterOrEqual 0
            [math]::Abs($row.Distance - $squared[$nearest]) | Should -BeLessThan (1e-4 * [math]::Max(1, $squared[$nearest]))
        }
    }

    It 'puts every vector of a blob in the cluster of that blob' {
        $assignments = $Vectors | Get-KMeansAssignment -Centroid $Model
        for ($blob = 0; $blob -lt 3; $blob++) {
            $clusters = for ($i = $blob; $i -lt 600; $i += 3) { $assignments[$i].ClusterId }
            $clusters | Sort-Object -Unique | Should -HaveCount 1
        }
    }

    It 'sums up per cluster with -Summary, matching the training sizes' {
        $summary = $Vectors | Get-KMeansAssignment -Centroid $Model -Summary
        $summary.ClusterId | Should -Be 0, 1, 2
        # ForEach-Object, because .Count on an array is the array's length, not the summaries' Count property.
        $summary | ForEach-Object Count | Should -Be ($Model.Centroids | ForEach-Object Size)
        ($summary | Measure-Object -Property Fraction -Sum).Sum | Should -Be 1
    }

    It 'takes the centroids as a model, as centroid objects, or as a centroid file' {
        $path = Join-Path $Scratch 'centroids.npy'
        $Model | Export-KMeansCentroid -Path $path | Out-Null
        $fromModel = $Vectors | Get-KMeansAssignment -Centroid $Model
        ($Vectors | Get-KMeansAssignment -Centroid $Model.Centroids).ClusterId | Should -Be $fromModel.ClusterId
        ($Vectors | Get-KMeansAssignment -Centroid $path).ClusterId | Should -Be $fromModel.ClusterId
    }

    It 'places centroid objects by their ClusterId, whatever their order' {
        $fromModel = $Vectors | Get-KMeansAssignment -Centroid $Model
        $reordered = $Model.Centroids | Sort-Object ClusterId -Descending
        ($Vectors | Get-KMeansAssignment -Centroid $reordered).ClusterId | Should -Be $fromModel.ClusterId
        $fromImported = $Vectors | Get-KMeansAssignment -Centroid ($Model.Centroids | Sort-Object { $_.Vector[0] })
        $fromImported.ClusterId | Should -Be $fromModel.ClusterId
    }

    It 'refuses centroid objects whose ids are not 0 to K - 1, each once: <Case>' -ForEach @(
        @{ Case = 'a gap'; Centroids = { $Model.Centroids | Where-Object ClusterId -ne 1 }; Message = '*no centroid has ClusterId 1*' }
        @{ Case = 'a repeat'; Centroids = { $Model.Centroids + $Model.Centroids[0] }; Message = '*ClusterId 0 is given 2 times*' }
        @{ Case = 'mixed with a vector'; Centroids = { $Model.Centroids + @(, [float[]]$Model.Centroids[0].Vector) }; Message = '*cannot be mixed with plain vectors*' }
        @{ Case = 'two models'; Centroids = { $Model, $Model }; Message = '*must be given alone*' }
    ) {
        $centroids = & $Centroids
        { $Vectors[0..9] | Get-KMeansAssignment -Centroid $centroids -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidCentroid,KMeans.PowerShell.GetKMeansAssignmentCommand' -ExpectedMessage $Message
    }

    It 'says that an empty centroid holds no values, for assignment and as -InitialCentroid' {
        $message = 'Centroid 1 is not usable: it holds no values, where a centroid holds one for each dimension.'
        { $Vectors[0..1] | Get-KMeansAssignment -Centroid ([float[]]$Model.Centroids[0].Vector), ([float[]]@()) -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidCentroid,KMeans.PowerShell.GetKMeansAssignmentCommand' -ExpectedMessage $message
        $empty = [KMeans.PowerShell.KMeansCentroid]::new(0, $null, [float[]]@())
        { $Vectors | Invoke-KMeansTraining -K 1 -InitialCentroid $empty -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidCentroid,KMeans.PowerShell.InvokeKMeansTrainingCommand' -ExpectedMessage ($message -replace '^Centroid 1', 'Centroid 0')
    }

    It 'names what -Centroid takes when given something else, not the input''s -VectorProperty' {
        { $Vectors[0..1] | Get-KMeansAssignment -Centroid (Get-Date) -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidCentroid,KMeans.PowerShell.GetKMeansAssignmentCommand' `
                -ExpectedMessage '*it is a DateTime without a ''Vector'' property holding numbers (pass float`[`] or double`[`] arrays, KMeansCentroid objects, a model, or the path of a centroid file).'
    }

    It 'says with -Verbose which metric it assigns by and why, and how many rows it assigned' {
        $output = $Vectors[0..9] | Get-KMeansAssignment -Centroid $Model -Summary -Verbose 4>&1
        $lines = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $lines[0] | Should -Be "Assigning to 3 centroids of dimension $($Model.Dimension) by L2 distance (recorded with the centroids), 1 nearest per row, on up to $([Environment]::ProcessorCount) threads."
        $lines[-1] | Should -Match '^Assigned 10 of 10 rows in [\d.]+ s\.$'
    }

    It 'reports a vector of another dimension by its index and assigns the rest' {
        $items = $Vectors[0..4] + @(, [float[]](1, 2)) + $Vectors[5..9]
        $assignments = $items | Get-KMeansAssignment -Centroid $Model -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.FullyQualifiedErrorId | Should -Be 'DimensionMismatch,KMeans.PowerShell.GetKMeansAssignmentCommand'
        $assignments.Index | Should -Be (0..4 + 6..10)
    }

    It 'keeps the index of a stray string among vectors, so that the rows after it join back to their objects' {
        $rows = @(
            [pscustomobject]@{ Id = 'a'; Vector = $Vectors[0] }
            'a label, not a file'
            [pscustomobject]@{ Id = 'b'; Vector = $Vectors[300] }
        )
        $assignments = $rows | Get-KMeansAssignment -Centroid $Model -ErrorVariable problems -ErrorAction SilentlyContinue
        $assignments.Index | Should -Be 0, 2
        $problems.Exception.Message | Should -Be "Input item 1 is not a vector: it is the string 'a label, not a file', which names no file; pipe either vectors or vector files."
        $npy = Join-Path $Scratch 'stray.npy'
        $rows | Get-KMeansAssignment -Centroid $Model -OutFile $npy -ErrorAction SilentlyContinue | Out-Null
        [System.IO.File]::ReadAllBytes($npy).Length | Should -Be (128 + 3 * 4)
    }

    It 'keeps the index of a stray string before the first vector, as a header line, and takes one before files as a missing file' {
        $assignments = @('id,vector', $Vectors[0], $Vectors[1]) | Get-KMeansAssignment -Centroid $Model -ErrorVariable problems -ErrorAction SilentlyContinue
        $assignments.Index | Should -Be 1, 2
        $problems.Exception.Message | Should -Be "Input item 0 is not a vector: it is the string 'id,vector', which names no file; pipe either vectors or vector files."
        $data = New-KMeansSampleData -Path (Join-Path $Scratch 'after-missing.npy') -Rows 20 -Dimension $Model.Dimension -Seed 1
        $fromFiles = @('no-such-file.npy', $data.FullName) | Get-KMeansAssignment -Centroid $Model -ErrorVariable missing -ErrorAction SilentlyContinue
        $fromFiles.Index | Should -Be (0..19)
        $missing.FullyQualifiedErrorId | Should -Be 'FileNotFound,KMeans.PowerShell.GetKMeansAssignmentCommand'
    }

    It 'writes no summary and no file when every piped item is refused, and warns that the file was not written' {
        $target = Join-Path $Scratch 'refused.npy'
        $refused = @(, [float[]](1, 2)) + @(, [float[]](3, 4))
        $summary = $refused | Get-KMeansAssignment -Centroid $Model -Summary -ErrorVariable problems -ErrorAction SilentlyContinue
        $summary | Should -BeNullOrEmpty
        $problems | Should -HaveCount 2
        $output = $refused | Get-KMeansAssignment -Centroid $Model -OutFile $target -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue
        $output | Should -BeNullOrEmpty
        Test-Path -LiteralPath $target | Should -BeFalse
        "$warnings" | Should -Be "No input could be read, so '$target' was not written."
        $partly = @(, [float[]](1, 2)) + $Vectors[0..1] | Get-KMeansAssignment -Centroid $Model -Summary -ErrorAction SilentlyContinue
        ($partly | Measure-Object -Property Count -Sum).Sum | Should -Be 2
    }

    It 'counts a piped list that is no vector as one item, so the items after it keep their index' {
        $items = @($Vectors[0..1]) + , @($true, $false, 1, 2) + , @() + , @('a', 'b') + , @($null, 1, 2) + @($Vectors[2..3])
        $items.Count | Should -Be 8
        $target = Join-Path $Scratch 'odd-items.npy'

        $assigned = $items | Get-KMeansAssignment -Centroid $Model -ErrorVariable problems -ErrorAction SilentlyContinue
        $null = $items | Get-KMeansAssignment -Centroid $Model -OutFile $target -ErrorAction SilentlyContinue

        $assigned.Index | Should -Be 0, 1, 6, 7
        $problems.Exception.Message | Should -Be @(
            'Input item 2 is not a vector: value 0 is a Boolean, not a number.'
            'Input item 3 is not a vector: it is an empty list.'
            'Input item 4 is not a vector: value 0 is a String, not a number.'
            'Input item 5 is not a vector: value 0 is null, not a number.')
        $bytes = [System.IO.File]::ReadAllBytes($target)
        $labelsAt = 10 + [System.BitConverter]::ToUInt16($bytes, 8)
        ($bytes.Length - $labelsAt) / 4 | Should -Be 8
    }

    It 'takes a piped list of vectors (,$rows), of objects holding one, and an array given to -InputObject as their vectors' {
        $objects = $Vectors[0..9] | ForEach-Object { [pscustomobject]@{ Vector = $_ } }
        $json = ConvertTo-Json -InputObject $objects -Depth 3

        $asOne = , $Vectors[0..9] | Get-KMeansAssignment -Centroid $Model
        $byName = Get-KMeansAssignment -InputObject $Vectors[0..9] -Centroid $Model
        $objectsAsOne = , $objects | Get-KMeansAssignment -Centroid $Model
        $fromJson = $json | ConvertFrom-Json -NoEnumerate | Get-KMeansAssignment -Centroid $Model

        $asOne.Index | Should -Be (0..9)
        $byName.ClusterId | Should -Be $asOne.ClusterId
        $objectsAsOne.ClusterId | Should -Be $asOne.ClusterId
        $fromJson.ClusterId | Should -Be $asOne.ClusterId
    }

    It 'says which item of a piped list of vectors is not one, the list failing as one item' {
        $mixed = @($Vectors[0], 'x', $Vectors[1])

        $assigned = @(, $mixed) + @(, $Vectors[2]) | Get-KMeansAssignment -Centroid $Model -ErrorVariable problems -ErrorAction SilentlyContinue

        $assigned.Index | Should -Be 1
        $problems.Exception.Message | Should -Be "Input item 0 is not a vector: it is a list of 3 items, not of numbers, and its item 1 is not a vector: it is a String without a 'Vector' property holding numbers (pass float[] or double[] arrays, or name the property with -VectorProperty)."
    }

    It 'names the first item of such a list that is not a vector, and fails a list that holds itself as one item' {
        $selfHolding = [System.Collections.ArrayList]::new()
        $null = $selfHolding.Add($Vectors[0])
        $null = $selfHolding.Add($selfHolding)
        $items = @(, @([pscustomobject]@{ Vector = 'a' }, [pscustomobject]@{ Vector = $Vectors[0] })) + @(, $selfHolding) + @(, @(, [pscustomobject]@{ Name = 'a' })) + @(, $Vectors[1])

        $assigned = $items | Get-KMeansAssignment -Centroid $Model -ErrorVariable problems -ErrorAction SilentlyContinue

        $assigned.Index | Should -Be 3
        $problems.Exception.Message | Should -Be @(
            'Input item 0 is not a vector: it is a list of 2 items, not of numbers, and its item 0 is not a vector: it is a String, not a list of numbers.'
            'Input item 1 is not a vector: it is a list of 2 items, not of numbers, and its item 1 is not a vector: value 0 is a Single[], not a number.'
            "Input item 2 is not a vector: it is a list of 1 item, not of numbers, and its item 0 is not a vector: it is a PSCustomObject without a 'Vector' property holding numbers (pass float[] or double[] arrays, or name the property with -VectorProperty).")
    }
}

Describe 'Assigning the rows of a file' {
    It 'writes no summary and no file when no input could be read, and warns that the file was not written' {
        $target = Join-Path $Scratch 'unread.arrow'
        $narrow = New-KMeansSampleData -Path (Join-Path $Scratch 'narrow.npy') -Rows 10 -Dimension 2 -Seed 1
        $missing = Join-Path $Scratch 'missing.npy'
        $summary = Get-KMeansAssignment -LiteralPath $missing, $narrow.FullName -Centroid $Model -Summary -ErrorVariable problems -ErrorAction SilentlyContinue
        $summary | Should -BeNullOrEmpty
        $problems | Should -HaveCount 2
        $output = Get-KMeansAssignment -LiteralPath $missing -Centroid $Model -OutFile $target -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue
        $output | Should -BeNullOrEmpty
        Test-Path -LiteralPath $target | Should -BeFalse
        $warnings | Should -HaveCount 1
        "$warnings" | Should -Be "No input could be read, so '$target' was not written."
        Get-ChildItem -LiteralPath $Scratch -Force -Filter '*.tmp' | Should -BeNullOrEmpty
    }

    It 'still sums up an input that was read but held no row, and writes its empty file' {
        $empty = Join-Path $Scratch 'empty.npy'
        New-EmptyNpy -Path $empty -Dimension $Model.Dimension
        $summary = Get-KMeansAssignment -LiteralPath $empty -Centroid $Model -Summary
        $summary | ForEach-Object Count | Should -Be 0, 0, 0
        $file = Get-KMeansAssignment -LiteralPath $empty -Centroid $Model -OutFile (Join-Path $Scratch 'empty.arrow')
        $file | Should -BeOfType System.IO.FileInfo
    }

    It 'assigns every row of the file it trained on, in order, and sums them all up' {
        $file = New-KMeansSampleData -Path (Join-Path $Scratch 'rows.arrow') -Rows 1500 -Dimension 8 -Clusters 3 -Seed 2
        $model = Invoke-KMeansTraining -Path $file.FullName -K 3 -Seed 2 -AsModel
        $assignments = Get-KMeansAssignment -Path $file.FullName -Centroid $model
        $assignments.Index | Should -Be (0..1499)
        $summary = Get-KMeansAssignment -Path $file.FullName -Centroid $model -Summary
        ($summary | ForEach-Object Count | Measure-Object -Sum).Sum | Should -Be 1500
    }
}

Describe 'The command line forms of the input and the centroids' {
    BeforeAll {
        $script:Data = New-KMeansSampleData -Path (Join-Path $Scratch 'forms.npy') -Rows 300 -Dimension $Model.Dimension -Clusters 3 -Seed 4
        $script:CentroidFile = $Model | Export-KMeansCentroid -Path (Join-Path $Scratch 'forms-centroids.npy')
        $script:Named = Get-KMeansAssignment -Path $Data.FullName -Centroid $CentroidFile.FullName
    }

    It 'reads two positional arguments as the data files and then the centroids, as the syntax with -Path says' {
        $Named | Should -HaveCount 300
        $assignments = Get-KMeansAssignment $Data.FullName $CentroidFile.FullName
        $assignments.ClusterId | Should -Be $Named.ClusterId
        $assignments.Index | Should -Be (0..299)
    }

    It 'expands wildcards in the data files given first, and takes a FileInfo there too' {
        $pattern = Join-Path $Scratch 'form?.npy'
        (Get-KMeansAssignment $pattern $CentroidFile.FullName -ErrorAction Stop).ClusterId | Should -Be $Named.ClusterId
        (Get-KMeansAssignment $Data $CentroidFile.FullName -ErrorAction Stop).ClusterId | Should -Be $Named.ClusterId
    }

    It 'takes the centroids as the one positional argument after -LiteralPath' {
        (Get-KMeansAssignment -LiteralPath $Data.FullName $CentroidFile.FullName -ErrorAction Stop).ClusterId | Should -Be $Named.ClusterId
    }

    It 'still takes one positional argument as the centroids of piped vectors or files' {
        $piped = $Vectors | Get-KMeansAssignment $CentroidFile.FullName -ErrorAction Stop
        $piped | Should -HaveCount $Vectors.Count
        $piped.ClusterId | Should -Be ($Vectors | Get-KMeansAssignment -Centroid $Model).ClusterId
        (Get-Item -LiteralPath $Data.FullName | Get-KMeansAssignment $Model -ErrorAction Stop).ClusterId | Should -Be $Named.ClusterId
    }

    It 'refuses a second positional argument beside piped input, and vectors given first, saying what it takes' {
        { $Vectors | Get-KMeansAssignment $Data.FullName $CentroidFile.FullName -ErrorAction Stop } |
            Should -Throw -ErrorId 'TooManyPositionalArguments,KMeans.PowerShell.GetKMeansAssignmentCommand' -ExpectedMessage '*one positional argument, the centroids*'
        { @() | Get-KMeansAssignment $Data.FullName $CentroidFile.FullName -ErrorAction Stop } |
            Should -Throw -ErrorId 'TooManyPositionalArguments,KMeans.PowerShell.GetKMeansAssignmentCommand' -ExpectedMessage '*even when nothing comes down the pipeline*'
        { Get-KMeansAssignment $Model $Vectors[0] -ErrorAction Stop } |
            Should -Throw -ErrorId 'TooManyPositionalArguments,KMeans.PowerShell.GetKMeansAssignmentCommand' -ExpectedMessage '*the first is a KMeansModel, not a file*'
    }

    It 'says what to give, instead of prompting, when <Command> gets no input at all' -ForEach @(
        @{ Command = 'Get-KMeansAssignment'; Call = { Get-KMeansAssignment -Centroid $Model -ErrorAction Stop } }
        @{ Command = 'Invoke-KMeansTraining'; Call = { Invoke-KMeansTraining -K 3 -ErrorAction Stop } }
    ) {
        $Call | Should -Throw -ErrorId "NoInput,*" -ExpectedMessage "$Command got no vectors: pipe them*or name files with -Path."
    }

    It 'refuses piped items beside -Path or -LiteralPath in <Command>, at the first item, with no output' -ForEach @(
        @{ Command = 'Get-KMeansAssignment'; Call = { param($more) $Vectors | Get-KMeansAssignment @more -Centroid $CentroidFile.FullName -Summary } }
        @{ Command = 'Invoke-KMeansTraining'; Call = { param($more) $Vectors | Invoke-KMeansTraining @more -K 3 -Seed 2 } }
    ) {
        foreach ($more in @{ Path = $Data.FullName }, @{ LiteralPath = $Data.FullName }) {
            $output = [System.Collections.Generic.List[object]]::new()
            { & $Call $more | ForEach-Object { $output.Add($_) } } |
                Should -Throw -ErrorId "PipedInputWithPath,*" -ExpectedMessage "$Command was given both -$($more.Keys) and piped input: pipe the vectors or the vector files, or name the files with -$($more.Keys), not both."
            $output | Should -BeNullOrEmpty
        }
        { Get-Item -LiteralPath $Data.FullName | & $Call @{ Path = $Data.FullName } } | Should -Throw -ErrorId "PipedInputWithPath,*"
    }

    It 'reads the files of -Path when an empty pipeline comes before it, as <Command> does without one' -ForEach @(
        @{ Command = 'Get-KMeansAssignment' }
        @{ Command = 'Invoke-KMeansTraining' }
    ) {
        if ($Command -eq 'Get-KMeansAssignment') {
            $counts = @() | Get-KMeansAssignment -Path $Data.FullName -Centroid $CentroidFile.FullName -Summary -ErrorAction Stop |
                ForEach-Object Count
            ($counts | Measure-Object -Sum).Sum | Should -Be 300
            $counts | Should -Be (Get-KMeansAssignment -Path $Data.FullName -Centroid $CentroidFile.FullName -Summary | ForEach-Object Count)
        }
        else {
            $trained = @() | Invoke-KMeansTraining -Path $Data.FullName -K 3 -Seed 2 -ErrorAction Stop
            $trained.Vector | Should -Be (Invoke-KMeansTraining -Path $Data.FullName -K 3 -Seed 2).Vector
        }
    }

    It 'refuses a pipeline that delivered nothing, and writes no file and no empty summaries' {
        $out = Join-Path $Scratch 'nothing.parquet'
        { @() | Get-KMeansAssignment -Centroid $Model -OutFile $out -ErrorAction Stop } |
            Should -Throw -ErrorId 'NoInput,KMeans.PowerShell.GetKMeansAssignmentCommand' -ExpectedMessage "*the pipeline delivered nothing, so '$out' was not written."
        Test-Path -LiteralPath $out | Should -BeFalse
        { Get-ChildItem -LiteralPath $Scratch -Filter 'no-such-shard-*.npy' | Get-KMeansAssignment -Centroid $Model -Summary -OutVariable script:summaries } |
            Should -Throw -ErrorId 'NoInput,KMeans.PowerShell.GetKMeansAssignmentCommand'
        $summaries | Should -HaveCount 0
    }

    It 'says a lone data file was taken as the centroids, and how to give both' {
        { Get-KMeansAssignment $Data.FullName -Summary -ErrorAction Stop } |
            Should -Throw -ErrorId 'NoInput,*' -ExpectedMessage "*'$($Data.FullName)' was taken as the centroids; if it holds the rows to assign, name it first and the centroids second*"
    }
}
