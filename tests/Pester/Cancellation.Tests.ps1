#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Ctrl+C on a long training, as PowerShell.Stop() on the runspace that runs it.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $script:LongFile = (New-KMeansSampleData -Path (Join-Path $Scratch 'long.npy') -Rows 4000 -Dimension 32 -Clusters 8 -Seed 1).FullName
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Stopping a training' {
    BeforeAll {
        $script:TempDirectory = (New-Item -ItemType Directory -Path (Join-Path $Scratch 'spill')).FullName
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                    param($Manifest, $Path, $TempDirectory)
                    Import-Module $Manifest
                    Invoke-KMeansTraining -Path $Path -K 64 -Init Random -Tolerance 0 -MaxIterations 1000000 -OnDisk -TempDirectory $TempDirectory -AsModel
                }).AddArgument($Manifest).AddArgument($LongFile).AddArgument($TempDirectory)
            $running = $shell.BeginInvoke()
            # Wait until iterations run, then time two more progress records, to compare the stop with.
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while (@($shell.Streams.Progress | Where-Object StatusDescription -Like 'Iteration *').Count -lt 3 -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 20
            }
            $script:RunningState = $shell.InvocationStateInfo.State
            $iterationWatch = [System.Diagnostics.Stopwatch]::StartNew()
            $seen = @($shell.Streams.Progress | Where-Object StatusDescription -Like 'Iteration *').Count
            while (@($shell.Streams.Progress | Where-Object StatusDescription -Like 'Iteration *').Count -lt $seen + 2 -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 5
            }
            $script:IterationTime = $iterationWatch.Elapsed
            $stopWatch = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $script:StopTime = $stopWatch.Elapsed
            $script:Completed = $running.IsCompleted
            $script:FinalState = $shell.InvocationStateInfo.State
        }
        finally {
            $shell.Dispose()
        }
    }

    It 'was still iterating when stopped' {
        $RunningState | Should -Be 'Running'
        $IterationTime.TotalSeconds | Should -BeGreaterThan 0
    }

    It 'returns within about one iteration' {
        $Completed | Should -BeTrue
        $FinalState | Should -Be 'Stopped'
        # A progress record is throttled to ~200 ms, so the time between records bounds an iteration from above.
        $StopTime.TotalSeconds | Should -BeLessThan ([math]::Max(2, 2 * $IterationTime.TotalSeconds))
    }

    It 'leaves no file in -TempDirectory' {
        Get-ChildItem -LiteralPath $TempDirectory -Force | Should -BeNullOrEmpty
    }
}

Describe 'A writer told to terminate' -Skip:(-not $IsLinux) {
    # Writing shows by its temporary file; a training with a checkpoint by the lock it holds from its start.
    It 'leaves no temporary file when its process gets SIGTERM while <Name> writes' -ForEach @(
        @{ Name = 'New-KMeansSampleData'; Command = 'New-KMeansSampleData -LiteralPath ''{0}'' -Rows 40000000 -Dimension 64 -Seed 1'; File = 'big.npy'; Writing = '*.tmp' }
        @{ Name = 'Get-KMeansAssignment -OutFile'; Command = '$c = Invoke-KMeansTraining -LiteralPath ''{1}'' -K 4 -Seed 1 -AsModel; Get-KMeansAssignment -LiteralPath (@(''{1}'') * 20000) -Centroid $c -OutFile ''{0}'''; File = 'labels.arrow'; Writing = '*.tmp' }
        @{ Name = 'Invoke-KMeansTraining -CheckpointPath'; Command = 'Invoke-KMeansTraining -LiteralPath ''{1}'' -K 64 -Init Random -Tolerance 0 -MaxIterations 1000000 -CheckpointPath ''{0}'' -CheckpointInterval 01:00:00'; File = 'state.kmc'; Writing = '*.lock' }
    ) {
        $directory = (New-Item -ItemType Directory -Path (Join-Path $Scratch "terminated-$($File -replace '\W')")).FullName
        $target = Join-Path $directory $File
        $script = "Import-Module '$Manifest'; " + ($Command -f $target, $LongFile)
        # This very pwsh, started without the dotnet tool command in between (which would take the signal): its
        # executable, or the dotnet host and pwsh.dll when that is how it runs.
        $executable = [Environment]::ProcessPath
        $leading = if ([System.IO.Path]::GetFileNameWithoutExtension($executable) -eq 'dotnet') { , [System.Reflection.Assembly]::GetEntryAssembly().Location } else { @() }
        $start = [System.Diagnostics.ProcessStartInfo]::new($executable)
        foreach ($argument in @($leading) + @('-NoProfile', '-NonInteractive', '-Command', $script)) {
            $start.ArgumentList.Add($argument)
        }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($start)
        try {
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while (-not (Get-ChildItem -LiteralPath $directory -Force -Filter $Writing) -and -not $process.HasExited -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 20
            }
            $writing = @(Get-ChildItem -LiteralPath $directory -Force -Filter $Writing).Count
            if ($process.HasExited) {
                throw "The writer ended before it was told to (exit code $($process.ExitCode)): $($process.StandardOutput.ReadToEnd()) $($process.StandardError.ReadToEnd())"
            }
            & kill -TERM $process.Id
            $process.WaitForExit(30000) | Should -BeTrue
        }
        finally {
            if (-not $process.HasExited) { $process.Kill() }
            $process.Dispose()
        }
        $writing | Should -Be 1
        @(Get-ChildItem -LiteralPath $directory -Force) | Should -BeNullOrEmpty
    }
}
