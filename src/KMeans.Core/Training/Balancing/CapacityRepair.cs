using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// The last resort of balancing, for what prices cannot do: rows that are exact duplicates always tie, so a price that
/// moves one of them moves all, and the steps and searches may also simply run out of budget. A partition still above the maximum gives up its
/// excess, most indifferent rows first (least gap to their second choice; ties by row), each to the nearest partition
/// that has room (found by the kernel with the full partitions priced out); a partition below the minimum then takes the rows that cost least to move from
/// partitions above it. Only the moved rows differ from what the prices assign (they are counted as displaced), and
/// every step follows a total order of (cost, row, partition), so the result does not depend on threads.
/// </summary>
internal static class CapacityRepair
{
    /// <summary>Leaving rows placed at once: their rows are gathered for the kernel (2 MiB at 128 dimensions).</summary>
    public const int RowsPerBatch = 4_096;

    /// <returns>How many rows it moved (each once, though the rows shed from a full partition may move again to fill a small one).</returns>
    // Fully optimized from the first call, as every pass of balancing marked so (per-block bodies too): each runs a few
    // times per training, too few for the tiered JIT to promote it in time (see PartitionBalancer's remarks).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long Apply(BalancingRun run, long[] sizes)
    {
        (TrainingBuffer sample, int[] labels, float[] gaps, SizeBounds bounds, float[] centroids, DistanceMetric metric,
            ParallelOptions parallel) = (run.Sample, run.Labels, run.Gaps, run.Bounds, run.Centroids, run.Metric, run.Parallel);
        var moved = new BitArray(labels.Length);
        ShedExcess(sample, run.Members, labels, gaps, sizes, bounds, centroids, metric, parallel, moved);
        FillSmall(sample, labels, sizes, bounds, centroids, metric, moved);
        long count = 0;
        for (int row = 0; row < moved.Length; row++)
            count += moved[row] ? 1 : 0;
        return count;
    }

    /// <param name="members">The rows grouped by <paramref name="labels"/>, for the rows of the partitions above the maximum.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ShedExcess(TrainingBuffer sample, PartitionMembers members, int[] labels, float[] gaps,
        long[] sizes, SizeBounds bounds, float[] centroids, DistanceMetric metric, ParallelOptions parallel, BitArray moved)
    {
        int k = sizes.Length;
        var leaving = new List<(float Gap, int Row)>();
        for (int c = 0; c < k; c++)
        {
            if (sizes[c] <= bounds.Max)
                continue;
            var rows = new List<(float Gap, int Row)>();
            foreach (int row in members.Of(c))
                rows.Add((gaps[row], row));
            rows.Sort();
            int excess = (int)(sizes[c] - bounds.Max);
            leaving.AddRange(rows.Take(excess));
            sizes[c] -= excess;
        }
        if (leaving.Count == 0)
            return;
        leaving.Sort();
        foreach ((float _, int row) in leaving)
            moved[row] = true;
        using var packed = new PackedCentroids(k, sample.Dimension);
        for (int start = 0; start < leaving.Count; start += RowsPerBatch)
        {
            var pending = leaving.GetRange(start, Math.Min(RowsPerBatch, leaving.Count - start)).Select(entry => entry.Row).ToList();
            while (pending.Count > 0)
                pending = PlaceNearestWithRoom(sample, pending, labels, sizes, bounds, centroids, metric, packed, parallel);
        }
    }

    /// <summary>
    /// Gives each row, in order, the first of its nearest centroids (full partitions priced out) that still has room; by
    /// distance, not distance + price, because a row the prices could not place is best placed where it adds least
    /// loss. Returns the rows whose candidates all filled up meanwhile, for another try.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<int> PlaceNearestWithRoom(TrainingBuffer sample, List<int> rows, int[] labels, long[] sizes,
        SizeBounds bounds, float[] centroids, DistanceMetric metric, PackedCentroids packed,
        ParallelOptions parallel)
    {
        int k = sizes.Length;
        var open = new float[k];
        for (int c = 0; c < k; c++)
            open[c] = sizes[c] < bounds.Max ? 0f : float.PositiveInfinity;
        packed.Pack(centroids, metric, open);
        int m = Math.Min(k, PartitionBalancer.Candidates);
        var ids = new int[rows.Count * m];
        var scores = new float[rows.Count * m];
        var blocks = new RowBlocks(rows.Count, NearestCentroidSearch.RowsPerBlock);
        blocks.ForEach(parallel, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (long block) =>
        {
            int first = (int)blocks.First(block);
            int count = blocks.Length(block);
            using var gathered = GatheredRows.Of(sample, CollectionsMarshal.AsSpan(rows).Slice(first, count));
            NearestKernel.Assign(gathered.Values, count, packed, m, ids.AsSpan(first * m, count * m),
                scores.AsSpan(first * m, count * m), KernelPaths.Machine);
        });
        var waiting = new List<int>();
        for (int i = 0; i < rows.Count; i++)
        {
            int chosen = -1;
            for (int r = 0; r < m && chosen < 0; r++)
            {
                int id = ids[i * m + r];
                if (id >= 0 && float.IsFinite(scores[i * m + r]) && sizes[id] < bounds.Max)
                    chosen = id;
            }
            if (chosen < 0)
            {
                waiting.Add(rows[i]);
                continue;
            }
            labels[rows[i]] = chosen;
            sizes[chosen]++;
        }
        return waiting;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillSmall(TrainingBuffer sample, int[] labels, long[] sizes, SizeBounds bounds,
        float[] centroids, DistanceMetric metric, BitArray moved)
    {
        int d = sample.Dimension;
        for (int target = 0; target < sizes.Length; target++)
        {
            if (sizes[target] >= bounds.Min)
                continue;
            var moves = new List<(float Extra, int Row)>();
            ReadOnlySpan<float> centroid = centroids.AsSpan(target * d, d);
            for (int row = 0; row < labels.Length; row++)
            {
                int from = labels[row];
                if (from == target || sizes[from] <= bounds.Min)
                    continue;
                ReadOnlySpan<float> x = sample.Rows(row, 1);
                float extra = RowLoss.Of(x, centroid, metric) - RowLoss.Of(x, centroids.AsSpan(from * d, d), metric);
                moves.Add((extra, row));
            }
            moves.Sort();
            foreach ((float _, int row) in moves)
            {
                if (sizes[target] >= bounds.Min)
                    break;
                int from = labels[row];
                if (sizes[from] <= bounds.Min)
                    continue;
                labels[row] = target;
                sizes[from]--;
                sizes[target]++;
                moved[row] = true;
            }
        }
    }
}
