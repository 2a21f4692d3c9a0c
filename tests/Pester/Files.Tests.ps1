BeforeAll { . (Join-Path $PSScriptRoot 'TestEnvironment.ps1') }

Describe 'Files from the pipeline' {
    BeforeAll {
        $script:Data = Join-Path $Scratch 'piped'
        $null = New-Item -ItemType Directory -Path $Data
        New-KMeansSampleData -Path (Join-Path $Data 'a.npy') -Rows 600 -Dimension 8 -Clusters 4 -Seed 1 | Out-Null
        New-KMeansSampleData -Path (Join-Path $Data 'b.npy') -Rows 400 -Dimension 8 -Clusters 4 -Seed 2 | Out-Null
    }

    It 'trains on the files of Get-ChildItem *.npy as -Path would' {
        $piped = Get-ChildItem -LiteralPath $Data -Filter '*.npy' | Sort-Object Name | Invoke-KMeansTraining -K 16 -Seed 3 -AsModel
        $named = Invoke-KMeansTraining -LiteralPath (Join-Path $Data 'a.npy'), (Join-Path $Data 'b.npy') -K 16 -Seed 3 -AsModel
        $piped.RowsRead | Should -Be 1000
        for ($c = 0; $c -lt 16; $c++) {
            $piped.Centroids[$c].Vector | Should -Be $named.Centroids[$c].Vector
        }
    }

    It 'trains on piped path strings and objects with a FullName as on -Path, as Get-KMeansAssignment reads them' {
        $named = Invoke-KMeansTraining -LiteralPath (Join-Path $Data 'a.npy'), (Join-Path $Data 'b.npy') -K 16 -Seed 3 -AsModel
        $strings = (Join-Path $Data 'a.npy'), (Join-Path $Data 'b.npy') | Invoke-KMeansTraining -K 16 -Seed 3 -AsModel
        $wildcard = (Join-Path $Data '*.npy') | Invoke-KMeansTraining -K 16 -Seed 3 -AsModel
        $objects = 'a.npy', 'b.npy' | ForEach-Object { [pscustomobject]@{ FullName = (Join-Path $Data $_) } } |
            Invoke-KMeansTraining -K 16 -Seed 3 -AsModel
        foreach ($model in $strings, $wildcard, $objects) {
            $model.RowsRead | Should -Be 1000
            ($model.Centroids.Vector -join ',') | Should -Be ($named.Centroids.Vector -join ',')
        }
    }

    It 'refuses vectors and files mixed in one pipeline' {
        $items = @([float[]](1, 2, 3, 4, 5, 6, 7, 8), (Get-Item -LiteralPath (Join-Path $Data 'a.npy')))
        { $items | Invoke-KMeansTraining -K 2 } | Should -Throw -ErrorId 'InvalidVectorInput,KMeans.PowerShell.InvokeKMeansTrainingCommand'
    }
}

Describe 'The metric travels with the centroids' {
    BeforeAll {
        $script:Rows = New-KMeansSampleData -Path (Join-Path $Scratch 'metric.npy') -Rows 2000 -Dimension 6 -Clusters 5 -Seed 7
        $script:Vectors = Import-KMeansCentroid -LiteralPath $Rows.FullName | ForEach-Object { , $_.Vector }
    }

    It 'keeps the labels of a <Distance> model exported to <Extension>, or warns and takes -Distance back' -ForEach @(
        foreach ($distance in 'Dot', 'Cosine') {
            foreach ($extension in '.arrow', '.arrows', '.json', '.npy', '.csv') { @{ Distance = $distance; Extension = $extension } }
        }
    ) {
        # Under Dot some of these blobs' clusters end empty, which training warns of; the model serves all the same.
        $model = Invoke-KMeansTraining -LiteralPath $Rows.FullName -K 8 -Seed 11 -Distance $Distance -AsModel -WarningAction SilentlyContinue
        $path = Join-Path $Scratch "model-$Distance$Extension"
        $model | Export-KMeansCentroid -Path $path -Force -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
        $expected = ($Vectors | Get-KMeansAssignment -Centroid $model).ClusterId

        if ($Extension -in '.npy', '.csv') {
            $warnings.Count | Should -Be 1
            $warnings[0].Message | Should -BeLike "*does not record the metric ($Distance)*-Distance $Distance*"
            ($Vectors | Get-KMeansAssignment -Centroid $path -Distance $Distance).ClusterId | Should -Be $expected
        }
        else {
            $warnings.Count | Should -Be 0
            ($Vectors | Get-KMeansAssignment -Centroid $path).ClusterId | Should -Be $expected
            (Import-KMeansCentroid -LiteralPath $path)[0].Distance | Should -Be $Distance
        }
    }

    It 'keeps the metric through Import-KMeansCentroid | Export-KMeansCentroid' {
        $model = Invoke-KMeansTraining -LiteralPath $Rows.FullName -K 4 -Seed 5 -Distance Dot -AsModel -WarningAction SilentlyContinue
        $first = Join-Path $Scratch 'dot-first.arrow'
        $second = Join-Path $Scratch 'dot-second.json'
        $model | Export-KMeansCentroid -Path $first -Force | Out-Null
        Import-KMeansCentroid -LiteralPath $first | Export-KMeansCentroid -Path $second -Force | Out-Null
        (Get-Content -Raw -LiteralPath $second | ConvertFrom-Json).distance | Should -Be 'dot'
    }

    It 'refuses -InitialCentroid of another metric unless -Distance is given' {
        $model = Invoke-KMeansTraining -LiteralPath $Rows.FullName -K 4 -Seed 5 -Distance Cosine -AsModel
        $path = Join-Path $Scratch 'cosine-initial.arrow'
        $model | Export-KMeansCentroid -Path $path -Force | Out-Null
        { Invoke-KMeansTraining -LiteralPath $Rows.FullName -K 4 -InitialCentroid $path } |
            Should -Throw -ErrorId 'DistanceMismatch,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        (Invoke-KMeansTraining -LiteralPath $Rows.FullName -K 4 -InitialCentroid $path -Distance L2 -AsModel).Distance | Should -Be 'L2'
        (Invoke-KMeansTraining -LiteralPath $Rows.FullName -K 4 -InitialCentroid $path -Distance Cosine -AsModel).Distance | Should -Be 'Cosine'
    }

    It 'names a missing -InitialCentroid file among several before saying that a file must be given alone' {
        $missing = Join-Path $Scratch 'no-such-centroids.arrow'
        { Invoke-KMeansTraining -LiteralPath $Rows.FullName -K 4 -InitialCentroid $missing, 'other.arrow' } |
            Should -Throw -ErrorId 'FileNotFound,KMeans.PowerShell.InvokeKMeansTrainingCommand' -ExpectedMessage "*$missing*"
        $present = Join-Path $Scratch 'present-centroids.arrow'
        Invoke-KMeansTraining -LiteralPath $Rows.FullName -K 4 -Seed 1 -AsModel | Export-KMeansCentroid -Path $present -Force | Out-Null
        { Invoke-KMeansTraining -LiteralPath $Rows.FullName -K 4 -InitialCentroid $present, $present } |
            Should -Throw -ErrorId 'InvalidCentroid,KMeans.PowerShell.InvokeKMeansTrainingCommand' -ExpectedMessage '*must be given alone*'
    }
}

