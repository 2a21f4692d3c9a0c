<#
.SYNOPSIS
Balanced training on small samples of New-KMeansSampleData's blobs: how many rows the prices cannot place.

.DESCRIPTION
For each seed, writes -Rows rows of -Dimension values in 3 + 2 × seed Gaussian blobs, then trains every K of -K with every
ratio of -MaxSizeRatio on the whole file as the sample (-SampleRate 100000, -Seed 1), and assigns the file's rows with
the model's prices (Get-KMeansAssignment -Summary). Prints, per case, the balance passes, the rows displaced (those the
repair had to move because the prices could not place them), the loss, the largest partition of the priced
assignment over the mean, and the seconds the balance passes took; then the totals. Run it with two builds of the
module to compare them:
  dotnet pwsh -NoProfile -File bench/balancing/Measure-SmallSamples.ps1 -ModulePath out/KMeans/0.1.0/KMeans.psd1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath,

    [int] $Rows = 6000,

    [int] $Dimension = 24,

    [int[]] $Seed = 1..4,

    [int[]] $K = @(9, 17, 40),

    [double[]] $MaxSizeRatio = @(1.05, 1.2, 1.5)
)

$ErrorActionPreference = 'Stop'
Import-Module -Name (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$file = [IO.Path]::Combine([IO.Path]::GetTempPath(), "small-samples-$PID.npy")
try {
    $results = foreach ($dataSeed in $Seed) {
        $null = New-KMeansSampleData -Path $file -Rows $Rows -Dimension $Dimension -Clusters (3 + 2 * $dataSeed) -Seed $dataSeed -Force
        foreach ($clusters in $K) {
            foreach ($ratio in $MaxSizeRatio) {
                $model = Invoke-KMeansTraining -Path $file -K $clusters -MaxSizeRatio $ratio -Seed 1 -SampleRate 100000 -AsModel
                $largest = (Get-KMeansAssignment -Path $file -Centroid $model -Summary | Measure-Object -Property Count -Maximum).Maximum
                [pscustomobject]@{
                    Seed = $dataSeed
                    Blobs = 3 + 2 * $dataSeed
                    K = $clusters
                    MaxSizeRatio = $ratio
                    Passes = $model.BalanceHistory.Count
                    Displaced = $model.BalanceHistory[-1].Displaced
                    Loss = [math]::Round($model.Loss, 1)
                    PricedMaxOverMean = [math]::Round($largest / ($Rows / $clusters), 3)
                    BalanceSeconds = [math]::Round(($model.BalanceHistory | Measure-Object -Property ElapsedSeconds -Sum).Sum, 3)
                }
            }
        }
    }
    $results | Format-Table -AutoSize | Out-String -Width 200
    $displaced = $results | Where-Object Displaced -gt 0
    "Cases with displaced rows: $(@($displaced).Count) of $(@($results).Count); rows displaced in all: $(($results | Measure-Object -Property Displaced -Sum).Sum); " +
        "priced partitions above the bound: $(@($results | Where-Object { $_.PricedMaxOverMean -gt $_.MaxSizeRatio + 0.001 }).Count) cases; " +
        "balance seconds in all: $([math]::Round(($results | Measure-Object -Property BalanceSeconds -Sum).Sum, 2))."
}
finally {
    Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
}
