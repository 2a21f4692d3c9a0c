using System.Runtime.CompilerServices;

namespace KMeans.Core.Assigning;

/// <summary>
/// The assigned rows of one or more chunks as flat columns, one entry per (row, rank), unassigned rows left out. The
/// arrays are reused after <see cref="Clear"/> and grow only when a chunk needs more room, so that encoding a file
/// allocates per batch at most, never per row; only the first <see cref="Count"/> entries are meaningful.
/// </summary>
internal sealed class AssignmentColumns(int nearest)
{
    public int Count { get; private set; }

    public ulong[] RowIndices { get; private set; } = [];

    /// <summary>Empty with one nearest centroid per row, where every rank would be 0; longer than <see cref="Count"/> like the others.</summary>
    public int[] Ranks { get; private set; } = [];

    public int[] ClusterIds { get; private set; } = [];

    public float[] Distances { get; private set; } = [];

    public void Clear() => Count = 0;

    /// <summary>Appends the entries of <paramref name="chunk"/>'s assigned rows after those already held.</summary>
    // Fully optimized from the first call: a file gets one call per chunk, too few for the tiered JIT to promote it in time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Append(AssignedRows chunk)
    {
        if (chunk.Nearest != nearest)
            throw new ArgumentException($"Columns of {nearest} nearest centroids cannot take a chunk of {chunk.Nearest}.", nameof(chunk));
        int n = nearest;
        ReadOnlySpan<int> ids = chunk.ClusterIds.Span[..(chunk.RowCount * n)];
        ReadOnlySpan<float> distances = chunk.Distances.Span[..(chunk.RowCount * n)];
        int assigned = 0;
        for (int i = 0; i < chunk.RowCount; i++)
            assigned += ids[i * n] >= 0 ? 1 : 0;
        int start = Count;
        Reserve(start + assigned * n);
        if (assigned == chunk.RowCount)
        {
            ids.CopyTo(ClusterIds.AsSpan(start));
            distances.CopyTo(Distances.AsSpan(start));
            for (int i = 0, entry = start; i < chunk.RowCount; i++)
            {
                for (int r = 0; r < n; r++, entry++)
                    RowIndices[entry] = (ulong)(chunk.FirstIndex + i);
            }
        }
        else
        {
            for (int i = 0, entry = start; i < chunk.RowCount; i++)
            {
                if (ids[i * n] < 0)
                    continue;
                ids.Slice(i * n, n).CopyTo(ClusterIds.AsSpan(entry));
                distances.Slice(i * n, n).CopyTo(Distances.AsSpan(entry));
                for (int r = 0; r < n; r++, entry++)
                    RowIndices[entry] = (ulong)(chunk.FirstIndex + i);
            }
        }
        Count = start + assigned * n;
    }

    private void Reserve(int entries)
    {
        if (entries <= ClusterIds.Length)
            return;
        int capacity = Math.Max(entries, 2 * ClusterIds.Length);
        RowIndices = Grown(RowIndices, capacity);
        if (nearest > 1)
            Ranks = RankPattern(capacity);
        ClusterIds = Grown(ClusterIds, capacity);
        Distances = Grown(Distances, capacity);
    }

    /// <summary>
    /// Every row adds its <c>nearest</c> entries at once, so <see cref="Count"/> is always a whole number of rows and
    /// entry e has rank e mod nearest: the column is filled once, when it grows, and never per chunk.
    /// </summary>
    private int[] RankPattern(int capacity)
    {
        var ranks = new int[capacity];
        for (int entry = 0; entry < capacity; entry++)
            ranks[entry] = entry % nearest;
        return ranks;
    }

    private T[] Grown<T>(T[] values, int capacity)
    {
        var grown = new T[capacity];
        values.AsSpan(0, Count).CopyTo(grown);
        return grown;
    }
}
