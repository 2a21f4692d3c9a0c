#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The quick start of the README (build.ps1 -Task QuickStart runs it): the module's main job, end to end.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $script:OutputDirectory = Join-Path $Scratch 'quickstart'
    $script:Output = & (Join-Path $RepositoryRoot 'examples/quickstart.ps1') -OutputDirectory $OutputDirectory
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'The quick start' {
    It 'prints its summary lines and one count per cluster' {
        $lines = @($Output | Where-Object { $_ -is [string] })
        $lines[0] | Should -BeLike 'Sample*20,000 vectors of dimension 32*'
        @($lines | Where-Object { $_ -like 'Training     K = 12,*on disk: True*' }).Count | Should -Be 1
        $summary = @($Output | Where-Object { $_ -is [KMeans.PowerShell.KMeansAssignmentSummary] })
        $summary.Count | Should -Be 12
        ($summary | ForEach-Object Count | Measure-Object -Sum).Sum | Should -Be 20000
    }

    It 'leaves the sample and the centroids, and no temporary training file' {
        Get-ChildItem -LiteralPath $OutputDirectory -Force | ForEach-Object Name | Sort-Object | Should -Be 'centroids.arrow', 'sample.parquet'
    }
}