Describe 'Writes that respect the user' {
    BeforeAll {
        $script:Centroids = Import-KMeansCentroid -LiteralPath (New-KMeansSampleData -Path (Join-Path $Scratch 'four.npy') -Rows 4 -Dimension 3 -Seed 1).FullName
    }

    It 'leaves the old target byte-identical and no temporary file when stopped during a large export' {
        $big = New-KMeansSampleData -Path (Join-Path $Scratch 'big.npy') -Rows 60000 -Dimension 128 -Seed 2
        $target = Join-Path $Scratch 'stopped.csv'
        Set-Content -LiteralPath $target -Value 'the old centroids' -NoNewline
        $before = [System.IO.File]::ReadAllBytes($target)
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$Manifest'; `$c = Import-KMeansCentroid -LiteralPath '$($big.FullName)'; Export-KMeansCentroid -InputObject `$c -LiteralPath '$target' -Force")
            $running = $shell.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while (-not (Get-ChildItem -LiteralPath $Scratch -Filter '.stopped.csv.*.tmp' -Force) -and -not $running.IsCompleted -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 5
            }
            $running.IsCompleted | Should -BeFalse -Because 'the export must still be writing when it is stopped'
            $shell.Stop()
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            [System.IO.File]::ReadAllBytes($target) | Should -Be $before
            Get-ChildItem -LiteralPath $Scratch -Filter '.stopped.csv.*' -Force | Should -BeNullOrEmpty
        }
        finally {
            $shell.Dispose()
        }
    }

    It 'refuses to replace a FIFO with -Force' -Skip:(-not $IsLinux) {
        $fifo = Join-Path $Scratch 'pipe.csv'
        & mkfifo $fifo
        { $Centroids | Export-KMeansCentroid -LiteralPath $fifo -Force } |
            Should -Throw -ErrorId 'TargetNotRegularFile,KMeans.PowerShell.ExportKMeansCentroidCommand'
        (Get-Item -LiteralPath $fifo).UnixFileMode | Should -Not -BeNullOrEmpty
        & test -p $fifo
        $LASTEXITCODE | Should -Be 0
    }

    It 'keeps the permission bits of a replaced file' -Skip:($IsWindows) {
        $path = Join-Path $Scratch 'private.json'
        $Centroids | Export-KMeansCentroid -LiteralPath $path | Out-Null
        [System.IO.File]::SetUnixFileMode($path, [System.IO.UnixFileMode]'UserRead, UserWrite')
        $Centroids | Export-KMeansCentroid -LiteralPath $path -Force | Out-Null
        [System.IO.File]::GetUnixFileMode($path) | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
    }

    It 'keeps the owner of a replaced file when running as root' -Skip:(-not $IsLinux -or (& id -u) -ne '0') {
        $path = Join-Path $Scratch 'owned.json'
        $Centroids | Export-KMeansCentroid -LiteralPath $path | Out-Null
        & chown 4321:4322 $path
        $Centroids | Export-KMeansCentroid -LiteralPath $path -Force | Out-Null
        & stat -c '%u:%g' $path | Should -Be '4321:4322'
    }

    It 'replaces a symbolic link by a file instead of writing through it' -Skip:($IsWindows) {
        $linked = Join-Path $Scratch 'link-target.json'
        Set-Content -LiteralPath $linked -Value 'untouched'
        $link = Join-Path $Scratch 'link.json'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target $linked
        $Centroids | Export-KMeansCentroid -LiteralPath $link -Force | Out-Null
        (Get-Item -LiteralPath $link).LinkType | Should -BeNullOrEmpty
        Get-Content -LiteralPath $linked | Should -Be 'untouched'
        (Import-KMeansCentroid -LiteralPath $link).Count | Should -Be 4
    }

    It 'writes a target whose name has the longest length a name may have' {
        $name = ('n' * 250) + '.json'
        $file = $Centroids | Export-KMeansCentroid -LiteralPath (Join-Path $Scratch $name)
        $file.Name | Should -Be $name
        (Import-KMeansCentroid -LiteralPath $file.FullName).Count | Should -Be 4
    }

    It 'removes the temporary file a killed export left behind' {
        $target = Join-Path $Scratch 'killed.arrow'
        $stale = Join-Path $Scratch ('.killed.arrow.' + ('0' * 32) + '.tmp')
        Set-Content -LiteralPath $stale -Value 'half a file'
        (Get-Item -LiteralPath $stale -Force).LastWriteTimeUtc = [datetime]::UtcNow.AddHours(-1)
        $Centroids | Export-KMeansCentroid -LiteralPath $target | Out-Null
        Test-Path -LiteralPath $stale | Should -BeFalse
    }

    It 'refuses an extension it cannot read back' {
        { $Centroids | Export-KMeansCentroid -Path (Join-Path $Scratch 'x.weird') } |
            Should -Throw -ErrorId 'UnsupportedFile,KMeans.PowerShell.ExportKMeansCentroidCommand'
        Test-Path -LiteralPath (Join-Path $Scratch 'x.weird') | Should -BeFalse
    }
}

