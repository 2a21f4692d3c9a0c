<#
.SYNOPSIS
    Builds, tests and packages the KMeans PowerShell module.

.DESCRIPTION
    Tasks run in the order given:
      Clean    removes out/ and the build outputs of the solution.
      Build    builds the cmdlet assembly; the build lays out the importable module under out/KMeans/<version>/.
      Test     runs every xunit test (dotnet test), then tests/KMeans.Tests.ps1 with Pester 5 in a fresh pwsh when
               Pester 5 is installed.
      Package  builds, then zips the module as out/KMeans-<version>.zip (unzip into a folder of $env:PSModulePath).
    The version comes from VersionPrefix in Directory.Build.props, the single version source.

.EXAMPLE
    ./build.ps1
    Builds the module into out/KMeans/<version>/.

.EXAMPLE
    ./build.ps1 -Task Clean, Build, Test
    Rebuilds from scratch and runs every test.
#>
[CmdletBinding()]
param(
    [ValidateSet('Clean', 'Build', 'Test', 'Package')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
$version = ([xml](Get-Content -Raw -LiteralPath (Join-Path $root 'Directory.Build.props'))).Project.PropertyGroup.VersionPrefix
$moduleDirectory = Join-Path $root "out/KMeans/$version"

# A simple function (no param block), so that options such as --configuration reach dotnet through $args untouched.
function Invoke-DotNet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE."
    }
}

function Invoke-CleanTask {
    if (Test-Path -LiteralPath (Join-Path $root 'out')) {
        Remove-Item -LiteralPath (Join-Path $root 'out') -Recurse -Force
    }
    Invoke-DotNet clean (Join-Path $root 'KMeans.sln') --configuration $Configuration --nologo --verbosity quiet
}

function Invoke-BuildTask {
    Invoke-DotNet build (Join-Path $root 'src/KMeans.PowerShell/KMeans.PowerShell.csproj') --configuration $Configuration --nologo
    $manifest = Test-ModuleManifest -Path (Join-Path $moduleDirectory 'KMeans.psd1')
    Write-Host "Built $($manifest.Name) $($manifest.Version) in $moduleDirectory"
}

function Invoke-TestTask {
    if (Get-Command npm -ErrorAction Ignore) {
        # The Arrow interop tests run apache-arrow for JavaScript from the lockfile.
        & npm ci --prefix (Join-Path $root 'tests/interop') --no-audit --no-fund
        if ($LASTEXITCODE -ne 0) { throw "npm ci failed with exit code $LASTEXITCODE." }
    }
    Invoke-DotNet test (Join-Path $root 'KMeans.sln') --configuration $Configuration --nologo

    $pester = Get-Module -ListAvailable -Name Pester | Where-Object Version -GE ([version] '5.0.0')
    if (-not $pester) {
        Write-Warning 'Pester 5 is not installed, so tests/KMeans.Tests.ps1 did not run (Install-PSResource Pester).'
        return
    }
    # A fresh pwsh: the module under test is imported into a clean process, never into this one.
    $pesterCommand = @"
Import-Module Pester -MinimumVersion 5.0.0
`$configuration = New-PesterConfiguration
`$configuration.Run.Path = '$(Join-Path $root 'tests/KMeans.Tests.ps1')'
`$configuration.Run.Exit = `$true
`$configuration.Output.Verbosity = 'Detailed'
Invoke-Pester -Configuration `$configuration
"@
    & ([System.Environment]::ProcessPath) -NoProfile -NonInteractive -Command $pesterCommand
    if ($LASTEXITCODE -ne 0) {
        throw "Pester reported failures (exit code $LASTEXITCODE)."
    }
}

function Invoke-PackageTask {
    Invoke-BuildTask
    $archive = Join-Path $root "out/KMeans-$version.zip"
    Compress-Archive -Path (Join-Path $root 'out/KMeans') -DestinationPath $archive -Force
    Write-Host "Packaged $archive"
}

foreach ($name in $Task) {
    Write-Host "== $name" -ForegroundColor Cyan
    & "Invoke-${name}Task"
}
