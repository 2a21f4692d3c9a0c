<#
.SYNOPSIS
    Times one Invoke-KMeansTraining per fresh pwsh, as a user's first training of a session runs, for two builds of the
    module, the order of the builds swapped every round: the same data and options with and without -MaxSizeRatio.
    Prints each build's median DurationSeconds per case and the median of the per-round ratios after / before.
.DESCRIPTION
    The bench's balance scenario trains in one warm process, where a pass that runs a few times per training has been
    compiled by earlier rounds; a fresh pwsh is what a user's run meets. Make the input with skewed_mixture.py.
.EXAMPLE
    /usr/bin/python3 bench/balancing/skewed_mixture.py /tmp/mixture.npy
    dotnet pwsh -NoProfile -File bench/balancing/Compare-FreshTrainings.ps1 -Before /tmp/old/KMeans.psd1 -After out/KMeans/0.1.0/KMeans.psd1 -Path /tmp/mixture.npy
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Before,
    [Parameter(Mandatory)] [string] $After,
    [Parameter(Mandatory)] [string] $Path,
    [int] $K = 256,
    [double] $MaxSizeRatio = 1.2,
    [int] $Rounds = 6
)
$ErrorActionPreference = 'Stop'
$pwsh = Join-Path $PSHOME 'pwsh'
$cases = [ordered]@{
    'unbalanced'                   = ''
    "-MaxSizeRatio $MaxSizeRatio" = "-MaxSizeRatio $([string]::Format([cultureinfo]::InvariantCulture, '{0}', $MaxSizeRatio))"
}

function Measure-Build([string] $Module, [string] $Arguments) {
    $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$Module'; " +
              "(Invoke-KMeansTraining -LiteralPath '$Path' -K $K -Seed 1 -MaxIterations 20 -Tolerance 0 -AsModel $Arguments -WarningAction SilentlyContinue).DurationSeconds.ToString([cultureinfo]::InvariantCulture)"
    [double]::Parse((& $pwsh -NoProfile -Command $script | Select-Object -Last 1), [cultureinfo]::InvariantCulture)
}

Import-Module (Join-Path $PSScriptRoot '../BuildComparison.psm1')
Invoke-BuildComparison -Before $Before -After $After -Cases $cases -Rounds $Rounds -Measure ${function:Measure-Build}
