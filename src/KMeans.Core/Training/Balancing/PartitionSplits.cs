using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KMeans.Core.Distance;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// Before the constrained passes, centroids go where the rows are: in rounds, every partition of the cached rows above
/// the maximum is split in two, and the second half takes the centroid of a small partition (below half the mean) whose
/// rows lose least by going to their next nearest. A split is bisecting k-means' step: the partition's rows on either side
/// of the hyperplane through its centroid normal to their principal direction, each side's mean a centroid. After each
/// round the cached rows that listed a moved centroid get their candidates again from the kernel, and the others take in
/// the moved centroids nearer than their last candidate.
/// </summary>
/// <remarks>
/// Why: where a dense region holds many times its share of rows (a heavy component of a skewed mixture), its partitions
/// are all full, and neither prices nor a capacity-constrained assignment can fix that without sending rows far away:
/// prices then trade rows between the full neighbours and stall, and a constrained pass moves a far centroid only part of
/// the way, towards the mean of its own rows and the overflow. It needs more centroids, as cuVS's balanced k-means gets
/// by splitting large clusters and re-seeding small ones. Every step follows row and partition order, so the result is
/// the same for any thread count and in memory or on disk: the pairs of a round are fixed before any is split, and
/// each split reads and writes only its own two centroids, so the splits of a round run on all threads.
/// </remarks>
internal static class PartitionSplits
{
    public const int Rounds = 6;

