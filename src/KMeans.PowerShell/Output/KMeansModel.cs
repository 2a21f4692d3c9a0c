namespace KMeans.PowerShell;

/// <summary>The result of a training run with -AsModel: the centroids and how they were obtained.</summary>
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
    public double Loss { get; init; }

    public int Iterations { get; init; }

    /// <summary>True when the loss stopped changing (relative change below -Tolerance) before -MaxIterations.</summary>
    public bool Converged { get; init; }

    /// <summary>True when the sample was held in a memory-mapped temporary file.</summary>
    public bool OnDisk { get; init; }

    /// <summary>Rows read from the input.</summary>
    public long RowsRead { get; init; }

    /// <summary>Rows in the training sample (at most -SampleRate × K).</summary>
    public long SampleRows { get; init; }

    /// <summary>Rows left out of the sample because they were unusable (rejected items, or non-finite with -SkipNonFinite).</summary>
    public long SkippedRows { get; init; }

    /// <summary>The seed actually used; pass it to -Seed to reproduce the run.</summary>
    public int Seed { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>Per-iteration statistics of the kept run.</summary>
    public KMeansIteration[] History { get; init; } = [];

    /// <summary>How evenly the sample spreads over the partitions: min, max, max/mean, coefficient of variation.</summary>
    public KMeansPartitionSizes? PartitionSizes { get; init; }

    /// <summary>The passes of partition balancing, with the sizes after each (empty without -MaxSizeRatio/-MinSizeRatio).</summary>
    public KMeansBalancePass[] BalanceHistory { get; init; } = [];

    public override string ToString() => $"KMeans model (K={K}, Dimension={Dimension}, {Distance}, loss {Loss:G6})";
}
