using System.Runtime.CompilerServices;
using KMeans.Core.Buffers;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// Assigns rows to partitions under size bounds, each row as near as the bounds let it be. Rows choose in order of
/// regret (how much farther their second-nearest centroid is than their nearest), largest first, so a row that would
/// lose most by moving keeps its nearest partition and the rows that give way are those between two centroids. Each
/// takes the nearest of its candidates with room; rows whose candidates are all full wait, then, in the same order,
/// take the nearest with room of a wider candidate list found for all of them at once, or of all partitions. Then
/// partitions below the minimum take the rows that cost least to move from partitions above it. Every step follows a
/// total order of (cost, row, partition), so the result depends on the inputs only, never on threads.
/// </summary>
internal sealed class CapacityAssignment(int k, int candidatesPerRow, SizeBounds bounds)
{
    /// <summary>The cost of one row to every centroid, for rows whose candidates are all full.</summary>
    public delegate void AllCosts(int row, Span<float> costs);

    /// <summary>The cost of one row to one centroid.</summary>
    public delegate float CostTo(int row, int centroid);

    /// <summary>
    /// For each of <paramref name="rows"/>, its <paramref name="width"/> nearest centroids among <paramref name="open"/>
    /// (ascending) and their costs, nearest first.
    /// </summary>
    public delegate (int[] Ids, float[] Costs) WiderCandidates(int[] rows, int width, int[] open);

    /// <summary>
    /// How many times more candidates the rows whose candidates were all full get, from the partitions with room: twice,
    /// because every one of them had room when the list was made (a list of all the nearest took 8 times as many to
    /// reach past the full ones, and keeping so long a list sorted cost more than the kernel's arithmetic).
    /// </summary>
    public const int Widening = 2;

    /// <summary>Waiting rows whose wider candidates are found together: enough blocks for every thread, 32 MiB at most.</summary>
    public const int WaitingRowsPerBatch = 65_536;

