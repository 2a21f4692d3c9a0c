using System.Buffers;
using System.Runtime.CompilerServices;
using KMeans.Core.Buffers;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// Sample rows picked by index, in one contiguous block, the layout the kernel reads: balancing scores rows that are
/// scattered over the sample (those of full partitions, those a price rise can move, those waiting for room). Rows
/// that follow each other in the sample are read where they are; others are copied into a pooled buffer, because a
/// new array per block (256 rows × d floats, on the large-object heap from d = 84) cost the cache refresh of a
/// 65,536-row sample a third of its time and four gen-2 collections.
/// </summary>
internal readonly ref struct GatheredRows
{
    private readonly float[]? _pooled;

    private GatheredRows(ReadOnlySpan<float> values, float[]? pooled)
    {
        Values = values;
        _pooled = pooled;
    }

    /// <summary>The rows' values, row after row.</summary>
    public ReadOnlySpan<float> Values { get; }

    /// <summary>Rows <paramref name="rows"/>[i] × <paramref name="stride"/> of <paramref name="sample"/>, in that order.</summary>
    // Fully optimized from the first call, as the balancing passes that gather rows (see PartitionBalancer's remarks).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static GatheredRows Of(TrainingBuffer sample, ReadOnlySpan<int> rows, long stride = 1)
    {
        int d = sample.Dimension;
        if (rows.Length > 0 && Consecutive(rows, stride))
            return new GatheredRows(sample.Rows(rows[0], rows.Length), null);
        float[] pooled = ArrayPool<float>.Shared.Rent(rows.Length * d);
        int ahead = CacheLinePrefetch.ItemsAhead(d * sizeof(float));
        for (int i = 0; i < rows.Length; i++)
        {
            if (i + ahead < rows.Length)
                CacheLinePrefetch.Request(sample.Rows(rows[i + ahead] * stride, 1));
            sample.Rows(rows[i] * stride, 1).CopyTo(pooled.AsSpan(i * d, d));
        }
        return new GatheredRows(pooled.AsSpan(0, rows.Length * d), pooled);
    }

    public void Dispose()
    {
        if (_pooled is not null)
            ArrayPool<float>.Shared.Return(_pooled);
    }

    private static bool Consecutive(ReadOnlySpan<int> rows, long stride)
    {
        if (stride != 1)
            return false;
        for (int i = 1; i < rows.Length; i++)
        {
            if (rows[i] != rows[0] + i)
                return false;
        }
        return true;
    }
}