Describe 'Output types' {
    It 'keeps the properties of a model and its centroids read-only' {
        $model = @([float[]](1, 2), [float[]](3, 4), [float[]](5, 7)) | Invoke-KMeansTraining -K 2 -Seed 1 -Distance Dot -AsModel -WarningAction SilentlyContinue
        { $model.Loss = 0 } | Should -Throw
        { $model.Iterations = 1 } | Should -Throw
        { $model.Centroids[0].Distance = 'L2' } | Should -Throw
        $model.Centroids[0].Distance | Should -Be 'Dot'
    }
}

Describe 'New-KMeansSampleData limits' {
    It 'refuses -Spread 1e39, which would write infinities' {
        { New-KMeansSampleData -Path (Join-Path $Scratch 'inf.npy') -Rows 10 -Dimension 2 -Spread 1e39 } |
            Should -Throw -ErrorId 'InvalidOption,KMeans.PowerShell.NewKMeansSampleDataCommand'
    }

    It 'refuses -Dimension 2147483647 with a message instead of running out of memory' {
        { New-KMeansSampleData -Path (Join-Path $Scratch 'wide.npy') -Rows 100 -Dimension 2147483647 } |
            Should -Throw -ErrorId 'InvalidOption,KMeans.PowerShell.NewKMeansSampleDataCommand'
    }

    It 'refuses a <_> file larger than the free space before writing any of it' -ForEach 'huge.npy', 'huge.parquet', 'huge.bvecs' {
        $target = Join-Path $Scratch $_
        $free = [System.IO.DriveInfo]::new($Scratch).AvailableFreeSpace
        # Twice the free space even at Parquet's one byte a value. The check comes before -WhatIf answers, as the others
        # do; -WhatIf keeps a regression from filling the disk.
        $rows = [long][math]::Ceiling(2 * $free / 1000)
        $thrown = { New-KMeansSampleData -Path $target -Rows $rows -Dimension 1000 -WhatIf } |
            Should -Throw -ErrorId 'InsufficientDiskSpace,KMeans.PowerShell.NewKMeansSampleDataCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike "$($rows.ToString('N0', [cultureinfo]::InvariantCulture)) vectors of dimension 1000 take at least * bytes as *, but '$Scratch' has only * bytes free. Write fewer rows, or write them elsewhere."
        $thrown.TargetObject | Should -Be $target
        Test-Path -LiteralPath $target | Should -BeFalse
        Get-ChildItem -LiteralPath $Scratch -Filter "*$_*" -Force | Should -BeNullOrEmpty
    }

    It 'refuses a <_> path, a format that holds centroids only, naming the vector formats and writing nothing' -ForEach 'sample.csv', 'sample.json' {
        $target = Join-Path $Scratch $_
        { New-KMeansSampleData -Path $target -Rows 10 -Dimension 2 } |
            Should -Throw -ErrorId 'UnsupportedFile,KMeans.PowerShell.NewKMeansSampleDataCommand' -ExpectedMessage "Cannot write vectors to '$target'*.npy*"
        Test-Path -LiteralPath $target | Should -BeFalse
    }

    It 'shows the rows written as progress, and completes it' {
        $run = Invoke-InChildRunspace { param($Path) New-KMeansSampleData -LiteralPath $Path -Rows 20000 -Dimension 8 -Seed 1 } `
            -ArgumentList (Join-Path $Scratch 'progress.npy')
        $run.Error | Should -BeNullOrEmpty
        $progress = $run.Progress
        $progress[0].StatusDescription | Should -Match '^[0-9,]+ of 20,000 vectors written$'
        $progress[0].Activity | Should -BeLike 'Writing 20,000 vectors to *progress.npy'
        $progress[-1].RecordType | Should -Be 'Completed'
    }

    It 'writes -Format Bvecs as whole numbers from 0 to 255 that training reads' {
        $file = New-KMeansSampleData -Path (Join-Path $Scratch 'bytes.bvecs') -Rows 300 -Dimension 4 -Format Bvecs -Seed 3
        $model = Invoke-KMeansTraining -LiteralPath $file.FullName -K 3 -Seed 1 -AsModel
        $model.RowsRead | Should -Be 300
        $values = Import-KMeansCentroid -LiteralPath $file.FullName | ForEach-Object Vector
        $values | Where-Object { $_ -lt 0 -or $_ -gt 255 -or $_ -ne [math]::Floor($_) } | Should -BeNullOrEmpty
    }
}

Describe 'File and path messages' {
    It 'says that a directory is not a file' {
        $directory = Join-Path $Scratch 'a-directory'
        $null = New-Item -ItemType Directory -Path $directory
        $thrown = { Invoke-KMeansTraining -LiteralPath $directory -K 2 } | Should -Throw -ErrorId 'FileNotFound,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike '*is a directory, not a file*'
    }

    It 'says that a file given as -TempDirectory is a file' {
        $file = Join-Path $Scratch 'not-a-directory.txt'
        Set-Content -LiteralPath $file -Value 'x'
        $thrown = { @([float[]](1, 2), [float[]](3, 4)) | Invoke-KMeansTraining -K 1 -OnDisk -TempDirectory $file } | Should -Throw -PassThru
        $thrown.Exception.Message | Should -BeLike '*is a file, not a directory*'
    }

    It 'says that an input file is a link that leads nowhere (FileNotFound), for training, assignment and centroids' -Skip:$IsWindows {
        $link = Join-Path $Scratch 'gone.npy'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target (Join-Path $Scratch 'nowhere.npy')
        $expected = "The file '$link' is a symbolic link that leads to '$(Join-Path $Scratch 'nowhere.npy')', which does not exist."
        $thrown = { Invoke-KMeansTraining -LiteralPath $link -K 2 } | Should -Throw -ErrorId 'FileNotFound,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike $expected
        $thrown = { Import-KMeansCentroid -LiteralPath $link -ErrorAction Stop } | Should -Throw -ErrorId 'FileNotFound,KMeans.PowerShell.ImportKMeansCentroidCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike $expected
        $centroids = @([float[]](0, 0), [float[]](1, 1))
        $thrown = { Get-KMeansAssignment -LiteralPath $link -Centroid $centroids -ErrorAction Stop } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike 'FileNotFound,*'
        $thrown.Exception.Message | Should -BeLike $expected
    }

    It 'says that a -TempDirectory link leads nowhere, and where it leads' -Skip:$IsWindows {
        $link = Join-Path $Scratch 'temp-link'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target (Join-Path $Scratch 'gone')
        $thrown = { @([float[]](1, 2), [float[]](3, 4)) | Invoke-KMeansTraining -K 1 -OnDisk -TempDirectory $link } | Should -Throw -ErrorId 'TempDirectoryNotFound,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike "*'$link' is a symbolic link that leads to '$(Join-Path $Scratch 'gone')', which does not exist*"
        $thrown.Exception.Message | Should -Not -BeLike '*is a file*'
    }

    It 'names the missing file at the end of a chain of links' -Skip:$IsWindows {
        $end = Join-Path $Scratch 'chain-end.npy'
        $middle = Join-Path $Scratch 'chain-middle.npy'
        $start = Join-Path $Scratch 'chain-start.npy'
        $null = New-Item -ItemType SymbolicLink -Path $middle -Target $end
        $null = New-Item -ItemType SymbolicLink -Path $start -Target $middle
        $thrown = { Invoke-KMeansTraining -LiteralPath $start -K 2 } | Should -Throw -ErrorId 'FileNotFound,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.Exception.Message | Should -Be "The file '$start' is a symbolic link that leads to '$end', which does not exist."
    }

    It 'names the missing file of a chain through a linked directory, where the link''s relative target really leads' -Skip:$IsWindows {
        $base = Join-Path $Scratch 'relative-chain'
        $null = New-Item -ItemType Directory -Path (Join-Path $base 'links/sub'), (Join-Path $base 'other')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $base 'links/sub/mid.npy') -Target '../end.npy'
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $base 'other/linkdir') -Target (Join-Path $base 'links/sub')
        $start = Join-Path $base 'start.npy'
        $null = New-Item -ItemType SymbolicLink -Path $start -Target (Join-Path $base 'other/linkdir/mid.npy')
        $thrown = { Invoke-KMeansTraining -LiteralPath $start -K 2 } | Should -Throw -ErrorId 'FileNotFound,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.Exception.Message | Should -Be "The file '$start' is a symbolic link that leads to '$(Join-Path $base 'links/end.npy')', which does not exist."
    }

    It 'says a link leads nowhere where the system finds nothing: "." or ".." after a missing name or a file, a trailing "/" after a file' -Skip:$IsWindows {
        $base = Join-Path $Scratch 'unreachable'
        $null = New-Item -ItemType Directory -Path $base
        $data = Join-Path $base 'data.npy'
        New-KMeansSampleData -Path $data -Rows 8 -Dimension 2 -Clusters 2 -Seed 1 | Out-Null
        foreach ($case in @(
                @{ Link = 'after-missing.npy'; Target = 'missing/../data.npy' },
                @{ Link = 'after-file.npy'; Target = 'data.npy/../data.npy' },
                @{ Link = 'trailing.npy'; Target = 'data.npy/' },
                @{ Link = 'dot.npy'; Target = 'data.npy/.' })) {
            $link = Join-Path $base $case.Link
            $null = New-Item -ItemType SymbolicLink -Path $link -Target $case.Target
            $thrown = { Invoke-KMeansTraining -LiteralPath $link -K 2 } | Should -Throw -ErrorId 'FileNotFound,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
            $thrown.Exception.Message | Should -Be "The file '$link' is a symbolic link that leads to '$(Join-Path $base $case.Target)', which does not exist."
        }
        $folded = Join-Path $base 'folded.npy'
        $null = New-Item -ItemType SymbolicLink -Path $folded -Target './data.npy'
        (Invoke-KMeansTraining -LiteralPath $folded -K 2 -Seed 1).Count | Should -Be 2
    }

    It 'says that a -TempDirectory link leads to a file' -Skip:$IsWindows {
        $file = Join-Path $Scratch 'plain-file.txt'
        Set-Content -LiteralPath $file -Value 'x'
        $link = Join-Path $Scratch 'file-link'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target $file
        $thrown = { Get-KMeansDiskEstimate -K 8 -Dimension 8 -TempDirectory $link -ErrorAction Stop } | Should -Throw -ErrorId 'TempDirectoryNotFound,KMeans.PowerShell.GetKMeansDiskEstimateCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike "*'$link' is a symbolic link to the file '$file', not to a directory*"
    }

    It 'says to give a name with brackets as -LiteralPath when, as a wildcard pattern, it matches nothing' {
        $model = @([float[]](0, 0), [float[]](1, 1)) | Invoke-KMeansTraining -K 2 -Seed 1 -AsModel
        $named = Join-Path $Scratch 'bracketed[1].arrow'
        $null = $model | Export-KMeansCentroid -LiteralPath $named
        $thrown = { Import-KMeansCentroid -Path $named -ErrorAction Stop } | Should -Throw -ErrorId 'FileNotFound,KMeans.PowerShell.ImportKMeansCentroidCommand' -PassThru
        $thrown.Exception.Message | Should -Be "No file matches the wildcard pattern '$named', but a file has exactly that name: give it as -LiteralPath, which takes [ ] * ? as they are."
        (Import-KMeansCentroid -LiteralPath $named).Count | Should -Be 2
        $thrown = { Import-KMeansCentroid -Path (Join-Path $Scratch 'absent[1].arrow') -ErrorAction Stop } | Should -Throw -PassThru
        $thrown.Exception.Message | Should -BeLike 'Cannot find a file at*'
    }

    It 'names the provider of a path outside the file system in plain words' {
        $thrown = { Invoke-KMeansTraining -Path 'Env:PATH' -K 2 } | Should -Throw -ErrorId 'NotFileSystemPath,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike '*is a path of the Environment provider*'
    }

    It 'says that a FIFO is not a regular file' -Skip:(-not $IsLinux) {
        $fifo = Join-Path $Scratch 'input.npy'
        & mkfifo $fifo
        $thrown = { Invoke-KMeansTraining -LiteralPath $fifo -K 2 } | Should -Throw -ErrorId 'UnsupportedFile,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike '*FIFO*'
    }

    It 'refuses a FIFO as the checkpoint, resumed or not, instead of waiting on it' -Skip:(-not $IsLinux) {
        $fifo = Join-Path $Scratch 'state.kmc'
        & mkfifo $fifo
        $vectors = 1..40 | ForEach-Object { , [float[]]@(($_ % 4), ($_ % 3)) }
        foreach ($resume in $true, $false) {
            $thrown = { $vectors | Invoke-KMeansTraining -K 2 -CheckpointPath $fifo -Resume:$resume } |
                Should -Throw -ErrorId 'TargetNotRegularFile,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
            $thrown.Exception.Message | Should -Be "The checkpoint path '$fifo' is a FIFO (named pipe); a checkpoint is a regular file."
        }
    }

    It 'refuses a directory as the checkpoint as it refuses a FIFO, with and without -WhatIf' {
        $directory = Join-Path $Scratch 'checkpoint-directory'
        $null = New-Item -ItemType Directory -Path $directory
        $vectors = 1..40 | ForEach-Object { , [float[]]@(($_ % 4), ($_ % 3)) }
        foreach ($whatIf in $true, $false) {
            $thrown = { $vectors | Invoke-KMeansTraining -K 2 -CheckpointPath $directory -WhatIf:$whatIf } |
                Should -Throw -ErrorId 'TargetNotRegularFile,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
            $thrown.Exception.Message | Should -Be "The checkpoint path '$directory' is a directory; a checkpoint is a regular file."
        }
    }

    It 'refuses to replace a link to a device (as /dev/stdout is), even with -Force, and leaves the link' -Skip:(-not $IsLinux) {
        $link = Join-Path $Scratch 'null-link.html'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target '/dev/null'
        $vectors = 1..40 | ForEach-Object { , [float[]]@(($_ % 4), ($_ % 3)) }
        $thrown = { $vectors | Invoke-KMeansTraining -K 2 -ReportPath $link -Force } |
            Should -Throw -ErrorId 'TargetNotRegularFile,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.Exception.Message | Should -Be "Cannot write '$link': it is a symbolic link to a character device, and only a regular file may be replaced."
        (Get-Item -LiteralPath $link).LinkTarget | Should -Be '/dev/null'
    }

    It 'says where a dangling link leads, as a checkpoint path and as a report path' -Skip:$IsWindows {
        $vectors = 1..40 | ForEach-Object { , [float[]]@(($_ % 4), ($_ % 3)) }
        $checkpoint = Join-Path $Scratch 'dangling.kmc'
        $null = New-Item -ItemType SymbolicLink -Path $checkpoint -Target (Join-Path $Scratch 'nowhere.kmc')
        foreach ($resume in $true, $false) {
            $thrown = { $vectors | Invoke-KMeansTraining -K 2 -CheckpointPath $checkpoint -Resume:$resume } |
                Should -Throw -ErrorId 'FileNotFound,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
            $thrown.Exception.Message | Should -Be "The checkpoint path '$checkpoint' is a symbolic link that leads to '$(Join-Path $Scratch 'nowhere.kmc')', which does not exist: give the checkpoint file itself, or remove the link."
        }
        $report = Join-Path $Scratch 'dangling.html'
        $null = New-Item -ItemType SymbolicLink -Path $report -Target (Join-Path $Scratch 'nowhere.html')
        $thrown = { $vectors | Invoke-KMeansTraining -K 2 -ReportPath $report } |
            Should -Throw -ErrorId 'FileExists,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.Exception.Message | Should -Be "'$report' is a symbolic link that leads to '$(Join-Path $Scratch 'nowhere.html')', which does not exist. Use -Force to replace the link with the file."
    }

    It 'reports integer .npy content as UnsupportedContent' {
        $path = Join-Path $Scratch 'ints.npy'
        $header = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }".PadRight(117) + "`n"
        $bytes = [byte[]](0x93) + [System.Text.Encoding]::ASCII.GetBytes('NUMPY') + [byte[]](1, 0, 118, 0) + [System.Text.Encoding]::ASCII.GetBytes($header) + [byte[]]::new(16)
        [System.IO.File]::WriteAllBytes($path, $bytes)
        $thrown = { Invoke-KMeansTraining -LiteralPath $path -K 1 } | Should -Throw -ErrorId 'UnsupportedContent,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.CategoryInfo.Category | Should -Be 'InvalidData'
        $thrown.TargetObject | Should -Be $path
    }
}

