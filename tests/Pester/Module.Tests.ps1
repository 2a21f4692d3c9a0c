#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# What a user gets from Import-Module KMeans: the manifest, the exported commands, a clean import in a new process.

BeforeDiscovery {
    $exportedCmdlets = (Import-PowerShellDataFile -LiteralPath (Join-Path $PSScriptRoot '../../KMeans.psd1')).CmdletsToExport
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $script:Pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $script:ManifestInfo = Test-ModuleManifest -Path $Manifest
    $script:SourceManifest = Import-PowerShellDataFile -LiteralPath (Join-Path $RepositoryRoot 'KMeans.psd1')
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Importing the module' {
    It 'imports by path in a fresh pwsh, which then lists exactly the exported commands' {
        $listed = & $Pwsh -NoProfile -NonInteractive -Command "Import-Module '$Manifest'; (Get-Command -Module KMeans).Name -join ','"
        $LASTEXITCODE | Should -Be 0
        $listed -split ',' | Sort-Object | Should -Be (@($SourceManifest.CmdletsToExport) + @($SourceManifest.AliasesToExport) | Sort-Object)
    }

    It 'imports in a background job, as a scheduled ops script runs it' {
        $job = Start-Job -ScriptBlock {
            param($Path)
            Import-Module $Path
            (Get-Module KMeans).Version.ToString()
        } -ArgumentList $Manifest
        try {
            $job | Wait-Job -Timeout 120 | Receive-Job | Should -Be $ManifestInfo.Version.ToString()
            $job.State | Should -Be 'Completed'
        }
        finally {
            $job | Remove-Job -Force
        }
    }

    It 'imports again after Remove-Module in the same session and still trains' {
        Remove-Module KMeans
        Import-Module $Manifest
        $centroids = 0..9 | ForEach-Object { , [float[]]@($_, 0) } | Invoke-KMeansTraining -K 2 -Seed 1
        $centroids.Count | Should -Be 2
    }

    It 'keeps the engine types out of sight and the output types public' {
        'KMeans.Core.Training.KMeansOptions' -as [type] | Should -BeNullOrEmpty
        'KMeans.PowerShell.KMeansCentroid' -as [type] | Should -Not -BeNullOrEmpty
    }
}

Describe 'The manifest' {
    It 'passes Test-ModuleManifest with <Field> = <Expected>' -ForEach @(
        @{ Field = 'Name'; Expected = 'KMeans' }
        @{ Field = 'RootModule'; Expected = 'KMeans.PowerShell.dll' }
        @{ Field = 'PowerShellVersion'; Expected = '7.4' }
        @{ Field = 'CompatiblePSEditions'; Expected = 'Core' }
        @{ Field = 'Guid'; Expected = '6f0c1d8e-4b7a-4f55-9c3e-2a9d7e51b3c4' }
    ) {
        "$($ManifestInfo.$Field)" | Should -Be $Expected
    }

    It 'carries the version of Directory.Build.props, the single version source' {
        $props = [xml](Get-Content -Raw -LiteralPath (Join-Path $RepositoryRoot 'Directory.Build.props'))
        $ManifestInfo.Version | Should -Be ([version]$props.Project.PropertyGroup.VersionPrefix)
    }

    It 'describes the module and tags it for the gallery' {
        $ManifestInfo.Description | Should -Match 'k-means'
        $ManifestInfo.Tags | Should -Contain 'kmeans'
        $ManifestInfo.LicenseUri | Should -Not -BeNullOrEmpty
    }

    It 'loads its format file' {
        $ManifestInfo.ExportedFormatFiles | Split-Path -Leaf | Should -Be 'KMeans.format.ps1xml'
        Test-Path -LiteralPath $ManifestInfo.ExportedFormatFiles[0] | Should -BeTrue
    }

    It 'loads its type file, which makes deserialized models live again' {
        $ManifestInfo.ExportedTypeFiles | Split-Path -Leaf | Should -Be 'KMeans.types.ps1xml'
        Test-Path -LiteralPath $ManifestInfo.ExportedTypeFiles[0] | Should -BeTrue
        (Get-TypeData 'Deserialized.KMeans.PowerShell.KMeansModel').TargetTypeForDeserialization | Should -Be ([KMeans.PowerShell.KMeansModel])
    }

    It 'lists its exports one by one, without wildcards' {
        foreach ($list in 'CmdletsToExport', 'AliasesToExport', 'FunctionsToExport', 'VariablesToExport') {
            $SourceManifest.ContainsKey($list) | Should -BeTrue -Because "$list must be explicit"
            @($SourceManifest[$list]) -join ',' | Should -Not -Match '\*' -Because "$list must not use wildcards"
        }
        @($SourceManifest.FunctionsToExport).Count | Should -Be 0
        @($SourceManifest.VariablesToExport).Count | Should -Be 0
    }

    It 'exports exactly the cmdlets and aliases it lists, and no function or variable' {
        $module = Get-Module KMeans
        $module.ExportedCmdlets.Keys | Sort-Object | Should -Be ($SourceManifest.CmdletsToExport | Sort-Object)
        $module.ExportedAliases.Keys | Sort-Object | Should -Be ($SourceManifest.AliasesToExport | Sort-Object)
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedVariables.Count | Should -Be 0
    }
}

Describe 'The exported commands' {
    It 'resolves the plural alias Export-KMeansCentroids to Export-KMeansCentroid' {
        (Get-Alias Export-KMeansCentroids).ResolvedCommandName | Should -Be 'Export-KMeansCentroid'
    }

    It '<_> declares its output type' -ForEach $exportedCmdlets {
        (Get-Command $_).OutputType | Should -Not -BeNullOrEmpty
    }

    It 'gives every KMeans output type a default view' {
        $formatted = Get-FormatData -TypeName 'KMeans.PowerShell.*' | ForEach-Object TypeNames
        $outputTypes = Get-Command -Module KMeans | ForEach-Object { $_.OutputType.Name } | Where-Object { $_ -like 'KMeans.*' } | Sort-Object -Unique
        $outputTypes | Should -Not -BeNullOrEmpty
        foreach ($type in $outputTypes) {
            $formatted | Should -Contain $type
        }
    }
}