    /// <param name="roundDone">After each round: the cached rows' nearest centroids and how many of them changed.</param>
    // Fully optimized from the first call, as every pass of balancing marked so (per-block bodies too): each runs a few
    // times per training, too few for the tiered JIT to promote it in time (see PartitionBalancer's remarks).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(BalancingRun run, PackedCentroids packed, SizeBounds cacheBounds,
        Action<int[], long> roundDone, CancellationToken cancellationToken)
    {
        CandidateCache cache = run.Cache;
        int k = run.Prices.Length;
        int[] labels = cache.NearestLabels();
        for (int round = 0; round < Rounds; round++)
        {
            var members = new List<int>?[k];
            for (int row = 0; row < labels.Length; row++)
                (members[labels[row]] ??= []).Add(row);
            int[] large = Enumerable.Range(0, k).Where(c => Count(members[c]) > cacheBounds.Max)
                .OrderByDescending(c => Count(members[c])).ThenBy(c => c).ToArray();
            (int Large, int Donor)[] pairs = large.Zip(Donors(cache, members, k)).ToArray();
            var split = new bool[pairs.Length];
            Parallel.For(0, pairs.Length, run.Parallel, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (int i) =>
                split[i] = Split(run, members[pairs[i].Large]!, pairs[i].Large, pairs[i].Donor));
            var moved = new List<int>();
            for (int i = 0; i < pairs.Length; i++)
            {
                if (split[i])
                    moved.AddRange([pairs[i].Large, pairs[i].Donor]);
            }
            if (moved.Count == 0)
                break;
            cancellationToken.ThrowIfCancellationRequested();
            run.RefreshCache(packed, moved);
            int[] after = cache.NearestLabels();
            long changed = 0;
            for (int row = 0; row < after.Length; row++)
                changed += after[row] != labels[row] ? 1 : 0;
            roundDone(after, changed);
            labels = after;
        }
    }

    private static int Count(List<int>? rows) => rows?.Count ?? 0;

    /// <summary>
    /// The partitions below half the mean, those whose rows lose least by going to their second candidate first (the
    /// merge cost of split-and-merge k-means), so that a centroid leaves a region that others cover, not a far group of
    /// its own; a partition that takes a donor's rows is not a donor in the same round.
    /// </summary>
    private static IEnumerable<int> Donors(CandidateCache cache, List<int>?[] members, int k)
    {
        int m = cache.Candidates;
        var mergeCost = new double[k];
        for (int c = 0; c < k; c++)
        {
            foreach (int row in members[c] ?? [])
                mergeCost[c] += m > 1 ? cache.Costs[(long)row * m + 1] - cache.Costs[(long)row * m] : double.PositiveInfinity;
        }
        var receiving = new bool[k];
        foreach (int c in Enumerable.Range(0, k).Where(c => 2L * Count(members[c]) * k < cache.Rows)
                     .OrderBy(c => mergeCost[c]).ThenBy(c => c))
        {
            if (receiving[c])
                continue;
            foreach (int row in m > 1 ? members[c] ?? [] : [])
                receiving[cache.Ids[(long)row * m + 1]] = true;
            yield return c;
        }
    }

    /// <summary>
    /// Splits <paramref name="large"/>'s cached rows by the side of its centroid they lie on along their principal
    /// direction (as bisecting k-means does), found by <see cref="PowerIterations"/> steps of power iteration from the
    /// offset of the row farthest from the centroid.
    /// </summary>
    /// <returns>False when every row lies on one side (the rows are all alike).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Split(BalancingRun run, List<int> rows, int large, int donor)
    {
        int d = run.Sample.Dimension;
        double[] centroid = new double[d];
        for (int j = 0; j < d; j++)
            centroid[j] = run.Centroids[large * d + j];
        var direction = new double[d];
        double farthest = -1;
        foreach (int row in rows)
        {
            ReadOnlySpan<float> x = Row(run, row);
            double distance = OffsetSum(x, centroid, null, Vector256.IsHardwareAccelerated);
            if (distance > farthest)
            {
                farthest = distance;
                for (int j = 0; j < d; j++)
                    direction[j] = x[j] - centroid[j];
            }
        }
        var next = new double[d];
        for (int step = 0; step < PowerIterations; step++)
        {
            Array.Clear(next);
            foreach (int row in rows)
            {
                ReadOnlySpan<float> x = Row(run, row);
                AddOffset(x, centroid, OffsetSum(x, centroid, direction, Vector256.IsHardwareAccelerated), next);
            }
            double norm = Math.Sqrt(next.Sum(value => value * value));
            if (norm == 0)
                break;
            for (int j = 0; j < d; j++)
                direction[j] = next[j] / norm;
        }
        var sums = new double[2 * d];
        var counts = new long[2];
        foreach (int row in rows)
        {
            ReadOnlySpan<float> x = Row(run, row);
            int side = OffsetSum(x, centroid, direction, Vector256.IsHardwareAccelerated) > 0 ? 1 : 0;
            counts[side]++;
            WideningSum.Add(x, sums.AsSpan(side * d, d));
        }
        if (counts[0] == 0 || counts[1] == 0)
            return false;
        SetMean(run, large, sums.AsSpan(0, d), counts[0]);
        SetMean(run, donor, sums.AsSpan(d, d), counts[1]);
        return true;
    }

    /// <summary>Power iteration steps towards a partition's principal direction: two bring it close enough to halve it.</summary>
    private const int PowerIterations = 2;

    private static ReadOnlySpan<float> Row(BalancingRun run, int cachedRow) =>
        run.Sample.Rows((long)cachedRow * run.Cache.Stride, 1);

    /// <summary>Lanes of <see cref="OffsetSum"/>: two vectors of four doubles.</summary>
    private const int SumLanes = 8;

    /// <summary>
    /// Σ (x_j − c_j)·w_j, or Σ (x_j − c_j)² without <paramref name="weights"/>, in double: lane j mod 8 sums the
    /// products of its elements, the lanes are added pairwise in a fixed order and the last d mod 8 products after
    /// them, so the value is the same with or without vector hardware. One running sum over j had a floating-point
    /// add's latency per element: the splits of the skewed mixture at MaxSizeRatio 1.2 (8,165 rows, four passes) took
    /// 6–9 ms of a 0.16 s balancing.
    /// </summary>
    // Fully optimized from the first call, as Split that calls it for every row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double OffsetSum(ReadOnlySpan<float> x, double[] centroid, double[]? weights, bool vectors)
    {
        int d = x.Length;
        int j = 0;
        Span<double> lanes = stackalloc double[SumLanes];
        if (vectors)
        {
            ref float xs = ref MemoryMarshal.GetReference(x);
            ref double cs = ref MemoryMarshal.GetArrayDataReference(centroid);
            Vector256<double> low = Vector256<double>.Zero, high = Vector256<double>.Zero;
            for (; j <= d - SumLanes; j += SumLanes)
            {
                Vector256<float> values = Vector256.LoadUnsafe(ref xs, (nuint)j);
                Vector256<double> lowOffset = Vector256.WidenLower(values) - Vector256.LoadUnsafe(ref cs, (nuint)j);
                Vector256<double> highOffset = Vector256.WidenUpper(values) - Vector256.LoadUnsafe(ref cs, (nuint)(j + 4));
                low += lowOffset * (weights is null ? lowOffset : Vector256.Create(weights, j));
                high += highOffset * (weights is null ? highOffset : Vector256.Create(weights, j + 4));
            }
            low.CopyTo(lanes);
            high.CopyTo(lanes[4..]);
        }
        else
        {
            lanes.Clear();
            for (; j <= d - SumLanes; j += SumLanes)
            {
                for (int lane = 0; lane < SumLanes; lane++)
                {
                    double offset = x[j + lane] - centroid[j + lane];
                    lanes[lane] += offset * (weights is null ? offset : weights[j + lane]);
                }
            }
        }
        double sum = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
        for (; j < d; j++)
        {
            double offset = x[j] - centroid[j];
            sum += offset * (weights is null ? offset : weights[j]);
        }
        return sum;
    }

    /// <summary>next += along · (x − c), element by element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddOffset(ReadOnlySpan<float> x, double[] centroid, double along, double[] next)
    {
        for (int j = 0; j < next.Length; j++)
            next[j] += along * (x[j] - centroid[j]);
    }

    private static void SetMean(BalancingRun run, int partition, ReadOnlySpan<double> sum, long count)
    {
        int d = run.Sample.Dimension;
        ClusterMean.Set(run.Centroids.AsSpan(partition * d, d), sum, count, run.Metric, new float[d]);
    }
}
