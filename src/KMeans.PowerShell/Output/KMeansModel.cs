using System.Globalization;

namespace KMeans.PowerShell;

/// <summary>
/// The result of a training run with -AsModel: the centroids and how they were obtained. Read-only (the setters are
/// internal), so an exported model records what the run produced.
/// </summary>
public sealed class KMeansModel
{
    public KMeansModel(IReadOnlyList<KMeansCentroid> centroids, KMeansDistance distance)
    {
        ArgumentNullException.ThrowIfNull(centroids);
        if (centroids.Count == 0)
            throw new ArgumentException("A model needs at least one centroid.", nameof(centroids));
        Centroids = centroids.ToArray();
        Distance = distance;
    }

    /// <summary>One centroid per cluster, in ClusterId order.</summary>
    public KMeansCentroid[] Centroids { get; }

    public int K => Centroids.Length;

    public int Dimension => Centroids[0].Dimension;

    public KMeansDistance Distance { get; }

    /// <summary>Loss of the centroids over the sample (inertia for L2).</summary>
    public double Loss { get; internal init; }

    /// <summary>
    /// The most Lloyd iterations one run took, never more than -MaxIterations: a flat training's kept redo, or the
    /// longest of a hierarchical training's node runs (every level included); the refinement's with -RefineIterations.
    /// </summary>
    public int Iterations { get; internal init; }

    /// <summary>
    /// True when every run stopped because the loss reached 0 or changed by less than -Tolerance, rather than by
    /// running out of -MaxIterations (in a hierarchical training, every node's run); never on a non-finite loss.
    /// </summary>
    public bool Converged { get; internal init; }

    /// <summary>True when the sample was held in a memory-mapped temporary file.</summary>
    public bool OnDisk { get; internal init; }

    /// <summary>Rows read from the input.</summary>
    public long RowsRead { get; internal init; }

    /// <summary>Rows in the training sample (at most -SampleRate × K).</summary>
    public long SampleRows { get; internal init; }

    /// <summary>Rows left out of the sample because they were unusable (rejected items, or non-finite with -SkipNonFinite).</summary>
    public long SkippedRows { get; internal init; }

    /// <summary>The seed actually used; pass it to -Seed to reproduce the run.</summary>
    public int Seed { get; internal init; }

    /// <summary>
    /// Wall-clock seconds of the whole run. Durations are numbers of seconds, not TimeSpans, because ConvertTo-Json
    /// spells a TimeSpan out as eleven fields and Measure-Object cannot sum one.
    /// </summary>
    public double DurationSeconds { get; internal init; }

    /// <summary>Per-iteration statistics of the kept run.</summary>
    public KMeansIteration[] History { get; internal init; } = [];

    /// <summary>The -Tolerance of the run: it converged when the relative change of the loss fell below it.</summary>
    public double Tolerance { get; internal init; }

    public int MaxIterations { get; internal init; }

    public int SampleRate { get; internal init; }

    public int Redos { get; internal init; }

    /// <summary>How the first centroids were chosen: Random, KMeansPlusPlus, KMeansParallel, or InitialCentroid.</summary>
    public string? Initialization { get; internal init; }

    /// <summary>
    /// The dimension Lloyd's algorithm ran in with -TrainDimension (rows projected by a seeded randomised Hadamard
    /// transform); null when it ran in the full dimension. The centroids are full-dimension either way.
    /// </summary>
    public int? TrainDimension { get; internal init; }

    /// <summary>The loss of the trained partitions in the training dimension; Loss is theirs in the full dimension.</summary>
    public double? TrainDimensionLoss { get; internal init; }

    /// <summary>The files the vectors were read from, or a description of the pipeline input.</summary>
    public string[] Input { get; internal init; } = [];

    /// <summary>Version of the KMeans module that trained the model.</summary>
    public string? ModuleVersion { get; internal init; }

    /// <summary>For a hierarchical training, one entry per depth of the tree (root first); empty for a flat one.</summary>
    public KMeansLevel[] Levels { get; internal init; } = [];

    /// <summary>How evenly the sample spreads over the partitions: min, max, max/mean, coefficient of variation.</summary>
    public KMeansPartitionSizes? PartitionSizes { get; internal init; }

    /// <summary>
    /// How the sample spreads when assigned with this model (each row to the centroid of least distance + price), as
    /// Get-KMeansAssignment does: PartitionSizes unless balancing displaced rows the prices could not place; null
    /// without -MaxSizeRatio or -MinSizeRatio.
    /// </summary>
    public KMeansPartitionSizes? PricedPartitionSizes { get; internal init; }

    /// <summary>The smallest partition balanced training allowed (-MinSizeRatio); null without it.</summary>
    public long? MinPartitionSize { get; internal init; }

    /// <summary>The largest partition balanced training allowed (-MaxSizeRatio); null without it.</summary>
    public long? MaxPartitionSize { get; internal init; }

    /// <summary>The passes of partition balancing, with the sizes after each (empty without -MaxSizeRatio/-MinSizeRatio).</summary>
    public KMeansBalancePass[] BalanceHistory { get; internal init; } = [];

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"KMeans model (K={K}, Dimension={Dimension}, {Distance}, loss {Loss:G6})");
}
