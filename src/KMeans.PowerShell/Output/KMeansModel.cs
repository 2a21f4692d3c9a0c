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

    public int Iterations { get; internal init; }

    /// <summary>True when the loss stopped changing (relative change below -Tolerance) before -MaxIterations.</summary>
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

    public TimeSpan Duration { get; internal init; }

    /// <summary>Per-iteration statistics of the kept run.</summary>
    public KMeansIteration[] History { get; internal init; } = [];

    public override string ToString() => $"KMeans model (K={K}, Dimension={Dimension}, {Distance}, loss {Loss:G6})";
}
