<#
.SYNOPSIS
Peak anonymous memory of Get-KMeansAssignment -OutFile for inputs of different row counts and the same centroids.

.DESCRIPTION
Runs, for each -Path in turn, a fresh pwsh that assigns every row of the file to -Centroid into an Arrow file, and
samples that process's RssAnon (/proc/PID/status, Linux) every 50 ms; prints the rows, the seconds and the peak. The
input and the output stay in the page cache, which RssAnon does not count, so a peak that does not grow with the rows
shows that assignment holds no per-row state. Make inputs of several sizes from one file and centroids from its rows
with numpy, for example from the production run's data (bench/README.md):
  /usr/bin/python3 -c "import numpy as np; x=np.load('/tmp/kmeans-production/production-4194304.npy', mmap_mode='r');
    np.save('/tmp/kmeans-production/production-1048576.npy', np.ascontiguousarray(x[:1048576]));
    i=np.sort(np.random.default_rng(1).choice(len(x), 16384, replace=False));
    np.save('/tmp/kmeans-production/centroids-16384.npy', np.ascontiguousarray(x[i]))"
  dotnet pwsh -NoProfile -Command "& bench/assignment/Measure-AssignmentMemory.ps1 -ModulePath out/KMeans/0.1.0/KMeans.psd1
    -Centroid /tmp/kmeans-production/centroids-16384.npy -Path /tmp/kmeans-production/production-262144.npy,
    /tmp/kmeans-production/production-1048576.npy, /tmp/kmeans-production/production-4194304.npy"
(one line; -Command, so that -Path gets the three files as an array)
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath,

    [Parameter(Mandatory)]
    [string[]] $Path,

    [Parameter(Mandatory)]
    [string] $Centroid
)

$ErrorActionPreference = 'Stop'
$module = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
Import-Module -Name $module
$pwsh = (Get-Process -Id $PID).Path
$pwshArguments = [Environment]::GetCommandLineArgs()[0]
foreach ($file in $Path) {
    $output = [IO.Path]::Combine([IO.Path]::GetTempPath(), "assignment-memory-$PID.arrow")
    $script = "Import-Module '$module'; Get-KMeansAssignment -LiteralPath '$file' -Centroid '$Centroid' -OutFile '$output' -Force | Out-Null"
    $start = [Diagnostics.ProcessStartInfo]::new($pwsh)
    if ($pwshArguments -like '*.dll') {
        $start.ArgumentList.Add($pwshArguments)
    }
    foreach ($argument in '-NoProfile', '-Command', $script) {
        $start.ArgumentList.Add($argument)
    }
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $child = [Diagnostics.Process]::Start($start)
    $peak = 0L
    while (-not $child.HasExited) {
        $line = Get-Content -LiteralPath "/proc/$($child.Id)/status" -ErrorAction Ignore | Where-Object { $_ -like 'RssAnon:*' }
        if ($line) {
            $peak = [Math]::Max($peak, [long]($line -split '\s+')[1])
        }
        Start-Sleep -Milliseconds 50
    }
    $child.WaitForExit()
    if ($child.ExitCode -ne 0) {
        throw "Assigning $file failed with exit code $($child.ExitCode)."
    }
    Remove-Item -LiteralPath $output -ErrorAction Ignore
    $rows = (Get-KMeansDiskEstimate -LiteralPath $file -K 1 -WarningAction Ignore).Rows
    'rows {0,12:N0}: {1,6:F1} s, peak RssAnon {2:N0} MiB' -f $rows, $watch.Elapsed.TotalSeconds, ($peak / 1024)
}
