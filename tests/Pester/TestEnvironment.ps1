# Dot-sourced by every Pester file in BeforeAll: imports the built module (never the sources) and makes a scratch folder.
# Build first (dotnet pwsh -NoProfile -File build.ps1 -Task Build); build.ps1 -Task Test runs every *.Tests.ps1 here.

$script:RepositoryRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
$version = ([xml](Get-Content -Raw -LiteralPath (Join-Path $RepositoryRoot 'Directory.Build.props'))).Project.PropertyGroup.VersionPrefix
$script:Manifest = Join-Path $RepositoryRoot "out/KMeans/$version/KMeans.psd1"
if (-not (Test-Path -LiteralPath $Manifest)) {
    throw "The module is not built: run build.ps1 -Task Build first ($Manifest is missing)."
}
Import-Module $Manifest -Force

$script:Scratch = Join-Path ([System.IO.Path]::GetTempPath()) ('pstests-' + [guid]::NewGuid().ToString('N'))
$null = New-Item -ItemType Directory -Path $Scratch

# Runs $Script in a child runspace with the module imported, and returns its output with the streams a caller cannot
# capture from its own runspace: progress above all, and errors and verbose lines alike.
function Invoke-InChildRunspace {
    param([Parameter(Mandatory)] [scriptblock] $Script, [object[]] $ArgumentList = @())
    $shell = [powershell]::Create()
    try {
        $null = $shell.AddCommand('Import-Module').AddArgument($Manifest).AddStatement().AddScript($Script)
        foreach ($argument in $ArgumentList) {
            $null = $shell.AddArgument($argument)
        }
        $output = $shell.Invoke()
        [pscustomobject]@{
            Output = @($output)
            Error = @($shell.Streams.Error)
            Progress = @($shell.Streams.Progress)
            Verbose = @($shell.Streams.Verbose)
        }
    }
    finally {
        $shell.Dispose()
    }
}
