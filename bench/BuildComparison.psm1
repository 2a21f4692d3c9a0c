# Two builds of the module timed case by case in one run, the order of the builds swapped every round, so that what
# else the machine does weighs on both alike: what bench/assignment/Compare-AssignmentModules.ps1 and
# bench/balancing/Compare-FreshTrainings.ps1 share.

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    if ($sorted.Count % 2) { $sorted[[int][math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

<#
.SYNOPSIS
    Runs $Measure (a script block taking the module path and a case's arguments, returning seconds) for every case and
    both builds, $Rounds times, and outputs per case each build's median and the median of the per-round ratios.
#>
function Invoke-BuildComparison {
    param(
        [Parameter(Mandatory)] [string] $Before,
        [Parameter(Mandatory)] [string] $After,
        [Parameter(Mandatory)] [System.Collections.Specialized.OrderedDictionary] $Cases,
        [Parameter(Mandatory)] [scriptblock] $Measure,
        [int] $Rounds = 8
    )
    # $Measure's child pwsh imports by path: a relative one (out/KMeans/...) would be taken for a module name there.
    $Before = (Resolve-Path -LiteralPath $Before).ProviderPath
    $After = (Resolve-Path -LiteralPath $After).ProviderPath
    $times = @{}
    foreach ($name in $Cases.Keys) {
        $times[$name] = @{ Before = [System.Collections.Generic.List[double]]::new(); After = [System.Collections.Generic.List[double]]::new() }
    }
    for ($round = 0; $round -lt $Rounds; $round++) {
        foreach ($name in $Cases.Keys) {
            $order = if ($round % 2) { 'After', 'Before' } else { 'Before', 'After' }
            foreach ($build in $order) {
                $module = if ($build -eq 'Before') { $Before } else { $After }
                $times[$name][$build].Add((& $Measure $module $Cases[$name]))
            }
        }
    }
    foreach ($name in $Cases.Keys) {
        # Not $before/$after: variable names ignore case, and those are the [string] parameters.
        $beforeTimes = $times[$name].Before; $afterTimes = $times[$name].After
        $ratios = for ($i = 0; $i -lt $Rounds; $i++) { $afterTimes[$i] / $beforeTimes[$i] }
        [pscustomobject]@{
            Case            = $name
            BeforeMedianS   = [math]::Round((Get-Median $beforeTimes), 3)
            AfterMedianS    = [math]::Round((Get-Median $afterTimes), 3)
            AfterOverBefore = [math]::Round((Get-Median $ratios), 2)
        }
    }
}

Export-ModuleMember -Function Invoke-BuildComparison
