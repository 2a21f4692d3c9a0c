#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# What the writers output: the file they wrote, as Get-Item gives it, so that it shows in pwsh's file table with its
# directory, mode, owner and size, and pipes on to the file cmdlets by its literal path.

BeforeDiscovery {
    # The writers by their index in $Writers, which is built at run time.
    $WriterCases = @(
        @{ Index = 0; Name = 'New-KMeansSampleData' }
        @{ Index = 1; Name = 'Export-KMeansCentroid' }
        @{ Index = 2; Name = 'Export-KMeansReport' }
        @{ Index = 3; Name = 'Get-KMeansAssignment -OutFile' }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $script:Rows = Join-Path $Scratch 'rows.npy'
    New-KMeansSampleData -Path $Rows -Rows 500 -Dimension 4 -Clusters 3 -Seed 1 | Out-Null
    $script:Model = Invoke-KMeansTraining -LiteralPath $Rows -K 3 -Seed 1 -AsModel

    # Each writer, given the target; names with brackets, which a -Path wildcard would not match literally.
    $script:Writers = @(
        @{ Name = 'New-KMeansSampleData'; Write = { param($t, $more = @{}) New-KMeansSampleData -LiteralPath $t -Rows 10 -Dimension 2 -Seed 1 @more }; File = '[sample].npy' }
        @{ Name = 'Export-KMeansCentroid'; Write = { param($t, $more = @{}) $Model | Export-KMeansCentroid -LiteralPath $t @more }; File = '[centroids].arrow' }
        @{ Name = 'Export-KMeansReport'; Write = { param($t, $more = @{}) $Model | Export-KMeansReport -LiteralPath $t @more }; File = '[report].md' }
        @{ Name = 'Get-KMeansAssignment -OutFile'; Write = { param($t, $more = @{}) Get-KMeansAssignment -LiteralPath $Rows -Centroid $Model -OutFile $t @more }; File = '[labels].parquet' }
    )
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'The file a writer outputs' {
    It '<Name> outputs the file as Get-Item does, and it shows alike in the file table' -ForEach $WriterCases {
        $writer = $Writers[$Index]
        $target = Join-Path $Scratch $writer.File
        $file = & $writer.Write $target
        $file | Should -HaveCount 1
        $file | Should -BeOfType System.IO.FileInfo
        $item = Get-Item -LiteralPath $target
        $file.PSPath | Should -Be $item.PSPath
        $file.PSParentPath | Should -Be $item.PSParentPath
        ($file | Format-Table | Out-String) | Should -Be ($item | Format-Table | Out-String)
        ($file | Format-Table | Out-String) | Should -Match ([regex]::Escape($item.Length.ToString()))
    }

    It '<Name> outputs a file that Remove-Item takes from the pipeline by its literal path' -ForEach $WriterCases {
        $writer = $Writers[$Index]
        $target = Join-Path $Scratch ('piped' + $writer.File)
        & $writer.Write $target | Remove-Item
        Test-Path -LiteralPath $target | Should -BeFalse
    }

    It 'outputs the file when the current location is on another provider' {
        $target = Join-Path $Scratch 'elsewhere.arrow'
        Push-Location Env:
        try {
            $file = $Model | Export-KMeansCentroid -LiteralPath $target
        }
        finally {
            Pop-Location
        }
        $file.PSPath | Should -Be (Get-Item -LiteralPath $target).PSPath
    }
}

Describe 'What a writer refuses before it writes, -WhatIf or not' {
    It '<Name> refuses a target in a missing directory under -WhatIf as it would without' -ForEach $WriterCases {
        $writer = $Writers[$Index]
        $target = Join-Path $Scratch "missing/$($writer.File)"
        { & $writer.Write $target @{ WhatIf = $true; ErrorAction = 'Stop' } } | Should -Throw -ExpectedMessage "*the directory '*missing' does not exist.*"
    }

    It '<Name> names a file where its target''s directory should be, with and without -WhatIf' -ForEach $WriterCases {
        $writer = $Writers[$Index]
        $file = Join-Path $Scratch "plain-file-$Index.txt"
        Set-Content -LiteralPath $file -Value 'x'
        $target = Join-Path $file "sub/$($writer.File)"
        foreach ($whatIf in $true, $false) {
            { & $writer.Write $target @{ WhatIf = $whatIf; ErrorAction = 'Stop' } } |
                Should -Throw -ExpectedMessage "*'$file' is a file, not a directory.*"
        }
        Get-Content -LiteralPath $file | Should -Be 'x'
    }

    It '<Name> refuses a file name of blanks only, with and without -WhatIf, and writes nothing' -ForEach $WriterCases {
        $writer = $Writers[$Index]
        $directory = New-Item -ItemType Directory -Path (Join-Path $Scratch "blank-name-$Index")
        $target = Join-Path $directory '   '
        foreach ($whatIf in $true, $false) {
            $thrown = { & $writer.Write $target @{ WhatIf = $whatIf; ErrorAction = 'Stop' } } | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -BeLike 'BlankFileName,*'
            $thrown.Exception.Message | Should -Be "'$target' names a file of blanks only, which is no name a script means (an unset variable, say): name the file."
        }
        Get-ChildItem -LiteralPath $directory -Force | Should -BeNullOrEmpty
    }

    It '<Name> refuses a directory as its target, even with -Force' -ForEach $WriterCases {
        $writer = $Writers[$Index]
        $target = Join-Path $Scratch "directory-$Index$([System.IO.Path]::GetExtension($writer.File))"
        $null = New-Item -ItemType Directory -Path $target -Force
        $thrown = { & $writer.Write $target @{ Force = $true; ErrorAction = 'Stop' } } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike 'TargetNotRegularFile,*'
        Test-Path -LiteralPath $target -PathType Container | Should -BeTrue
    }
}

Describe 'Invoke-KMeansTraining -ReportPath' {
    It 'refuses a report its directory cannot take, naming the report, not its temporary file' {
        $thrown = { Invoke-KMeansTraining -LiteralPath $Rows -K 3 -Seed 1 -MaxIterations 1000 -Tolerance 0 -ReportPath /proc/kmeans-report.html } |
            Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'FileNotWritable,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        $thrown.Exception.Message | Should -BeLike "Cannot write '/proc/kmeans-report.html': the system reported *"
        $thrown.Exception.Message | Should -Not -BeLike '*.tmp*'
    }
}

Describe 'An existing export target is refused before the training before it in the pipeline runs' {
    It 'refuses <_> without -Force before any training, leaving the file as it was' -ForEach 'Export-KMeansCentroid', 'Export-KMeansReport' {
        $data = Join-Path $Scratch 'early.npy'
        if (-not (Test-Path -LiteralPath $data)) { New-KMeansSampleData -Path $data -Rows 300 -Dimension 4 -Clusters 3 -Seed 5 | Out-Null }
        $target = Join-Path $Scratch "early-$_.json"
        Set-Content -LiteralPath $target -Value 'kept'
        $export = $_
        # The training's own report is written when it ends: none means it never ran.
        $report = Join-Path $Scratch "early-$_-training.html"
        $thrown = { Invoke-KMeansTraining -LiteralPath $data -K 3 -Seed 1 -ReportPath $report -AsModel:($export -eq 'Export-KMeansReport') | & $export -Path $target } |
            Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike 'FileExists,*'
        Test-Path -LiteralPath $report | Should -BeFalse
        Get-Content -LiteralPath $target | Should -Be 'kept'
    }

    It 'still writes into a directory that the pipeline before <_> creates' -ForEach 'Export-KMeansCentroid', 'Export-KMeansReport' {
        $model = Invoke-KMeansTraining -LiteralPath (Join-Path $Scratch 'early.npy') -K 3 -Seed 1 -AsModel
        $folder = Join-Path $Scratch "made-by-the-pipeline-$_"
        $target = Join-Path $folder ($_ -eq 'Export-KMeansReport' ? 'out.html' : 'out.json')
        (& { $null = New-Item -ItemType Directory -Path $folder; $model } | & $_ -Path $target).FullName | Should -Be $target
    }
}

Describe 'A file the command writes that it also reads' {
    BeforeAll {
        $script:Data = Join-Path $Scratch 'own-input.npy'
        New-KMeansSampleData -Path $Data -Rows 200 -Dimension 4 -Clusters 2 -Seed 3 | Out-Null
        $script:DataHash = (Get-FileHash -LiteralPath $Data).Hash
    }

    It 'is refused as -OutFile of the file being assigned, directly or through a link, and the file is left alone' {
        $link = Join-Path $Scratch 'own-input-link.npy'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target $Data
        foreach ($source in $Data, $link) {
            $thrown = { Get-KMeansAssignment -LiteralPath $source -Centroid $Model -OutFile $Data -Force } | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -Be 'TargetIsInput,KMeans.PowerShell.GetKMeansAssignmentCommand'
            $thrown.Exception.Message | Should -Be "'$Data' is -OutFile and also a file to assign; writing it would replace what is being read. Name another file."
        }
        # A link of the input's chain as the target: the write would replace a link the input is read through.
        $outer = Join-Path $Scratch 'own-input-outer.npy'
        $null = New-Item -ItemType SymbolicLink -Path $outer -Target $link
        foreach ($name in $outer, $link) {
            $thrown = { Get-KMeansAssignment -LiteralPath $outer -Centroid $Model -OutFile $name -Force } | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -Be 'TargetIsInput,KMeans.PowerShell.GetKMeansAssignmentCommand'
        }
        (Get-Item -LiteralPath $link).LinkTarget | Should -Be $Data
        (Get-FileHash -LiteralPath $Data).Hash | Should -Be $DataHash
        Get-ChildItem -LiteralPath $Scratch -Filter '*.tmp' -Force | Should -BeNullOrEmpty
    }

    It 'is refused as -CheckpointPath of a file to train on, started, resumed or dry-run, and no message says to delete it' {
        foreach ($more in @{}, @{ Resume = $true }, @{ Resume = $true; WhatIf = $true }) {
            $thrown = { Invoke-KMeansTraining -LiteralPath $Data -K 2 -Seed 1 -CheckpointPath $Data @more } | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -Be 'TargetIsInput,KMeans.PowerShell.InvokeKMeansTrainingCommand'
            $thrown.Exception.Message | Should -BeLike "'$Data' is -CheckpointPath and also a file to train on;*"
        }
        # Piped, the file is known only after the checkpoint was checked: refused as an existing file that is no checkpoint.
        $thrown = { Get-Item -LiteralPath $Data | Invoke-KMeansTraining -K 2 -Seed 1 -CheckpointPath $Data } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'FileExists,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        $thrown.Exception.Message | Should -BeLike "'$Data' exists and is not a checkpoint*"
        $thrown.Exception.Message | Should -Not -BeLike '*elete*'
        $notes = Join-Path $Scratch 'notes.txt'
        Set-Content -LiteralPath $notes -Value 'not a checkpoint'
        $thrown = { Invoke-KMeansTraining -LiteralPath $Data -K 2 -Seed 1 -CheckpointPath $notes -Resume -WhatIf } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'InvalidFile,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        $thrown.Exception.Message | Should -Not -BeLike '*elete*'
        (Get-FileHash -LiteralPath $Data).Hash | Should -Be $DataHash
    }

    It 'is refused as -ReportPath of the -InitialCentroid file, which is left alone' {
        foreach ($name in 'start.npy', 'start.csv') {
            $start = $Model | Export-KMeansCentroid -LiteralPath (Join-Path $Scratch $name)
            $hash = (Get-FileHash -LiteralPath $start.FullName).Hash
            $thrown = { Invoke-KMeansTraining -LiteralPath $Data -K 3 -Seed 1 -InitialCentroid $start.FullName -ReportPath $start.FullName -Force } |
                Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -Be 'TargetIsInput,KMeans.PowerShell.InvokeKMeansTrainingCommand'
            $thrown.Exception.Message | Should -BeLike "'$($start.FullName)' is -ReportPath and also the -InitialCentroid file;*"
            (Get-FileHash -LiteralPath $start.FullName).Hash | Should -Be $hash
        }
    }

    It 'is refused when a linked directory leads the read or the write to the same file' -Skip:$IsWindows {
        $real = Join-Path $Scratch 'real-folder'
        $linked = Join-Path $Scratch 'linked-folder'
        $null = New-Item -ItemType Directory -Path $real
        $null = New-Item -ItemType SymbolicLink -Path $linked -Target $real
        $file = Join-Path $real 'rows.npy'
        Copy-Item -LiteralPath $Data -Destination $file
        $thrown = { Get-KMeansAssignment -LiteralPath (Join-Path $linked 'rows.npy') -Centroid $Model -OutFile $file -Force } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'TargetIsInput,KMeans.PowerShell.GetKMeansAssignmentCommand'
        $thrown = { Invoke-KMeansTraining -LiteralPath $file -K 2 -Seed 1 -ReportPath (Join-Path $linked 'rows.npy') -Force } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'TargetIsInput,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        (Get-FileHash -LiteralPath $file).Hash | Should -Be $DataHash

        $thrown = { Invoke-KMeansTraining -LiteralPath $file -K 2 -Seed 1 -CheckpointPath (Join-Path $linked 'run.kmc') -ReportPath (Join-Path $real 'run.kmc') -Force } |
            Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'TargetIsInput,KMeans.PowerShell.InvokeKMeansTrainingCommand'
    }

    It 'is refused when a link''s target climbs out of a linked directory with ..' -Skip:$IsWindows {
        # b/L.npy -> linkdir/../rows.npy with b/linkdir -> a/x/y leads to a/x/rows.npy, as the system follows it, not
        # to b/rows.npy, which a decoy holds: folding .. by name let -OutFile replace the input.
        $base = Join-Path $Scratch 'climb'
        $null = New-Item -ItemType Directory -Path (Join-Path $base 'a/x/y'), (Join-Path $base 'b')
        $file = Join-Path $base 'a/x/rows.npy'
        Copy-Item -LiteralPath $Data -Destination $file
        Copy-Item -LiteralPath $Data -Destination (Join-Path $base 'b/rows.npy')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $base 'b/linkdir') -Target (Join-Path $base 'a/x/y')
        $link = Join-Path $base 'b/L.npy'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target 'linkdir/../rows.npy'
        (Invoke-KMeansTraining -LiteralPath $link -K 2 -Seed 1 -AsModel).RowsRead | Should -Be 200
        $thrown = { Get-KMeansAssignment -LiteralPath $link -Centroid $Model -OutFile $file -Force } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'TargetIsInput,KMeans.PowerShell.GetKMeansAssignmentCommand'
        (Get-FileHash -LiteralPath $file).Hash | Should -Be $DataHash
    }

    It 'is refused by a dry run (-WhatIf) as by the real one, for files named on the command line' {
        $thrown = { Get-KMeansAssignment -LiteralPath $Data -Centroid $Model -OutFile $Data -Force -WhatIf } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'TargetIsInput,KMeans.PowerShell.GetKMeansAssignmentCommand'
        $thrown = { Get-KMeansAssignment $Data $Model -OutFile $Data -Force -WhatIf } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'TargetIsInput,KMeans.PowerShell.GetKMeansAssignmentCommand'
        $thrown = { Invoke-KMeansTraining -LiteralPath $Data -K 2 -ReportPath $Data -Force -WhatIf } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'TargetIsInput,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        (Get-FileHash -LiteralPath $Data).Hash | Should -Be $DataHash
    }

    It 'is refused as -ReportPath of a file to train on, and as a report over the checkpoint' {
        # A file to train on as -CheckpointPath exists, so it is refused as an existing checkpoint already.
        $thrown = { Invoke-KMeansTraining -LiteralPath $Data -K 2 -Seed 1 -ReportPath $Data -Force } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'TargetIsInput,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        $thrown.Exception.Message | Should -BeLike "'$Data' is -ReportPath and also a file to train on;*"
        (Get-FileHash -LiteralPath $Data).Hash | Should -Be $DataHash

        $checkpoint = Join-Path $Scratch 'own.kmc'
        $thrown = { Invoke-KMeansTraining -LiteralPath $Data -K 2 -Seed 1 -CheckpointPath $checkpoint -ReportPath $checkpoint -Force } |
            Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'TargetIsInput,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        $thrown.Exception.Message | Should -Be "'$checkpoint' is -ReportPath and also -CheckpointPath; the report and the checkpoint would overwrite each other. Name another file."
        Test-Path -LiteralPath $checkpoint | Should -BeFalse
    }
}
