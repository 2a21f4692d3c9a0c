BeforeAll { . (Join-Path $PSScriptRoot 'TestEnvironment.ps1') }

Describe 'Checkpoints' {
    BeforeAll {
        $script:Data = (New-KMeansSampleData -Path (Join-Path $Scratch 'blobs.npy') -Rows 6000 -Dimension 16 -Clusters 12 -Seed 5).FullName
        $script:Training = @{ LiteralPath = $Data; K = 24; Seed = 9; Tolerance = 0; MaxIterations = 60; Init = 'Random' }
        $script:Uninterrupted = Invoke-KMeansTraining @Training -AsModel

        # Runs the training in a runspace of its own, as a console does, and stops it as Ctrl+C does once iteration 5
        # is reported; returns the invocation's final state. One script, not a batch of statements: a stopped batch
        # goes on reading the runspace on the thread pool, and disposing it then can end the process.
        function Stop-TrainingAtIteration5 {
            param([hashtable] $Parameters, [string] $CheckpointPath)
            $shell = [powershell]::Create()
            try {
                $null = $shell.AddScript({
                        param($Manifest, $Parameters, $CheckpointPath)
                        Import-Module $Manifest
                        Invoke-KMeansTraining @Parameters -CheckpointPath $CheckpointPath -CheckpointInterval ([timespan]::Zero)
                    }).AddArgument($Manifest).AddArgument($Parameters).AddArgument($CheckpointPath)
                $running = $shell.BeginInvoke()
                $deadline = [datetime]::UtcNow.AddSeconds(30)
                while (-not @($shell.Streams.Progress | Where-Object StatusDescription -Like 'Iteration 5 *').Count -and [datetime]::UtcNow -lt $deadline) {
                    Start-Sleep -Milliseconds 20
                }
                $shell.Stop()
                $null = $running.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(30))
                $shell.InvocationStateInfo.State
            }
            finally {
                $shell.Dispose()
            }
        }
    }

    It 'resumes a training stopped with PowerShell.Stop() to the centroids of one uninterrupted run' {
        $checkpoint = Join-Path $Scratch 'stopped.kmc'
        Stop-TrainingAtIteration5 -Parameters $Training -CheckpointPath $checkpoint | Should -Be 'Stopped'
        Test-Path -LiteralPath $checkpoint | Should -BeTrue

        $resumed = Invoke-KMeansTraining @Training -CheckpointPath $checkpoint -Resume -AsModel -Verbose 4>&1
        $messages = $resumed | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $model = $resumed | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }

        @($messages.Message -match "^Resumed at iteration \d+ from the checkpoint '.*stopped\.kmc'\.$").Count | Should -Be 1
        $model.Loss | Should -Be $Uninterrupted.Loss
        $model.Iterations | Should -Be $Uninterrupted.Iterations
        for ($c = 0; $c -lt 24; $c++) {
            $model.Centroids[$c].Vector | Should -Be $Uninterrupted.Centroids[$c].Vector
        }
        @(Get-ChildItem -LiteralPath $Scratch -Filter '.stopped.kmc.*' -Force).Count | Should -Be 0
    }

    It 'returns the result of a finished checkpoint without training again' {
        $checkpoint = Join-Path $Scratch 'finished.kmc'
        $null = Invoke-KMeansTraining @Training -CheckpointPath $checkpoint
        $again = Invoke-KMeansTraining @Training -CheckpointPath $checkpoint -Resume -AsModel -Verbose 4>&1
        ($again | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
            Should -Contain "The checkpoint holds a finished training (finished after 60 iterations): returning its result from the checkpoint '$checkpoint'."
        ($again | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Loss | Should -Be $Uninterrupted.Loss
    }

    It 'balances the result of a finished checkpoint again, as the first run did, for -MaxSizeRatio' {
        # An ops script reruns the same command with -Resume: the checkpoint keeps the training before balancing.
        $checkpoint = Join-Path $Scratch 'balanced.kmc'
        $first = Invoke-KMeansTraining @Training -MaxSizeRatio 1.1 -CheckpointPath $checkpoint -AsModel -WarningVariable firstWarnings 3>$null
        $again = Invoke-KMeansTraining @Training -MaxSizeRatio 1.1 -CheckpointPath $checkpoint -Resume -AsModel -WarningVariable againWarnings 3>$null
        @($againWarnings).Message | Should -Be @($firstWarnings).Message
        $first.BalanceHistory.Count | Should -BeGreaterThan 1
        $again.BalanceHistory.Count | Should -Be $first.BalanceHistory.Count
        $again.Centroids.Price | Should -Be $first.Centroids.Price
        ($again.Centroids | ForEach-Object Size) | Should -Be ($first.Centroids | ForEach-Object Size)
        $again.Loss | Should -Be $first.Loss
        $again.PartitionSizes.Max | Should -BeLessOrEqual $again.MaxPartitionSize
    }

    It 'resumes a training in a reduced dimension stopped with PowerShell.Stop(), and refuses another training dimension' {
        $checkpoint = Join-Path $Scratch 'reduced.kmc'
        $reduced = $Training.Clone()
        $reduced.TrainDimension = 6
        $expected = Invoke-KMeansTraining @reduced -AsModel
        Stop-TrainingAtIteration5 -Parameters $reduced -CheckpointPath $checkpoint | Should -Be 'Stopped'
        Test-Path -LiteralPath $checkpoint | Should -BeTrue
        $other = $reduced.Clone()
        $other.TrainDimension = 8
        { Invoke-KMeansTraining @other -CheckpointPath $checkpoint -Resume } |
            Should -Throw -ErrorId 'CheckpointMismatch,KMeans.PowerShell.InvokeKMeansTrainingCommand' -ExpectedMessage '*TrainDimension was 6 and is 8 now*'

        $resumed = Invoke-KMeansTraining @reduced -CheckpointPath $checkpoint -Resume -AsModel
        $resumed.TrainDimension | Should -Be 6
        $resumed.TrainDimensionLoss | Should -Be $expected.TrainDimensionLoss
        $resumed.Loss | Should -Be $expected.Loss
        $resumed.Dimension | Should -Be 16
        for ($c = 0; $c -lt 24; $c++) {
            $resumed.Centroids[$c].Vector | Should -Be $expected.Centroids[$c].Vector
        }
        $again = Invoke-KMeansTraining @reduced -CheckpointPath $checkpoint -Resume -AsModel -Verbose 4>&1
        $model = $again | Where-Object { $_ -is [KMeans.PowerShell.KMeansModel] }
        $model.TrainDimensionLoss | Should -Be $expected.TrainDimensionLoss
        $model.Loss | Should -Be $expected.Loss
        # A finished reduced training finishes again from its progress in the training dimension (size bounds may differ).
        @($again | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) |
            Should -Contain "Resumed at the end of the training in its training dimension, after $($expected.Iterations) iterations from the checkpoint '$checkpoint'."
        $balanced = Invoke-KMeansTraining @reduced -MaxSizeRatio 1.5 -CheckpointPath $checkpoint -Resume -AsModel
        $fresh = Invoke-KMeansTraining @reduced -MaxSizeRatio 1.5 -AsModel
        $balanced.Loss | Should -Be $fresh.Loss
        $balanced.Centroids[0].Vector | Should -Be $fresh.Centroids[0].Vector
    }

    It 'goes on when its checkpoint cannot be written, and says so: while training, and for the finished training' {
        # The checkpoint's directory is moved away once iteration 3 is reported (a write in flight lands there): every
        # write after fails. Enough iterations that the training is still at it then.
        $long = $Training.Clone()
        $long.MaxIterations = 1500
        $directory = (New-Item -ItemType Directory -Path (Join-Path $Scratch 'removed')).FullName
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                    param($Manifest, $Parameters, $CheckpointPath)
                    Import-Module $Manifest
                    Invoke-KMeansTraining @Parameters -CheckpointPath $CheckpointPath -CheckpointInterval ([timespan]::Zero) -AsModel
                }).AddArgument($Manifest).AddArgument($long).AddArgument((Join-Path $directory 'run.kmc'))
            $running = $shell.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while (-not @($shell.Streams.Progress | Where-Object StatusDescription -Like 'Iteration 3 *').Count -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 5
            }
            [System.IO.Directory]::Move($directory, "$directory-away")
            $model = $shell.EndInvoke($running)
            $warnings = @($shell.Streams.Warning.Message)
        }
        finally {
            $shell.Dispose()
        }
        $model.Loss | Should -Be (Invoke-KMeansTraining @long -AsModel).Loss
        $model.Iterations | Should -Be 1500
        $warnings.Count | Should -BeGreaterThan 1
        $warnings[0..($warnings.Count - 2)] | Should -BeLike "The checkpoint could not be written: * Training goes on: '*run.kmc' keeps the last state written*"
        $warnings[-1] | Should -BeLike "The checkpoint could not record the finished training: * The model is output as usual; '*run.kmc' keeps the last state written during training, if any, from which -Resume would train again."
    }

    It 'refuses other parameters with CheckpointMismatch naming them' {
        $checkpoint = Join-Path $Scratch 'mismatch.kmc'
        $null = Invoke-KMeansTraining @Training -CheckpointPath $checkpoint
        $other = $Training.Clone()
        $other.K = 20
        { Invoke-KMeansTraining @other -CheckpointPath $checkpoint -Resume } |
            Should -Throw -ErrorId 'CheckpointMismatch,KMeans.PowerShell.InvokeKMeansTrainingCommand' -ExpectedMessage '*K was 24 and is 20 now*'
    }

    It 'refuses a damaged checkpoint with InvalidFile naming it' {
        $checkpoint = Join-Path $Scratch 'damaged.kmc'
        [System.IO.File]::WriteAllBytes($checkpoint, [byte[]](1..40))
        { Invoke-KMeansTraining @Training -CheckpointPath $checkpoint -Resume } |
            Should -Throw -ErrorId 'InvalidFile,KMeans.PowerShell.InvokeKMeansTrainingCommand' -ExpectedMessage "*'$checkpoint'*"
    }

    It 'refuses to replace a checkpoint without -Resume' {
        $checkpoint = Join-Path $Scratch 'kept.kmc'
        Set-Content -LiteralPath $checkpoint -Value 'kept'
        { Invoke-KMeansTraining @Training -CheckpointPath $checkpoint } |
            Should -Throw -ErrorId 'FileExists,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        Get-Content -LiteralPath $checkpoint | Should -Be 'kept'
    }

    It 'refuses a checkpoint that another training holds, and leaves it to that training' {
        # The holder has not written its first checkpoint yet: -Resume must not first warn that a new training starts.
        $checkpoint = Join-Path $Scratch 'held.kmc'
        $lock = [System.IO.File]::Open((Join-Path $Scratch '.held.kmc.lock'), 'OpenOrCreate', 'ReadWrite', 'None')
        try {
            { Invoke-KMeansTraining @Training -CheckpointPath $checkpoint -Resume -WarningVariable warnings 3>$null } |
                Should -Throw -ErrorId 'CheckpointInUse,KMeans.PowerShell.InvokeKMeansTrainingCommand' -ExpectedMessage "The checkpoint '$checkpoint' is in use by another training*"
            $warnings | Should -BeNullOrEmpty
            { Invoke-KMeansTraining @Training -CheckpointPath $checkpoint -Resume -WhatIf } |
                Should -Throw -ErrorId 'CheckpointInUse,KMeans.PowerShell.InvokeKMeansTrainingCommand'
            Test-Path -LiteralPath $checkpoint | Should -BeFalse
        }
        finally {
            $lock.Dispose()
        }
        Invoke-KMeansTraining @Training -CheckpointPath $checkpoint -Resume | Should -Not -BeNullOrEmpty
    }

    It 'warns and starts a new training when -Resume finds no checkpoint' {
        $checkpoint = Join-Path $Scratch 'new.kmc'
        $model = Invoke-KMeansTraining @Training -CheckpointPath $checkpoint -Resume -AsModel -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings.Message | Should -BeLike "There is no checkpoint at '$checkpoint' to resume*"
        $model.Loss | Should -Be $Uninterrupted.Loss
        Test-Path -LiteralPath $checkpoint | Should -BeTrue
    }

    It 'refuses a directory as the checkpoint without first warning that a new training starts' {
        $directory = New-Item -ItemType Directory -Path (Join-Path $Scratch 'folder.kmc')
        $refusal = try {
            Invoke-KMeansTraining @Training -CheckpointPath $directory.FullName -Resume -WarningVariable warnings -WarningAction SilentlyContinue
        }
        catch {
            $_
        }
        $refusal.FullyQualifiedErrorId | Should -Be 'TargetNotRegularFile,KMeans.PowerShell.InvokeKMeansTrainingCommand'
        $refusal.Exception.Message | Should -BeLike '*is a directory*'
        $warnings | Should -BeNullOrEmpty
    }

    It 'needs -CheckpointPath for -Resume' {
        { Invoke-KMeansTraining @Training -Resume } |
            Should -Throw -ErrorId 'InvalidOption,KMeans.PowerShell.InvokeKMeansTrainingCommand'
    }
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force
}
