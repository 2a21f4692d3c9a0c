using System.Runtime.CompilerServices;
using KMeans.Core.Planning;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// The nearest centroids of every <see cref="Stride"/>-th sample row and their distances, on which the constrained
/// passes run. Its size is bounded by <see cref="BalancingMemory.CandidateCacheBytes"/> whatever the sample's size: beyond
/// <see cref="BalancingMemory.CacheCapacity"/> rows (with the constrained assignment's per-row arrays) it keeps an evenly
/// spaced subset, and the constrained passes place the centroids by that subset's rows.
/// </summary>
internal sealed class CandidateCache
{
    public CandidateCache(long sampleRows, int candidates)
    {
        long capacity = BalancingMemory.CacheCapacity(candidates);
        Candidates = candidates;
        Stride = (int)((sampleRows + capacity - 1) / capacity);
        Rows = (int)((sampleRows + Stride - 1) / Stride);
        Ids = new int[(long)Rows * candidates];
        Costs = new float[(long)Rows * candidates];
        _sampleRows = sampleRows;
    }

    private CandidateCache(CandidateCache whole, int coarseness)
    {
        Candidates = whole.Candidates;
        Stride = whole.Stride * coarseness;
        Rows = (int)((whole._sampleRows + Stride - 1) / Stride);
        Ids = whole.Ids;
        Costs = whole.Costs;
        _sampleRows = whole._sampleRows;
    }

    private readonly long _sampleRows;

    /// <summary>
    /// Rows per partition that the first round of splits and constrained passes places the centroids by, at least (see
    /// <see cref="PartitionBalancer.SplitCycles"/>): that round only has to carry centroids towards the crowded regions,
    /// which a few dozen rows per partition show as well as all of them, and the second round places them by every
    /// cached row. On the skewed mixture at MaxSizeRatio 1.2 (65,536 rows, K = 256; nine seeds of data and training),
    /// the first round on every 4th row (64 per partition) left 0–2 rows displaced where every row had left 0–114, at
    /// a mean loss of 1.0140× the unbalanced run's against 1.0136× (the worst seed 1.0280× against 1.0217×), and the
    /// balancing took less time; every 2nd row left 0–63 displaced, every 3rd 0–7, every 8th 0–5 at a worst loss of
    /// 1.035×. A cache of 16,384 partitions' samples (the production run) already holds 64 rows per partition.
    /// </summary>
    public const int FirstRoundRowsPerPartition = 64;

    /// <summary>
    /// Every n-th of the cached rows, kept at the front of the same arrays, n the most that leaves each partition
    /// <see cref="FirstRoundRowsPerPartition"/> rows and 1 / <paramref name="slack"/>² (this cache itself where fewer
    /// than twice as many are cached): the first round's cache, which the second round's refresh overwrites. A
    /// subset of n rows per partition gives a partition's share to about 1/√n of it, and the first round holds its
    /// partitions within <paramref name="slack"/> of the mean, so tighter bounds keep more rows (MaxSizeRatio 1.05 on
    /// 8,192 rows in 32 partitions: 5 rows displaced on 64 rows per partition, none on all 256).
    /// </summary>
    /// <param name="slack">How far from the mean the bounds let a partition's size go, as a share of it (ratio − 1, 1 − ratio).</param>
    public CandidateCache FirstRound(int k, double slack)
    {
        double rowsPerPartition = Math.Max(FirstRoundRowsPerPartition, 1 / (slack * slack));
        int coarseness = (int)Math.Max(1, Rows / (rowsPerPartition * k));
        return coarseness == 1 ? this : new CandidateCache(this, coarseness);
    }

    public int Candidates { get; }

    /// <summary>The cache holds sample rows 0, Stride, 2·Stride, …</summary>
    public int Stride { get; }

    public int Rows { get; }

    /// <summary>Per cached row, its candidates' centroids, nearest first.</summary>
    public int[] Ids { get; }

    /// <summary>Per cached row, the distance to each candidate.</summary>
    public float[] Costs { get; }

    /// <summary>Each cached row's first candidate: its nearest centroid when the candidates were found without prices.</summary>
    // Fully optimized from the first call, as every pass of balancing marked so (per-block bodies too): each runs a few
    // times per training, too few for the tiered JIT to promote it in time (see PartitionBalancer's remarks).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int[] NearestLabels()
    {
        var labels = new int[Rows];
        for (int row = 0; row < Rows; row++)
            labels[row] = Ids[(long)row * Candidates];
        return labels;
    }
}
