#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The user's installation: the zip of build.ps1 -Task Package, unzipped into a PSModulePath folder, imported by name.
# build.ps1 -Task Test makes the zip from the module under test before running Pester.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $version = ([xml](Get-Content -Raw -LiteralPath (Join-Path $RepositoryRoot 'Directory.Build.props'))).Project.PropertyGroup.VersionPrefix
    $script:Archive = Join-Path $RepositoryRoot "out/KMeans-$version.zip"
    if (-not (Test-Path -LiteralPath $Archive)) {
        throw "The package is not built: run build.ps1 -Task Package first ($Archive is missing)."
    }
    $script:ModulesFolder = Join-Path $Scratch 'Modules'
    Expand-Archive -LiteralPath $Archive -DestinationPath $ModulesFolder
    $script:Pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'The packaged module' {
    It 'holds KMeans/<version>/ with the manifest, the cmdlet assembly, the views and the help' {
        $installed = Join-Path $ModulesFolder "KMeans/$((Test-ModuleManifest -Path $Manifest).Version)"
        foreach ($file in 'KMeans.psd1', 'KMeans.PowerShell.dll', 'KMeans.format.ps1xml', 'KMeans.types.ps1xml', 'en-US/about_KMeans.help.txt', 'en-US/KMeans.PowerShell.dll-Help.xml', 'Dependencies/KMeans.Core.dll') {
            Test-Path -LiteralPath (Join-Path $installed $file) | Should -BeTrue -Because "the package must contain $file"
        }
    }

    It 'is made from the module under test' {
        $installed = Join-Path $ModulesFolder "KMeans/$((Test-ModuleManifest -Path $Manifest).Version)"
        foreach ($file in 'KMeans.PowerShell.dll', 'Dependencies/KMeans.Core.dll') {
            (Get-FileHash -LiteralPath (Join-Path $installed $file)).Hash |
                Should -Be (Get-FileHash -LiteralPath (Join-Path (Split-Path $Manifest) $file)).Hash -Because "$file must be the one just built"
        }
    }

    It 'imports by name with Import-Module KMeans in a fresh pwsh, from the PSModulePath folder, and trains' {
        $script = @'
$ErrorActionPreference = 'Stop'
Import-Module KMeans
$module = Get-Module KMeans
$centroids = 0..9 | ForEach-Object { , [float[]]@($_, 0) } | Invoke-KMeansTraining -K 2 -Seed 1
"$($module.ModuleBase)|$($centroids.Count)|$((Get-Help about_KMeans | Out-String) -match 'INSTALLATION')"
'@
        $previous = $env:PSModulePath
        try {
            $env:PSModulePath = $ModulesFolder + [System.IO.Path]::PathSeparator + $previous
            $output = & $Pwsh -NoProfile -NonInteractive -Command $script
        }
        finally {
            $env:PSModulePath = $previous
        }
        $LASTEXITCODE | Should -Be 0
        $base, $count, $help = $output -split '\|'
        $base | Should -BeLike "$ModulesFolder*"
        $count | Should -Be 2
        $help | Should -Be 'True'
    }
}
