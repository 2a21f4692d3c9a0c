<#
.SYNOPSIS
    Compares how fast two builds of the module read vector files: each measurement is a fresh pwsh that imports one
    build and trains K = 1 for one iteration (the sampler streams every row once), alternating the builds.
.EXAMPLE
    ./bench/Measure-ReadSpeed.ps1 -Baseline /tmp/base/out/KMeans/0.1.0/KMeans.psd1 -Candidate out/KMeans/0.1.0/KMeans.psd1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Baseline,
    [Parameter(Mandatory)] [string] $Candidate,
    [int] $Rows = 200000,
    [int] $Dimension = 128,
    [int] $Repeats = 5,
    [string[]] $Extension = @('.npy', '.arrow', '.arrows', '.parquet', '.fvecs'),
    [string] $WorkDirectory = (Join-Path ([System.IO.Path]::GetTempPath()) 'kmeans-read-speed')
)

$null = New-Item -ItemType Directory -Force -Path $WorkDirectory
# The pwsh that runs this script: a .NET tool install has pwsh.dll, not an executable, in $PSHOME.
$executable = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
$pwsh = (Test-Path -LiteralPath $executable -PathType Leaf) ? @($executable) : @('dotnet', (Join-Path $PSHOME 'pwsh.dll'))

function Invoke-Child([string] $Command) {
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-Command', $Command)
    & $pwsh[0] @arguments
    if ($LASTEXITCODE -ne 0) { throw "The child pwsh failed (exit code $LASTEXITCODE): $Command" }
}
$files = foreach ($item in $Extension) {
    $path = Join-Path $WorkDirectory "rows$item"
    if (-not (Test-Path -LiteralPath $path)) {
        Invoke-Child "Import-Module '$Candidate'; New-KMeansSampleData -LiteralPath '$path' -Rows $Rows -Dimension $Dimension -Seed 1 | Out-Null"
    }
    $path
}

function Measure-Read([string] $Manifest, [string] $Path) {
    $script = "Import-Module '$Manifest'; `$watch = [Diagnostics.Stopwatch]::StartNew(); " +
        "Invoke-KMeansTraining -LiteralPath '$Path' -K 1 -MaxIterations 1 -Seed 1 | Out-Null; `$watch.Elapsed.TotalMilliseconds"
    [double](Invoke-Child $script | Select-Object -Last 1)
}

foreach ($path in $files) {
    $baselineTimes = [System.Collections.Generic.List[double]]::new()
    $candidateTimes = [System.Collections.Generic.List[double]]::new()
    for ($repeat = 0; $repeat -lt $Repeats; $repeat++) {
        $baselineTimes.Add((Measure-Read $Baseline $path))
        $candidateTimes.Add((Measure-Read $Candidate $path))
    }
    $baselineMedian = ($baselineTimes | Sort-Object)[[int][math]::Floor($Repeats / 2)]
    $candidateMedian = ($candidateTimes | Sort-Object)[[int][math]::Floor($Repeats / 2)]
    [pscustomobject]@{
        File            = Split-Path -Leaf $path
        BaselineMs      = [math]::Round($baselineMedian, 1)
        CandidateMs     = [math]::Round($candidateMedian, 1)
        CandidateByBase = [math]::Round($candidateMedian / $baselineMedian, 3)
    }
}
