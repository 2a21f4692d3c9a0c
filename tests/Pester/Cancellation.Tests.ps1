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
