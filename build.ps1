<#
.SYNOPSIS
    Builds, tests and packages the KMeans PowerShell module.

.DESCRIPTION
    Tasks run in the order given:
      Clean       removes out/ and the build outputs of the solution.
      Build       builds the cmdlet assembly; the build lays out the importable module under out/KMeans/<version>/.
      QuickStart  builds, then runs examples/quickstart.ps1 in a fresh pwsh and prints its summary.
      Test        runs every test and fails on any failure: the xunit suites (core, hosted PowerShell, and the Arrow
                  interop tests, whose JavaScript Arrow comes from tests/interop's lockfile through npm ci), then the
                  Pester suites in tests/Pester in a fresh pwsh, with the Pester version pinned in
                  tests/Pester/PesterPackage.csproj (restored from NuGet). Before Pester it zips the module as
                  Package does, because the Pester suite installs that zip as a user would.
      Package     builds, then zips the module as out/KMeans-<version>.zip (unzip into a folder of $env:PSModulePath).
    The version comes from VersionPrefix in Directory.Build.props, the single version source.
    Works under any pwsh 7.4+, however it was installed: child processes are started from $PSHOME.

.PARAMETER Task
    The tasks to run, in order. Build by default.

.PARAMETER Configuration
    The build configuration. Release by default.

.PARAMETER UseInstalledPester
    Run the Pester suites with the newest Pester 5.x found in $env:PSModulePath instead of the pinned one.

.EXAMPLE
    dotnet tool restore; dotnet pwsh -NoProfile -File build.ps1 -Task Test
    Runs every test under the pinned pwsh, as CI does.

.EXAMPLE
    ./build.ps1 -Task Clean, Build, QuickStart
    Rebuilds from scratch and runs the quick start.
#>
[CmdletBinding()]
param(
    [ValidateSet('Clean', 'Build', 'QuickStart', 'Test', 'Package')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [switch] $UseInstalledPester
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
$version = ([xml](Get-Content -Raw -LiteralPath (Join-Path $root 'Directory.Build.props'))).Project.PropertyGroup.VersionPrefix
$moduleDirectory = Join-Path $root "out/KMeans/$version"
$pesterProject = Join-Path $root 'tests/Pester/PesterPackage.csproj'

# A simple function (no param block), so that options such as --configuration reach dotnet through $args untouched.
function Invoke-DotNet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE."
    }
}

# The pwsh that runs this script, as a command and its leading arguments. [Environment]::ProcessPath is 'dotnet' when
# pwsh runs as a .NET tool, so the executable is taken from $PSHOME, where every kind of installation keeps it.
function Get-PwshCommand {
    $executable = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    if (Test-Path -LiteralPath $executable -PathType Leaf) {
        return @($executable)
    }
    return @('dotnet', (Join-Path $PSHOME 'pwsh.dll'))
}

function Invoke-Pwsh {
    param([Parameter(Mandatory)] [string[]] $Arguments)
    $command = @(Get-PwshCommand)
    $leading = @($command | Select-Object -Skip 1)
    # Out-Host, so that the child's output is shown rather than returned with its exit code.
    & $command[0] @leading -NoProfile -NonInteractive @Arguments | Out-Host
    return $LASTEXITCODE
}

function Get-PesterManifest {
    if ($UseInstalledPester) {
        $installed = Get-Module -ListAvailable -Name Pester |
            Where-Object { $_.Version.Major -eq 5 } | Sort-Object Version -Descending | Select-Object -First 1
        if (-not $installed) {
            throw 'No Pester 5.x is installed in $env:PSModulePath; run without -UseInstalledPester to use the pinned one.'
        }
        return $installed.Path
    }
    $pinned = ([xml](Get-Content -Raw -LiteralPath $pesterProject)).Project.ItemGroup.PackageDownload.Version.Trim('[', ']')
    Invoke-DotNet restore $pesterProject --nologo --verbosity quiet
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $manifest = Join-Path $packages.Trim() "pester/$pinned/tools/Pester.psd1"
    if (-not (Test-Path -LiteralPath $manifest)) {
        throw "Pester $pinned was restored, but '$manifest' is missing."
    }
    return $manifest
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

function Invoke-QuickStartTask {
    Invoke-BuildTask
    $exitCode = Invoke-Pwsh -Arguments @('-File', (Join-Path $root 'examples/quickstart.ps1'))
    if ($exitCode -ne 0) {
        throw "The quick start failed with exit code $exitCode."
    }
}

function Invoke-TestTask {
    if (-not (Get-Command npm -ErrorAction Ignore)) {
        throw 'npm is not on PATH: the Arrow interop tests need Node.js with npm (https://nodejs.org).'
    }
    & npm ci --prefix (Join-Path $root 'tests/interop') --no-audit --no-fund
    if ($LASTEXITCODE -ne 0) { throw "npm ci failed with exit code $LASTEXITCODE." }
    Invoke-DotNet test (Join-Path $root 'KMeans.sln') --configuration $Configuration --nologo

    # The Pester suite installs the package the way users do, so it is made from the module just built by dotnet test.
    New-ModulePackage
    $pester = Get-PesterManifest
    # A fresh pwsh: the module under test is imported into a clean process, never into this one.
    $pesterScript = @'
param($PesterManifest, $TestDirectory)
Import-Module -Name $PesterManifest -Force
$configuration = New-PesterConfiguration
$configuration.Run.Path = $TestDirectory
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $configuration
"Pester $((Get-Module Pester).Version)"
"Pester: $($result.PassedCount) passed, $($result.FailedCount) failed, $($result.SkippedCount) skipped"
# The suite is the contract of the users' workflows: a skipped test fails it like a failed one.
if ($result.Result -ne 'Passed' -or $result.FailedCount -gt 0 -or $result.SkippedCount -gt 0 -or $result.PassedCount -eq 0) { exit 1 }
exit 0
'@
    $scriptPath = Join-Path ([System.IO.Path]::GetTempPath()) "kmeans-pester-$PID.ps1"
    Set-Content -LiteralPath $scriptPath -Value $pesterScript
    try {
        $exitCode = Invoke-Pwsh -Arguments @('-File', $scriptPath, $pester, (Join-Path $root 'tests/Pester'))
    }
    finally {
        Remove-Item -LiteralPath $scriptPath -ErrorAction Ignore
    }
    if ($exitCode -ne 0) {
        throw "Pester reported failures (exit code $exitCode)."
    }
}

# Zips the built module as users install it: the archive holds KMeans/<version>/, to unzip into a PSModulePath folder.
function New-ModulePackage {
    $archive = Join-Path $root "out/KMeans-$version.zip"
    Compress-Archive -Path (Join-Path $root 'out/KMeans') -DestinationPath $archive -Force
    Write-Host "Packaged $archive"
}

function Invoke-PackageTask {
    Invoke-BuildTask
    New-ModulePackage
}

foreach ($name in $Task) {
    Write-Host "== $name" -ForegroundColor Cyan
    & "Invoke-${name}Task"
}
