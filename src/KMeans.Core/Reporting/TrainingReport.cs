using KMeans.Core.Training;

namespace KMeans.Core.Reporting;

/// <summary>
/// Everything the HTML training report shows, as plain data: what was trained, from what, how it converged and how
/// the partitions came out. Callers (the PowerShell layer, tests) fill it; <see cref="TrainingReportWriter"/> renders it.
/// </summary>
public sealed record TrainingReport
{
    public required int K { get; init; }

    public required int Dimension { get; init; }

    /// <summary>The distance's name as users know it (L2, Cosine, Dot).</summary>
    public required string Distance { get; init; }

    public required double Loss { get; init; }

    public required int Iterations { get; init; }

    public required bool Converged { get; init; }

    /// <summary>Where the vectors came from: file paths, or a description such as "the pipeline".</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    public long RowsRead { get; init; }

    public long SampleRows { get; init; }

    /// <summary>Rows left out of the sample because they were unusable.</summary>
    public long SkippedRows { get; init; }

    public bool OnDisk { get; init; }

    public int Seed { get; init; }

    /// <summary>Relative-change tolerance of the convergence test; 0 means every iteration ran.</summary>
    public double Tolerance { get; init; }

    public int MaxIterations { get; init; }

    /// <summary>Version of the software that trained the model, when known.</summary>
    public string? SoftwareVersion { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>Further settings worth showing (initialisation, sample rate, hierarchy ...), in display order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; } = [];

    /// <summary>Per-iteration statistics of the kept run, in order.</summary>
    public required IReadOnlyList<ReportIteration> History { get; init; }

    /// <summary>Sample rows per cluster, in cluster order.</summary>
    public required IReadOnlyList<long> ClusterSizes { get; init; }

    /// <summary>Lower bound on a cluster's size that balanced training enforced, when it did.</summary>
    public long? MinClusterSize { get; init; }

    /// <summary>Upper bound on a cluster's size that balanced training enforced, when it did.</summary>
    public long? MaxClusterSize { get; init; }

    /// <summary>Sample rows balanced training moved because its prices could not place them, when it balanced.</summary>
    public long? DisplacedRows { get; init; }

    /// <summary>
    /// The smallest and largest partition assigning the sample with the balanced model's prices gives (what
    /// Get-KMeansAssignment gives), when it balanced.
    /// </summary>
    public (long Smallest, long Largest)? PricedSizes { get; init; }

    /// <summary>One entry per depth of the tree for a hierarchical training; empty for a flat one.</summary>
    public IReadOnlyList<HierarchyLevel> Levels { get; init; } = [];

    /// <summary>When the report was made; shown in its header when given.</summary>
    public DateTimeOffset? Created { get; init; }
}
