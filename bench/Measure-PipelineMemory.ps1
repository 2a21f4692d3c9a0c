<#
.SYNOPSIS
Pipes generated vectors into Invoke-KMeansTraining, to measure the peak memory of pwsh for pipeline input.

.DESCRIPTION
Emits -Rows float[] vectors of -Dimension values (cycling over 4,096 distinct ones generated from -Seed; every item
is converted and copied by the cmdlet, so each one costs what a distinct vector would) from a script block into
Invoke-KMeansTraining -K, and prints the rows read, the sample size and the time. Run it under /usr/bin/time -v and
read "Maximum resident set size":
  /usr/bin/time -v dotnet pwsh -NoProfile -File bench/Measure-PipelineMemory.ps1 -ModulePath out/KMeans/0.1.0/KMeans.psd1 -Rows 1000000
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath,

    [Parameter(Mandatory)]
    [long] $Rows,

    [int] $Dimension = 32,

    [int] $K = 16,

    [int] $Seed = 1
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module -Name (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$random = [System.Random]::new($Seed)
$pool = foreach ($row in 1..4096) {
    , [float[]]@(foreach ($column in 1..$Dimension) { $random.NextDouble() })
}
$watch = [System.Diagnostics.Stopwatch]::StartNew()
$model = & {
    for ($row = 0L; $row -lt $Rows; $row++) {
        , $pool[$row % 4096]
    }
} | Invoke-KMeansTraining -K $K -Seed $Seed -AsModel
'rows read {0:N0}, sample rows {1:N0}, loss {2:G6}, {3:F1} s' -f $model.RowsRead, $model.SampleRows, $model.Loss, $watch.Elapsed.TotalSeconds