Describe 'Files written by independent tools' {
    BeforeAll {
        # The numpy and pandas files were written by numpy 1.24 and pandas 1.5.3 (Debian's python3-numpy and
        # python3-pandas) from reference.npy with tests/interop/independent/write_numpy.py and write_pandas.py and are kept
        # in the repository, so the suite needs no Python; apache-arrow and DuckDB write theirs now, from tests/interop's
        # lockfile.
        $script:Fixtures = Join-Path $Scratch 'independent'
        $null = New-Item -ItemType Directory -Path $Fixtures
        $scripts = Join-Path $RepositoryRoot 'tests/interop/independent'
        Copy-Item -Path (Join-Path $scripts 'python-fixtures/*') -Destination $Fixtures
        $script:Reference = Join-Path $Fixtures 'reference.npy'
        & node (Join-Path $scripts 'write-js.mjs') (Join-Path $Fixtures 'reference.f32') 300 8 $Fixtures
        if ($LASTEXITCODE -ne 0) { throw "apache-arrow/DuckDB could not write the fixtures (exit code $LASTEXITCODE); run npm ci --prefix tests/interop." }
        $script:ReferenceModel = Invoke-KMeansTraining -LiteralPath $Reference -K 4 -Seed 1 -AsModel
        $script:ReferenceRows = Import-KMeansCentroid -LiteralPath $Reference
        $script:ReferenceVectors = $ReferenceRows | ForEach-Object { , $_.Vector }
        $script:ReferenceLabels = $ReferenceVectors | Get-KMeansAssignment -Centroid $ReferenceModel
    }

    It 'trains on <_> to the centroids of the .npy reference, bit for bit' -ForEach @(
        'numpy-float64.npy', 'numpy-fortran.npy', 'arrow-js.arrow', 'arrow-js.arrows', 'arrow-js-list-float64.arrow',
        'duckdb-array-zstd.parquet', 'duckdb-list-snappy.parquet', 'duckdb-list-double.parquet'
    ) {
        $model = Invoke-KMeansTraining -LiteralPath (Join-Path $Fixtures $_) -K 4 -Seed 1 -AsModel
        $model.RowsRead | Should -Be 300
        for ($c = 0; $c -lt 4; $c++) {
            $model.Centroids[$c].Vector.ForEach({ [BitConverter]::SingleToInt32Bits($_) }) |
                Should -Be $ReferenceModel.Centroids[$c].Vector.ForEach({ [BitConverter]::SingleToInt32Bits($_) })
        }
    }

    It 'says that apache-arrow''s FixedSizeList of 0 values per row holds no vectors, for training, the estimate and import' {
        $path = Join-Path $Fixtures 'arrow-js-zero-width.arrow'
        $expected = "'$path' cannot be read: a FixedSizeList column holds 0 values per row, where a vector holds at least one."
        $thrown = { Invoke-KMeansTraining -LiteralPath $path -K 2 } | Should -Throw -ErrorId 'InvalidFile,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.Exception.Message | Should -Be $expected
        $thrown = { Get-KMeansDiskEstimate -LiteralPath $path -K 2 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidFile,KMeans.PowerShell.GetKMeansDiskEstimateCommand' -PassThru
        $thrown.Exception.Message | Should -Be $expected
        $thrown = { Import-KMeansCentroid -LiteralPath $path -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidFile,KMeans.PowerShell.ImportKMeansCentroidCommand' -PassThru
        $thrown.Exception.Message | Should -Be $expected
    }

    It 'says that the empty first list of DuckDB''s file cannot give the dimension, for training, the estimate and assignment' {
        $path = Join-Path $Fixtures 'duckdb-list-empty-first.parquet'
        $expected = "Row 0 of '$path', its first vector, is an empty list: a vector needs at least one value, and the first one gives the dimension."
        $thrown = { Invoke-KMeansTraining -LiteralPath $path -K 4 } | Should -Throw -ErrorId 'DimensionMismatch,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru
        $thrown.Exception.Message | Should -Be $expected
        $thrown = { Get-KMeansDiskEstimate -LiteralPath $path -K 4 -ErrorAction Stop } | Should -Throw -ErrorId 'DimensionMismatch,KMeans.PowerShell.GetKMeansDiskEstimateCommand' -PassThru
        $thrown.Exception.Message | Should -Be $expected
        $centroids = Invoke-KMeansTraining -LiteralPath (Join-Path $Fixtures 'duckdb-list-null-row.parquet') -K 2 -Seed 1 -WarningAction SilentlyContinue
        $assigned = Get-KMeansAssignment -LiteralPath $path -Centroid $centroids -ErrorVariable problems -ErrorAction SilentlyContinue
        $assigned | Should -BeNullOrEmpty
        $problems.FullyQualifiedErrorId | Should -Be 'DimensionMismatch,KMeans.PowerShell.GetKMeansAssignmentCommand'
    }

    It 'trains on, and estimates, DuckDB''s Parquet file of no rows among others, leaving it out with a warning; alone it has no dimension' {
        $empty = Join-Path $Fixtures 'duckdb-list-no-rows.parquet'
        $rows = Join-Path $Fixtures 'duckdb-list-snappy.parquet'

        $model = Invoke-KMeansTraining -LiteralPath $empty, $rows, $empty -K 4 -Seed 1 -AsModel -WarningVariable warnings -WarningAction SilentlyContinue
        $thrown = { Invoke-KMeansTraining -LiteralPath $empty, $empty -K 4 } | Should -Throw -ErrorId 'NoRows,KMeans.PowerShell.InvokeKMeansTrainingCommand' -PassThru

        $model.RowsRead | Should -Be 300
        for ($c = 0; $c -lt 4; $c++) {
            $model.Centroids[$c].Vector | Should -Be $ReferenceModel.Centroids[$c].Vector
        }
        $warnings.Message | Should -Be (@(1, 2) | ForEach-Object { "'$empty' holds no non-null vector, so its dimension is unknown. It is left out: the other files give the dimension." })
        $thrown.Exception.Message | Should -Be "'$empty' holds no non-null vector, so its dimension is unknown."

        $estimate = Get-KMeansDiskEstimate -LiteralPath $empty, $rows -K 4 -WarningVariable estimated -WarningAction SilentlyContinue
        $estimate.Rows | Should -Be 300
        $estimate.Input | Should -Be $empty, $rows
        $estimated.Message | Should -Be "'$empty' holds no non-null vector, so its dimension is unknown. It is left out: the other files give the dimension."
    }

    It 'assigns nothing from DuckDB''s Parquet file of no rows, as from an empty .npy, without an error' {
        $rows = Join-Path $Fixtures 'duckdb-list-null-row.parquet'
        $centroids = Invoke-KMeansTraining -LiteralPath $rows -K 2 -Seed 1 -WarningAction SilentlyContinue
        $alone = Get-KMeansAssignment -LiteralPath $rows -Centroid $centroids
        $assigned = Get-KMeansAssignment -LiteralPath (Join-Path $Fixtures 'duckdb-list-no-rows.parquet'), $rows -Centroid $centroids -ErrorVariable problems
        $written = Get-KMeansAssignment -LiteralPath (Join-Path $Fixtures 'duckdb-list-no-rows.parquet') -Centroid $centroids -OutFile (Join-Path $Scratch 'no-rows.npy') -WarningVariable warnings
        $problems | Should -BeNullOrEmpty
        $assigned.Index | Should -Be $alone.Index
        $assigned.ClusterId | Should -Be $alone.ClusterId
        $warnings | Should -BeNullOrEmpty
        $written.Name | Should -Be 'no-rows.npy'
        [System.IO.File]::ReadAllBytes($written.FullName).Length | Should -Be 128
    }

    It 'skips the null row 7 of DuckDB''s <_> as a null row, the array as the list' -ForEach 'duckdb-array-null-row.parquet', 'duckdb-list-null-row.parquet' {
        $path = Join-Path $Fixtures $_
        $model = Invoke-KMeansTraining -LiteralPath $path -K 4 -Seed 1 -AsModel -WarningVariable warnings -WarningAction SilentlyContinue
        "$warnings" | Should -Be "Left out 1 null row of ${path}: a null row holds no vector (the model's SkippedRows counts it)."
        $list = Invoke-KMeansTraining -LiteralPath (Join-Path $Fixtures 'duckdb-list-null-row.parquet') -K 4 -Seed 1 -AsModel -WarningAction SilentlyContinue
        $model.RowsRead | Should -Be 300
        $model.SampleRows | Should -Be 299
        $model.SkippedRows | Should -Be 1
        $model.Loss | Should -Be $list.Loss
        $model.Centroids.Vector | Should -Be $list.Centroids.Vector
    }

    It 'assigning DuckDB''s <_> warns of its null row 7, which no output holds but a .npy file as -1' -ForEach 'duckdb-array-null-row.parquet', 'duckdb-list-null-row.parquet' {
        $path = Join-Path $Fixtures $_
        $centroids = Invoke-KMeansTraining -LiteralPath $path -K 4 -Seed 1 -WarningAction SilentlyContinue
        $npy = Join-Path $Scratch "null-row-$_.npy"
        $parquet = Join-Path $Scratch "null-row-$_.parquet"

        $assigned = Get-KMeansAssignment -LiteralPath $path -Centroid $centroids -WarningVariable toPipeline -WarningAction SilentlyContinue
        $null = Get-KMeansAssignment -LiteralPath $path -Centroid $centroids -OutFile $npy -WarningVariable toNpy -WarningAction SilentlyContinue
        $null = Get-KMeansAssignment -LiteralPath $path -Centroid $centroids -OutFile $parquet -WarningVariable toParquet -WarningAction SilentlyContinue

        "$toPipeline" | Should -Be "Left out 1 null row of ${path}: a null row holds no vector, so it has no cluster (no output)."
        "$toNpy" | Should -Be "Left out 1 null row of ${path}: a null row holds no vector, so it has no cluster (−1 in '$npy')."
        "$toParquet" | Should -Be "Left out 1 null row of ${path}: a null row holds no vector, so it has no cluster (left out of '$parquet')."
        $assigned.Count | Should -Be 299
        $assigned.Index | Should -Not -Contain 7
        $bytes = [System.IO.File]::ReadAllBytes($npy)
        $labelsAt = 10 + [System.BitConverter]::ToUInt16($bytes, 8)
        ($bytes.Length - $labelsAt) / 4 | Should -Be 300
        [System.BitConverter]::ToInt32($bytes, $labelsAt + 7 * 4) | Should -Be -1
        [System.BitConverter]::ToInt32($bytes, $labelsAt + 8 * 4) | Should -Be ($assigned | Where-Object Index -EQ 8).ClusterId
    }

    It 'imports <_> as the reference rows and assigns with them as the reference does' -ForEach @(
        'numpy-float64.npy', 'numpy-fortran.npy', 'numpy-commas.csv', 'numpy-spaces.csv', 'numpy-lists.json',
        'pandas-index.csv', 'pandas-no-index.csv', 'pandas-ids.csv', 'arrow-js.arrow',
        'arrow-js.arrows', 'arrow-js-list-float64.arrow', 'duckdb-array-zstd.parquet', 'duckdb-list-snappy.parquet', 'duckdb-list-double.parquet',
        'duckdb-data-columns.parquet'
    ) {
        $path = Join-Path $Fixtures $_
        $imported = Import-KMeansCentroid -LiteralPath $path
        $imported.Where({ $null -ne $_.Size -or $null -ne $_.Price }) | Should -BeNullOrEmpty
        $imported.Count | Should -Be 300
        for ($row = 0; $row -lt 300; $row += 37) {
            $imported[$row].Vector | Should -Be $ReferenceRows[$row].Vector
        }
        $firstFour = $imported | Select-Object -First 4
        $expected = $ReferenceVectors | Get-KMeansAssignment -Centroid ($ReferenceRows | Select-Object -First 4)
        $actual = $ReferenceVectors | Get-KMeansAssignment -Centroid $firstFour
        $actual.ClusterId | Should -Be $expected.ClusterId
        $actual.Distance | Should -Be $expected.Distance
        ($ReferenceVectors | Get-KMeansAssignment -Centroid $ReferenceModel).ClusterId | Should -Be $ReferenceLabels.ClusterId
    }

    It 'takes the cluster ids, sizes and prices of DuckDB''s Parquet centroid table, whatever its row order' {
        $imported = Import-KMeansCentroid -LiteralPath (Join-Path $Fixtures 'duckdb-ids.parquet')
        $imported.ClusterId | Should -Be (0..299)
        $imported.Size | Should -Be (0..299 | ForEach-Object { 3 * $_ })
        $imported.Price | Should -Be (0..299 | ForEach-Object { 0.5 * $_ })
        for ($row = 0; $row -lt 300; $row += 37) {
            $imported[$row].Vector | Should -Be $ReferenceRows[$row].Vector
        }
    }

    It 'refuses DuckDB''s Parquet centroids with an id given twice or a null id, naming the rows' {
        $path = Join-Path $Fixtures 'duckdb-duplicate-id.parquet'
        $thrown = { Import-KMeansCentroid -LiteralPath $path -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidFile,KMeans.PowerShell.ImportKMeansCentroidCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike '*cluster id 3 appears twice, in row 3 and row 5*'
        $path = Join-Path $Fixtures 'duckdb-null-id.parquet'
        $thrown = { Import-KMeansCentroid -LiteralPath $path -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidFile,KMeans.PowerShell.ImportKMeansCentroidCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike "*column 'cluster_id' is null in row 4*"
    }
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Vector files under another name' {
    BeforeAll {
        $script:Named = Join-Path $Scratch 'named.npy'
        New-KMeansSampleData -Path $Named -Rows 500 -Dimension 6 -Clusters 3 -Seed 4 | Out-Null
        $script:Unnamed = Join-Path $Scratch 'vectors.dat'
        New-KMeansSampleData -Path $Unnamed -Rows 500 -Dimension 6 -Clusters 3 -Seed 4 -Format Npy | Out-Null
    }

    It 'trains, assigns and estimates on what New-KMeansSampleData -Format wrote, given -InputFormat' {
        $expected = Invoke-KMeansTraining -LiteralPath $Named -K 3 -Seed 2 -AsModel
        $model = Invoke-KMeansTraining -LiteralPath $Unnamed -InputFormat Npy -K 3 -Seed 2 -AsModel
        $model.Loss | Should -Be $expected.Loss
        (Get-KMeansAssignment -Path $Unnamed -InputFormat Npy -Centroid $model).ClusterId |
            Should -Be (Get-KMeansAssignment -Path $Named -Centroid $model).ClusterId
        (Get-KMeansDiskEstimate -LiteralPath $Unnamed -InputFormat Npy -K 3).Rows | Should -Be 500
    }

    It 'says to give -InputFormat for a name whose extension gives no format' {
        { Invoke-KMeansTraining -LiteralPath $Unnamed -K 3 -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnsupportedFile,KMeans.PowerShell.InvokeKMeansTrainingCommand' -ExpectedMessage "*has the extension '.dat'*Give -InputFormat (Arrow, ArrowStream, Parquet, Npy, Fvecs, Bvecs)*"
    }
}
