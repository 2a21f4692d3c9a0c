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

    /// <summary>
    /// The most Lloyd iterations any one run took, so never more than MaxIterations: the kept redo's in a flat
    /// training, the longest among the runs of every level and node in a hierarchical one, the refinement's when
    /// RefineIterations is set.
    /// </summary>
    public int Iterations { get; }

    /// <summary>
    /// True when every run that produced the centroids stopped because the loss reached 0 or its relative change fell
    /// below the tolerance, rather than by running out of MaxIterations; in a hierarchical training that is every
    /// node at every level (or the refinement), and always when the final loss is 0.
    /// </summary>
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

    /// <summary>The settings the run used, with the seed filled in.</summary>
    public KMeansOptions? Options { get; internal set; }

    /// <summary>For a hierarchical training, one entry per depth of the tree (root first); empty for a flat one.</summary>
    public IReadOnlyList<HierarchyLevel> Levels { get; internal set; } = [];

    /// <summary>A tree's root split, while the partition is still the tree's own (no refinement, no balancing).</summary>
    internal TreeSplit? Split { get; set; }

    /// <summary>
    /// Each sample row's cluster under <see cref="Centroids"/>, when a flat run was asked to keep them (a
    /// reduced-dimension training's final pass reuses them); null otherwise, and after balancing.
    /// </summary>
    internal int[]? Labels { get; set; }

    /// <summary>
    /// How many distinct rows the sample holds when that is fewer than K (null otherwise): the clusters from that index
    /// on start as copies of cluster 0 and stay empty, and every row lies on its centroid.
    /// </summary>
    public int? DistinctRows { get; internal set; }

    /// <summary>
    /// With a training dimension and <see cref="DistinctRows"/>: whether rows that coincide once projected differ in
    /// the full dimension (the projection, not the input, merged them); null otherwise.
    /// </summary>
    public bool? ProjectionMergedRows { get; internal set; }
    /// <summary>
    /// The dimension Lloyd's algorithm ran in when it ran on projected rows (<see cref="KMeansOptions.TrainDimension"/>);
    /// null when it ran in the full dimension. Centroids and <see cref="Loss"/> are in the full dimension either way,
    /// with each row in the cluster it was trained into; <see cref="History"/> reports losses in the training dimension.
    /// </summary>
    public int? TrainDimension { get; internal set; }

    /// <summary>The final loss in the training dimension, when it was reduced.</summary>
    public double? TrainDimensionLoss { get; internal set; }

    /// <summary>
    /// When the training dimension was reduced and the agreement was measured: the share of sample rows whose nearest
    /// full-dimension centroid is the cluster they were assigned to in the training dimension (1 means the reduction
    /// changed no row's partition); null otherwise.
    /// </summary>
    public double? NearestCentroidAgreement { get; internal init; }

    /// <summary>
    /// Measured with <see cref="NearestCentroidAgreement"/>: the loss with every sample row at its nearest
    /// full-dimension centroid (the centroids' inertia under L2), at most <see cref="Loss"/>, which keeps every row in
    /// the cluster it was trained into.
    /// </summary>
    public double? NearestCentroidLoss { get; internal init; }

    /// <summary>
    /// With partition balancing under L2 or Cosine, how many times the trained centroids' loss the balanced loss is;
    /// with a reduced training dimension, that of the balancing in the training dimension times that of the one in
    /// the full dimension (each a ratio of losses taken on the same rows in the same space). +∞ when balancing raised
    /// a loss of 0 (every row on its centroid). Null without balancing, and under Dot, whose loss may be negative.
    /// </summary>
    public double? BalancingLossFactor { get; internal init; }

    /// <summary>The passes of partition balancing (empty when no size bound was asked for).</summary>
    public IReadOnlyList<Balancing.BalanceReport> BalanceHistory { get; internal init; } = [];

    /// <summary>
    /// Balanced training's additive price per partition (in the metric's distance units), null without balancing:
    /// assigning each row to the centroid of least distance + price reproduces the balanced sample's partitions (but for
    /// the rows the last pass's repair displaced), and gives other rows of the same data nearly balanced partitions.
    /// </summary>
    public float[]? PartitionPrices { get; internal init; }

    /// <summary>
    /// How the sample spreads when each row goes to the centroid of least distance + price, which is what assigning it
    /// with the model gives: <see cref="PartitionSizes"/> unless the last pass displaced rows the prices could not place;
    /// null without balancing.
    /// </summary>
    public Balancing.PartitionSizeStatistics? PricedPartitionSizes { get; internal init; }

    /// <summary>The smallest partition balanced training allowed, when MinSizeRatio asked for one.</summary>
    public long? MinPartitionSizeBound => Options?.MinSizeRatio is null ? null : Bounds().Min;

    /// <summary>The largest partition balanced training allowed, when MaxSizeRatio asked for one.</summary>
    public long? MaxPartitionSizeBound => Options?.MaxSizeRatio is null ? null : Bounds().Max;

    private Balancing.SizeBounds Bounds() => Balancing.SizeBounds.For(SampleRows, K, Options!.MaxSizeRatio, Options.MinSizeRatio);

    /// <summary>How evenly the sample spreads over the partitions (min, max, max/mean, coefficient of variation).</summary>
    public Balancing.PartitionSizeStatistics PartitionSizes => Balancing.PartitionSizeStatistics.Of(ClusterSizes);

    /// <summary>Clusters with no row in the final assignment.</summary>
    public int EmptyClusters => ClusterSizes.Count(size => size == 0);

    public ReadOnlySpan<float> Centroid(int cluster) => Centroids.AsSpan(cluster * Dimension, Dimension);
}
