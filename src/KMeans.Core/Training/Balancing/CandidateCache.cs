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
