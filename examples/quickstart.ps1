<#
.SYNOPSIS
    KMeans quick start: makes a small sample, trains on disk with progress, exports the centroids, prints a summary.

.DESCRIPTION
    Uses only Microsoft.PowerShell.Core cmdlets, .NET and the KMeans module, so it runs in any PowerShell 7.4+ host.
    It imports the module built under out/KMeans/<version>/ unless a KMeans module is already imported. Build it
    first with:  dotnet pwsh -NoProfile -File build.ps1 -Task Build

.PARAMETER OutputDirectory
    Where the sample, the temporary training file and the centroids go; created if missing. By default a
    'kmeans-quickstart' folder in the system temporary directory.

.EXAMPLE
    dotnet pwsh -NoProfile -File examples/quickstart.ps1 -OutputDirectory ./quickstart
#>
[CmdletBinding()]
param(
    [string] $OutputDirectory = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'kmeans-quickstart')
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if (-not (Get-Module KMeans)) {
    $repository = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..'))
    $version = ([xml][System.IO.File]::ReadAllText([System.IO.Path]::Combine($repository, 'Directory.Build.props'))).Project.PropertyGroup.VersionPrefix
    $manifest = [System.IO.Path]::Combine($repository, 'out', 'KMeans', $version, 'KMeans.psd1')
    if (-not [System.IO.File]::Exists($manifest)) {
        throw "The module is not built yet ('$manifest' is missing): run 'dotnet tool restore; dotnet pwsh -NoProfile -File build.ps1 -Task Build' first."
    }
    Import-Module $manifest
}

$OutputDirectory = [System.IO.Directory]::CreateDirectory($OutputDirectory).FullName
$samplePath = [System.IO.Path]::Combine($OutputDirectory, 'sample.parquet')
$centroidPath = [System.IO.Path]::Combine($OutputDirectory, 'centroids.arrow')
$k = 12

# 1. A small sample: 20,000 vectors of 32 dimensions drawn around 12 centres.
$sample = New-KMeansSampleData -Path $samplePath -Rows 20000 -Dimension 32 -Clusters $k -Seed 7 -Force

# 2. What would training need? (256 × K rows of the sample, in memory or in a temporary file.)
$estimate = Get-KMeansDiskEstimate -Path $samplePath -K $k -TempDirectory $OutputDirectory

# 3. Train with the sample in a memory-mapped temporary file; progress shows the sampling, then every iteration.
$model = Invoke-KMeansTraining -Path $samplePath -K $k -Seed 7 -OnDisk -TempDirectory $OutputDirectory -AsModel

# 4. Export the centroids (Arrow IPC, readable by pyarrow and usable as Lance ivf_centroids).
$exported = $model | Export-KMeansCentroids -Path $centroidPath -Force

# 5. Read them back, and count the sample's vectors per cluster.
$imported = @(Import-KMeansCentroid -Path $centroidPath)
$summary = Get-KMeansAssignment -Path $samplePath -Centroid $centroidPath -Summary

"Sample       $($sample.FullName): 20,000 vectors of dimension 32 ($($sample.Length) bytes)"
"Estimate     $($estimate.SampleRows) sample rows, $($estimate.Size) on disk; recommended: $($estimate.Recommendation)"
"Training     K = $($model.K), $($model.Iterations) iterations, converged: $($model.Converged), loss $($model.Loss.ToString('G6')), on disk: $($model.OnDisk), $($model.DurationSeconds.ToString('F2', [cultureinfo]::InvariantCulture)) s"
"Centroids    $($exported.FullName): $($imported.Count) centroids of dimension $($imported[0].Dimension)"
"Assignments  vectors per cluster:"
$summary
