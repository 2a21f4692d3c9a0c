using KMeans.Core.Distance;
using KMeans.Core.Sampling;

namespace KMeans.Core.Training;

/// <summary>Trained centroids and how they were obtained.</summary>
public sealed class KMeansResult
{
    internal KMeansResult(int k, int dimension, float[] centroids, long[] clusterSizes, double loss, int iterations,
        bool converged, IReadOnlyList<IterationReport> history, int bestRedo)
    {
        K = k;
        Dimension = dimension;
        Centroids = centroids;
        ClusterSizes = clusterSizes;
        Loss = loss;
        Iterations = iterations;
        Converged = converged;
        History = history;
        BestRedo = bestRedo;
    }

    public int K { get; }

    public int Dimension { get; }

    /// <summary>K × Dimension values, row-major.</summary>
    public float[] Centroids { get; }

    /// <summary>Sample rows assigned to each centroid by the final assignment.</summary>
    public long[] ClusterSizes { get; }

    /// <summary>Loss of the returned centroids over the sample (inertia for L2).</summary>
    public double Loss { get; }

    public int Iterations { get; }

    /// <summary>True when the relative change of the loss fell below the tolerance before MaxIterations.</summary>
    public bool Converged { get; }

    /// <summary>Per-iteration statistics of the kept run.</summary>
    public IReadOnlyList<IterationReport> History { get; }

    /// <summary>Which redo (0-based) produced these centroids.</summary>
    public int BestRedo { get; }

    public DistanceMetric Distance { get; internal set; }

    /// <summary>The seed actually used (drawn at random when none was given), to reproduce the run.</summary>
    public int Seed { get; internal set; }

    public long SampleRows { get; internal set; }

    public bool OnDisk { get; internal set; }

    public SamplingSummary? Sampling { get; internal set; }

    public TimeSpan Duration { get; internal set; }

    /// <summary>The passes of partition balancing (empty when no size bound was asked for).</summary>
    public IReadOnlyList<Balancing.BalanceReport> BalanceHistory { get; internal init; } = [];

    /// <summary>How evenly the sample spreads over the partitions (min, max, max/mean, coefficient of variation).</summary>
    public Balancing.PartitionSizeStatistics PartitionSizes => Balancing.PartitionSizeStatistics.Of(ClusterSizes);

    /// <summary>Clusters with no row in the final assignment.</summary>
    public int EmptyClusters => ClusterSizes.Count(size => size == 0);

    public ReadOnlySpan<float> Centroid(int cluster) => Centroids.AsSpan(cluster * Dimension, Dimension);
}
