#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Error handling as ops scripts write it: $ErrorActionPreference = 'Stop' with try/catch on the documented ErrorIds,
# non-terminating errors collected with -ErrorVariable, and -WhatIf / -Confirm:$false / -Force on the writers.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    . (Join-Path $PSScriptRoot 'TestVectors.ps1')
    $script:Vectors = New-BlobVector
    $script:Model = $Vectors | Invoke-KMeansTraining -K 3 -Seed 4 -AsModel
    $script:VectorFile = (New-KMeansSampleData -Path (Join-Path $Scratch 'v.parquet') -Rows 200 -Dimension 4 -Seed 1).FullName
    Set-Content -LiteralPath (Join-Path $Scratch 'notes.txt') -Value 'text'
    Set-Content -LiteralPath (Join-Path $Scratch 'broken.npy') -Value 'text'
    Set-Content -LiteralPath (Join-Path $Scratch 'first.json') -Value '{}'
    Set-Content -LiteralPath (Join-Path $Scratch 'second.json') -Value '{}'

    # How an ops script meets an error: the preference set to Stop, the FullyQualifiedErrorId read in the catch block.
    function Get-CaughtError {
        param([scriptblock] $Script)
        $ErrorActionPreference = 'Stop'
        try {
            & $Script | Out-Null
        }
        catch {
            return $_
        }
        throw 'The script did not fail.'
    }
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'try/catch under $ErrorActionPreference = Stop' {
    It 'catches <ErrorId> from <Command> with category <Category>' -ForEach @(
        @{ ErrorId = 'InvalidK'; Command = 'InvokeKMeansTrainingCommand'; Category = 'InvalidArgument'; Script = { $Vectors | Invoke-KMeansTraining -K 0 } }
        @{ ErrorId = 'KExceedsRows'; Command = 'InvokeKMeansTrainingCommand'; Category = 'InvalidArgument'; Script = { $Vectors[0..4] | Invoke-KMeansTraining -K 6 } }
        @{ ErrorId = 'NoRows'; Command = 'InvokeKMeansTrainingCommand'; Category = 'InvalidData'; Script = { [pscustomobject]@{ Name = 'a' }, [pscustomobject]@{ Name = 'b' } | Invoke-KMeansTraining -K 1 -ErrorAction SilentlyContinue } }
        @{ ErrorId = 'DimensionMismatch'; Command = 'InvokeKMeansTrainingCommand'; Category = 'InvalidData'; Script = { $Vectors[0..9] + @(, [float[]](1, 2)) | Invoke-KMeansTraining -K 3 } }
        @{ ErrorId = 'InvalidVectorInput'; Command = 'InvokeKMeansTrainingCommand'; Category = 'InvalidType'; Script = { @([pscustomobject]@{ Name = 'not a vector' }) + $Vectors | Invoke-KMeansTraining -K 3 } }
        @{ ErrorId = 'NonFiniteValue'; Command = 'InvokeKMeansTrainingCommand'; Category = 'InvalidData'; Script = { @(, [float[]](1, [float]::NaN, 3, 4)) + $Vectors | Invoke-KMeansTraining -K 3 } }
        @{ ErrorId = 'ZeroVector'; Command = 'InvokeKMeansTrainingCommand'; Category = 'InvalidData'; Script = { $Vectors + @(, [float[]](0, 0, 0, 0)) | Invoke-KMeansTraining -K 3 -Distance Cosine } }
        @{ ErrorId = 'InitialCentroidShape'; Command = 'InvokeKMeansTrainingCommand'; Category = 'InvalidArgument'; Script = { $Vectors | Invoke-KMeansTraining -K 4 -InitialCentroid $Vectors[0..2] } }
        @{ ErrorId = 'TempDirectoryNotFound'; Command = 'InvokeKMeansTrainingCommand'; Category = 'ObjectNotFound'; Script = { $Vectors | Invoke-KMeansTraining -K 3 -OnDisk -TempDirectory (Join-Path $Scratch 'missing') } }
        @{ ErrorId = 'NotFileSystemPath'; Command = 'InvokeKMeansTrainingCommand'; Category = 'InvalidArgument'; Script = { $Vectors | Invoke-KMeansTraining -K 3 -OnDisk -TempDirectory Env:\ } }
        @{ ErrorId = 'InsufficientMemory'; Command = 'InvokeKMeansTrainingCommand'; Category = 'ResourceUnavailable'; Script = { , [float[]]::new(64) | Invoke-KMeansTraining -K 1000 -SampleRate 2000000000 } }
        @{ ErrorId = 'FileNotFound'; Command = 'InvokeKMeansTrainingCommand'; Category = 'ObjectNotFound'; Script = { Invoke-KMeansTraining -Path (Join-Path $Scratch 'missing.npy') -K 3 } }
        @{ ErrorId = 'UnsupportedFile'; Command = 'InvokeKMeansTrainingCommand'; Category = 'InvalidArgument'; Script = { Invoke-KMeansTraining -Path (Join-Path $Scratch 'notes.txt') -K 3 } }
        @{ ErrorId = 'InvalidFile'; Command = 'InvokeKMeansTrainingCommand'; Category = 'InvalidData'; Script = { Invoke-KMeansTraining -Path (Join-Path $Scratch 'broken.npy') -K 3 } }
        @{ ErrorId = 'ColumnNotFound'; Command = 'InvokeKMeansTrainingCommand'; Category = 'ObjectNotFound'; Script = { Invoke-KMeansTraining -Path $VectorFile -Column nope -K 3 } }
        @{ ErrorId = 'InvalidCentroid'; Command = 'GetKMeansAssignmentCommand'; Category = 'InvalidArgument'; Script = { $Vectors | Get-KMeansAssignment -Centroid @(, [float[]](1, 2)), @(, [float[]](1, 2, 3)) } }
        @{ ErrorId = 'CentroidsAsInput'; Command = 'GetKMeansAssignmentCommand'; Category = 'InvalidArgument'; Script = { $Model.Centroids | Get-KMeansAssignment $VectorFile } }
        @{ ErrorId = 'FileExists'; Command = 'ExportKMeansCentroidCommand'; Category = 'ResourceExists'; Script = { $Model | Export-KMeansCentroid -Path (Join-Path $Scratch 'first.json') } }
        @{ ErrorId = 'AmbiguousPath'; Command = 'ExportKMeansCentroidCommand'; Category = 'InvalidArgument'; Script = { $Model | Export-KMeansCentroid -Path (Join-Path $Scratch '*.json') -Force } }
        @{ ErrorId = 'FileNotFound'; Command = 'ImportKMeansCentroidCommand'; Category = 'ObjectNotFound'; Script = { Import-KMeansCentroid -Path (Join-Path $Scratch 'absent.arrow') } }
        @{ ErrorId = 'FileExists'; Command = 'NewKMeansSampleDataCommand'; Category = 'ResourceExists'; Script = { New-KMeansSampleData -Path $VectorFile -Rows 10 -Dimension 2 } }
        @{ ErrorId = 'InvalidDimension'; Command = 'GetKMeansDiskEstimateCommand'; Category = 'InvalidArgument'; Script = { Get-KMeansDiskEstimate -K 8 -Dimension 0 } }
        @{ ErrorId = 'InvalidRows'; Command = 'GetKMeansDiskEstimateCommand'; Category = 'InvalidArgument'; Script = { Get-KMeansDiskEstimate -K 8 -Dimension 8 -Rows 0 } }
    ) {
        $caught = Get-CaughtError $Script
        $caught.FullyQualifiedErrorId | Should -Be "$ErrorId,KMeans.PowerShell.$Command"
        $caught.CategoryInfo.Category | Should -Be $Category
        $caught.Exception.Message | Should -Not -BeNullOrEmpty
        $caught.Exception | Should -Not -BeOfType System.NullReferenceException
    }

    It 'names the offending <What> as the TargetObject' -ForEach @(
        @{ What = 'K'; Expected = 0; Script = { $Vectors | Invoke-KMeansTraining -K 0 } }
        @{ What = 'temp directory'; Expected = 'Env:\'; Script = { $Vectors | Invoke-KMeansTraining -K 3 -OnDisk -TempDirectory Env:\ } }
        @{ What = 'row'; Expected = 42; Script = { $Vectors[0..41] + @(, [float[]](1, 2, [float]::NaN, 4)) + $Vectors[42..299] | Invoke-KMeansTraining -K 3 } }
        @{ What = 'column'; Expected = 'nope'; Script = { Invoke-KMeansTraining -Path $VectorFile -Column nope -K 3 } }
    ) {
        (Get-CaughtError $Script).TargetObject | Should -Be $Expected
    }

    It 'names the file in the message of a file error' {
        $missing = Join-Path $Scratch 'missing.npy'
        (Get-CaughtError { Invoke-KMeansTraining -Path $missing -K 3 }).Exception.Message | Should -BeLike "*$missing*"
    }

    It 'reports a parameter outside its range as a binding error, before anything runs' {
        (Get-CaughtError { $Vectors | Invoke-KMeansTraining -K 3 -MaxIterations 0 }).FullyQualifiedErrorId |
            Should -Be 'ParameterArgumentValidationError,KMeans.PowerShell.InvokeKMeansTrainingCommand'
    }
}

Describe 'Non-terminating errors collected with -ErrorVariable' {
    It 'reports a vector of another dimension by its index and trains on the rest' {
        $items = $Vectors[0..9] + @(, [float[]](1, 2)) + $Vectors[10..599]
        $centroids = $items | Invoke-KMeansTraining -K 3 -Seed 1 -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'DimensionMismatch,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        $problems[0].Exception.Message | Should -Match 'Input item 10 has 2 values, but every vector must have 4, like the first vector'
        $centroids.Count | Should -Be 3
        ($centroids | Measure-Object -Property Size -Sum).Sum | Should -Be 600
    }

    It 'reports each item that is not a vector and trains on the others' {
        # A string would name a file (as piped to Get-KMeansAssignment); an object without a vector is no input at all.
        $items = @([pscustomobject]@{ Name = 'text' }, 42) + $Vectors
        $centroids = $items | Invoke-KMeansTraining -K 3 -Seed 1 -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.FullyQualifiedErrorId | Should -Be (@('InvalidVectorInput,KMeans.PowerShell.InvokeKMeansTrainingCommand') * 2)
        $problems[1].Exception.Message | Should -Be 'Input item 1 is not a vector: it is a single number (an Int32); a vector piped as $vector arrives one number at a time: pipe ,$vector, or give the vectors to -InputObject.'
        ($centroids | Measure-Object -Property Size -Sum).Sum | Should -Be 600
    }

    It 'says what a centroid is when one given to -Centroid is a single number' {
        $thrown = { , [float[]](1, 2) | Get-KMeansAssignment -Centroid @([float[]](1, 2), 3) } | Should -Throw -PassThru
        $thrown.Exception.Message | Should -Be 'Centroid 1 is not usable: it is a single number (an Int32); a centroid is a float[] or double[] array, a KMeansCentroid object, a model, or the path of a centroid file.'
    }

    It 'says that the first vector fixed the dimension when it is the odd one' {
        $items = @(, [float[]](1, 2)) + $Vectors
        { $items | Invoke-KMeansTraining -K 3 -Seed 1 -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'KExceedsRows,KMeans.PowerShell.InvokeKMeansTrainingCommand' -ExpectedMessage '*only 1 of 601 pipeline items are usable vectors: 600 were rejected (the first vector fixes the dimension, here 2*'
    }

    It 'imports the good centroid files and reports each bad one' {
        $good = $Model | Export-KMeansCentroid -Path (Join-Path $Scratch 'good.arrow') -Force
        $paths = (Join-Path $Scratch 'absent.arrow'), $good.FullName, (Join-Path $Scratch 'notes.txt')
        $imported = Import-KMeansCentroid -Path $paths -ErrorVariable problems -ErrorAction SilentlyContinue
        $imported.Count | Should -Be 3
        $problems.FullyQualifiedErrorId | Should -Be 'FileNotFound,KMeans.PowerShell.ImportKMeansCentroidCommand', 'UnsupportedFile,KMeans.PowerShell.ImportKMeansCentroidCommand'
    }

    It 'estimates the good scenarios of a pipeline and reports the bad one' {
        $scenarios = @(
            [pscustomobject]@{ K = 16; Dimension = 8 }
            [pscustomobject]@{ K = 8; Dimension = 0 }
            [pscustomobject]@{ K = 8; Dimension = 8 }
        )
        $estimates = $scenarios | Get-KMeansDiskEstimate -ErrorVariable problems -ErrorAction SilentlyContinue
        $estimates.K | Should -Be 16, 8
        $problems.FullyQualifiedErrorId | Should -Be 'InvalidDimension,KMeans.PowerShell.GetKMeansDiskEstimateCommand'
        $problems[0].TargetObject | Should -Be 0
    }

    It 'sets $? to false after a non-terminating error, and -ErrorAction Ignore keeps $Error clean' {
        $Error.Clear()
        $null = @([pscustomobject]@{ Name = 'text' }) + $Vectors | Invoke-KMeansTraining -K 3 -ErrorAction Ignore
        $Error.Count | Should -Be 0
        $null = @([pscustomobject]@{ Name = 'text' }) + $Vectors | Invoke-KMeansTraining -K 3 -ErrorAction SilentlyContinue
        $? | Should -BeFalse
        $Error[0].FullyQualifiedErrorId | Should -Be 'InvalidVectorInput,KMeans.PowerShell.InvokeKMeansTrainingCommand'
    }
}

Describe 'Writers: -WhatIf, -Confirm:$false and -Force' {
    BeforeEach {
        $script:Target = Join-Path $Scratch ("target-" + [guid]::NewGuid().ToString('N'))
    }

    It 'Export-KMeansCentroid writes nothing with -WhatIf' {
        $Model | Export-KMeansCentroid -Path "$Target.arrow" -WhatIf
        Test-Path -LiteralPath "$Target.arrow" | Should -BeFalse
    }

    It 'Export-KMeansCentroid writes without asking with -Confirm:$false, even when $ConfirmPreference is Low' {
        $ConfirmPreference = 'Low'
        $file = $Model | Export-KMeansCentroid -Path "$Target.arrow" -Confirm:$false
        $file.FullName | Should -Be "$Target.arrow"
        (Import-KMeansCentroid -Path "$Target.arrow").Count | Should -Be 3
    }

    It 'Export-KMeansCentroid keeps an existing file without -Force and replaces it with -Force' {
        Set-Content -LiteralPath "$Target.json" -Value 'keep'
        { $Model | Export-KMeansCentroid -Path "$Target.json" } | Should -Throw -ErrorId 'FileExists,KMeans.PowerShell.ExportKMeansCentroidCommand'
        Get-Content -LiteralPath "$Target.json" | Should -Be 'keep'
        $Model | Export-KMeansCentroid -Path "$Target.json" -Force | Out-Null
        (Import-KMeansCentroid -Path "$Target.json").Count | Should -Be 3
    }

    It 'Export-KMeansCentroid and New-KMeansSampleData leave no temporary file beside the target' {
        $Model | Export-KMeansCentroid -Path "$Target.npy" | Out-Null
        $leaf = Split-Path -Leaf $Target
        # -Force, because a temporary file is written hidden (.name.*.tmp) beside the target before it is renamed.
        Get-ChildItem -LiteralPath $Scratch -Force | Where-Object Name -Like "*$leaf*" | ForEach-Object Name | Should -Be "$leaf.npy"
        New-KMeansSampleData -Path "$Target.parquet" -Rows 10 -Dimension 2 | Out-Null
        Get-ChildItem -LiteralPath $Scratch -Force | Where-Object Name -Like "*$leaf*" | ForEach-Object Name | Sort-Object | Should -Be "$leaf.npy", "$leaf.parquet"
    }

    It 'New-KMeansSampleData writes nothing with -WhatIf' {
        New-KMeansSampleData -Path "$Target.npy" -Rows 10 -Dimension 2 -WhatIf
        Test-Path -LiteralPath "$Target.npy" | Should -BeFalse
    }

    It 'New-KMeansSampleData writes without asking with -Confirm:$false' {
        $ConfirmPreference = 'Low'
        $file = New-KMeansSampleData -Path "$Target.npy" -Rows 10 -Dimension 2 -Confirm:$false
        $file | Should -BeOfType System.IO.FileInfo
        $file.Length | Should -BeGreaterThan 80
    }

    It 'New-KMeansSampleData keeps an existing file without -Force and replaces it with -Force' {
        Set-Content -LiteralPath "$Target.npy" -Value 'keep'
        { New-KMeansSampleData -Path "$Target.npy" -Rows 10 -Dimension 2 } | Should -Throw -ErrorId 'FileExists,KMeans.PowerShell.NewKMeansSampleDataCommand'
        Get-Content -LiteralPath "$Target.npy" | Should -Be 'keep'
        New-KMeansSampleData -Path "$Target.npy" -Rows 10 -Dimension 2 -Force | Out-Null
        (Get-KMeansDiskEstimate -LiteralPath "$Target.npy" -K 2).Rows | Should -Be 10
    }
}