    /// <param name="candidates">Per row, its <c>candidatesPerRow</c> nearest centroids, nearest first.</param>
    /// <param name="costs">Their costs (distances; comparable across rows).</param>
    /// <param name="labels">Receives each row's partition.</param>
    /// <param name="sizes">Receives each partition's size.</param>
    // Fully optimized from the first call, as every pass of balancing marked so (per-block bodies too): each runs a few
    // times per training, too few for the tiered JIT to promote it in time (see PartitionBalancer's remarks).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Assign(ReadOnlySpan<int> candidates, ReadOnlySpan<float> costs, int[] labels, long[] sizes,
        WiderCandidates wider, AllCosts allCosts, CostTo costTo)
    {
        int m = candidatesPerRow;
        int rows = labels.Length;
        var labelCosts = new float[rows];
        Array.Clear(sizes);
        int[] order = RegretOrder(costs, rows);
        var waiting = new List<int>();
        int ahead = CacheLinePrefetch.ItemsAhead(m * (sizeof(int) + sizeof(float)));
        for (int i = 0; i < order.Length; i++)
        {
            int row = order[i];
            if (i + ahead < order.Length)
            {
                CacheLinePrefetch.Request(candidates.Slice(order[i + ahead] * m, m));
                CacheLinePrefetch.Request(costs.Slice(order[i + ahead] * m, m));
            }
            if (TakeCandidate(candidates.Slice(row * m, m), costs.Slice(row * m, m), sizes) is (int chosen, float cost))
                Place(row, chosen, cost, labels, labelCosts, sizes);
            else
                waiting.Add(row);
        }
        if (waiting.Count > 0)
            PlaceWaiting([.. waiting], labels, labelCosts, sizes, wider, allCosts);
        if (bounds.Min > 0)
            FillSmallPartitions(candidates, costs, labels, labelCosts, sizes, costTo);
    }

    // Fully optimized from the first call, as every per-row step of balancing (see PartitionBalancer).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (int Partition, float Cost)? TakeCandidate(ReadOnlySpan<int> ids, ReadOnlySpan<float> costs, long[] sizes)
    {
        for (int r = 0; r < ids.Length; r++)
        {
            if (sizes[ids[r]] < bounds.Max)
                return (ids[r], costs[r]);
        }
        return null;
    }

    private static void Place(int row, int partition, float cost, int[] labels, float[] labelCosts, long[] sizes)
    {
        labels[row] = partition;
        labelCosts[row] = cost;
        sizes[partition]++;
    }

    /// <summary>
    /// Places the waiting rows in their order, their wider candidates found <see cref="WaitingRowsPerBatch"/> rows at a
    /// time, so that memory does not grow with the number of rows that wait.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PlaceWaiting(int[] waiting, int[] labels, float[] labelCosts, long[] sizes, WiderCandidates wider,
        AllCosts allCosts)
    {
        float[]? scratch = null;
        for (int start = 0; start < waiting.Length; start += WaitingRowsPerBatch)
        {
            int[] batch = waiting[start..Math.Min(waiting.Length, start + WaitingRowsPerBatch)];
            int[] open = Enumerable.Range(0, k).Where(c => sizes[c] < bounds.Max).ToArray();
            int width = Math.Min(open.Length, candidatesPerRow * Widening);
            (int[] ids, float[] costs) = wider(batch, width, open);
            for (int w = 0; w < batch.Length; w++)
            {
                int row = batch[w];
                if (TakeCandidate(ids.AsSpan(w * width, width), costs.AsSpan(w * width, width), sizes) is (int near, float nearCost))
                {
                    Place(row, near, nearCost, labels, labelCosts, sizes);
                    continue;
                }
                scratch ??= new float[k];
                allCosts(row, scratch);
                int chosen = -1;
                float best = float.PositiveInfinity;
                for (int c = 0; c < k; c++)
                {
                    if (sizes[c] < bounds.Max && (chosen < 0 || scratch[c] < best))
                    {
                        chosen = c;
                        best = scratch[c];
                    }
                }
                Place(row, chosen, best, labels, labelCosts, sizes);
            }
        }
    }

    /// <summary>Rows by regret, largest first; ties by row index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int[] RegretOrder(ReadOnlySpan<float> costs, int rows)
    {
        int m = candidatesPerRow;
        var lessRegret = new float[rows];
        for (int row = 0; row < rows; row++)
            lessRegret[row] = m > 1 ? costs[row * m] - costs[row * m + 1] : 0f;
        return RadixOrder.Ascending(lessRegret);
    }

    /// <summary>
    /// Moves rows into partitions below the minimum, cheapest extra cost first, from partitions that stay at or above
    /// it: first among the rows that list the partition as a candidate, then, if still short, among all rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillSmallPartitions(ReadOnlySpan<int> candidates, ReadOnlySpan<float> costs, int[] labels,
        float[] labelCosts, long[] sizes, CostTo costTo)
    {
        int m = candidatesPerRow;
        var moves = new List<(float Extra, int Row, int Partition)>();
        for (int row = 0; row < labels.Length; row++)
        {
            for (int r = 0; r < m; r++)
            {
                int c = candidates[row * m + r];
                if (sizes[c] < bounds.Min && c != labels[row])
                    moves.Add((costs[row * m + r] - labelCosts[row], row, c));
            }
        }
        Apply(moves, labels, labelCosts, sizes);
        for (int c = 0; c < k; c++)
        {
            if (sizes[c] >= bounds.Min)
                continue;
            moves.Clear();
            for (int row = 0; row < labels.Length; row++)
            {
                if (labels[row] != c && sizes[labels[row]] > bounds.Min)
                    moves.Add((costTo(row, c) - labelCosts[row], row, c));
            }
            Apply(moves, labels, labelCosts, sizes);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Apply(List<(float Extra, int Row, int Partition)> moves, int[] labels, float[] labelCosts, long[] sizes)
    {
        moves.Sort();
        foreach ((float extra, int row, int partition) in moves)
        {
            int from = labels[row];
            if (sizes[partition] >= bounds.Min || sizes[from] <= bounds.Min || from == partition)
                continue;
            labels[row] = partition;
            labelCosts[row] += extra;
            sizes[from]--;
            sizes[partition]++;
        }
    }
}
