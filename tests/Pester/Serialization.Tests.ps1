#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# What scripts get when they hand the module's objects to PowerShell's own serializers.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $random = [System.Random]::new(3)
    $script:Vectors = foreach ($i in 0..299) {
        $centre = ($i % 3) * 20 + 1
        , [float[]]@(0..3 | ForEach-Object { $centre + $random.NextDouble() })
    }
    $script:Model = $Vectors | Invoke-KMeansTraining -K 3 -Seed 1 -Distance Cosine -AsModel
}

AfterAll {
    Remove-Module KMeans -ErrorAction Ignore
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'ConvertTo-Json' {
    It 'names the metric of a model and of each centroid, not its number' {
        $json = $Model | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue | ConvertFrom-Json
        $json.Distance | Should -Be 'Cosine'
        $json.Centroids.Distance | Should -Be 'Cosine', 'Cosine', 'Cosine'
    }

    It 'names the storage recommendation of an estimate' {
        $json = Get-KMeansDiskEstimate -K 16 -Dimension 8 | ConvertTo-Json | ConvertFrom-Json
        $json.Recommendation | Should -BeIn 'InMemory', 'OnDisk'
    }

    It 'writes every duration as one number of seconds' {
        $json = $Model | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue | ConvertFrom-Json
        $json.DurationSeconds | Should -BeOfType [double]
        $json.DurationSeconds | Should -Be $Model.DurationSeconds
        $json.DurationSeconds | Should -BeGreaterThan 0
        $json.History.Count | Should -Be $Model.Iterations
        $json.History.ElapsedSeconds | Should -Be $Model.History.ElapsedSeconds
        $json.History[0].PSObject.Properties.Name | Should -Not -Contain 'Ticks'
    }

    It 'writes the predicted times of a calibrated estimate as seconds' {
        $estimate = Get-KMeansDiskEstimate -K 1024 -Dimension 16 -Calibrate
        $json = $estimate | ConvertTo-Json | ConvertFrom-Json
        $json.FlatIterationSeconds | Should -Be $estimate.FlatIterationSeconds
        $json.HierarchicalTrainingSeconds | Should -BeGreaterThan 0
    }
}

Describe 'Measure-Object' {
    It 'sums the iteration times of a model to no more than its duration' {
        $sum = ($Model.History | Measure-Object ElapsedSeconds -Sum).Sum
        $sum | Should -BeGreaterThan 0
        $sum | Should -BeLessOrEqual $Model.DurationSeconds
    }
}
