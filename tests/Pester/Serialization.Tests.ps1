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
}
