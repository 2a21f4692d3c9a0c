<#
.SYNOPSIS
    Times Get-KMeansAssignment of two builds of the module in one run: -Summary, -OutFile .arrow, and -Count 2 and
    -Count 8 (multi-probe lists) -OutFile .arrow, each in a fresh pwsh per build and round (run once untimed, then timed, as the bench's assign scenario does),
    the order of the builds swapped every round. Prints each build's median and the median of the per-round ratios.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/assignment/Compare-AssignmentModules.ps1 -Before /tmp/old/KMeans.psd1 -After out/KMeans/0.1.0/KMeans.psd1 -Rows /tmp/kmeans-assign-bench/assign-W1.npy -Centroid /tmp/kmeans-assign-bench/assign-W1-centroids.npy
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Before,
    [Parameter(Mandatory)] [string] $After,
    [Parameter(Mandatory)] [string] $Rows,
    [Parameter(Mandatory)] [string] $Centroid,
    [int] $Rounds = 8,
    [int] $ThrottleLimit = 2
)
$ErrorActionPreference = 'Stop'
$pwsh = Join-Path $PSHOME 'pwsh'
$outFile = Join-Path ([System.IO.Path]::GetTempPath()) "compare-assignment-$PID.arrow"
$cases = [ordered]@{
    '-Summary'                    = '-Summary'
    '-OutFile .arrow'             = "-OutFile '$outFile' -Force"
    '-Count 2 -OutFile .arrow'    = "-Count 2 -OutFile '$outFile' -Force"
    '-Count 8 -OutFile .arrow'    = "-Count 8 -OutFile '$outFile' -Force"
}

function Measure-Build([string] $Module, [string] $Arguments) {
    $command = "Get-KMeansAssignment -LiteralPath '$Rows' -Centroid '$Centroid' -ThrottleLimit $ThrottleLimit $Arguments"
    # The untimed call assigns its output as the timed one does: pwsh binds an assignment of each kind of output the
    # first time it meets one (about 1.4 ms for a FileInfo), which is the script's cost, not the cmdlet's.
    $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$Module'; `$s = $command; " +
              "(Measure-Command { `$s = $command }).TotalSeconds.ToString([cultureinfo]::InvariantCulture)"
    [double]::Parse((& $pwsh -NoProfile -Command $script | Select-Object -Last 1), [cultureinfo]::InvariantCulture)
}

Import-Module (Join-Path $PSScriptRoot '../BuildComparison.psm1')
Invoke-BuildComparison -Before $Before -After $After -Cases $cases -Rounds $Rounds -Measure ${function:Measure-Build}
Remove-Item -LiteralPath $outFile -ErrorAction SilentlyContinue
