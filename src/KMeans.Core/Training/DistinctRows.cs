using KMeans.Core.Buffers;

namespace KMeans.Core.Training;

/// <summary>
/// Finds the sample's distinct rows (equal values are one row, 0 and −0 alike), by first occurrence, up to a limit.
/// Training asks for K of them: with fewer distinct rows than K, k-means has an exact answer (each distinct row its own
/// centroid, loss 0) that repairing empty clusters would only spoil with perturbed copies. On ordinary data the search
/// stops after about K rows; only a sample with fewer than K distinct rows is read to its end.
/// </summary>
internal static class DistinctRows
{
    /// <summary>The indices of the first <paramref name="limit"/> distinct rows (all of them when there are fewer).</summary>
    public static List<long> Find(TrainingBuffer sample, int limit, int rowsPerBlock, CancellationToken cancellationToken)
    {
        var seen = new HashSet<long>(new RowComparer(sample));
        var firsts = new List<long>();
        var blocks = new RowBlocks(sample.RowCount, Math.Min(rowsPerBlock, sample.MaxRowsPerBlock));
        for (long block = 0; block < blocks.Count; block++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            blocks.ReadAhead(sample, block);
            long first = blocks.First(block);
            int count = blocks.Length(block);
            for (int i = 0; i < count; i++)
            {
                if (!seen.Add(first + i))
                    continue;
                firsts.Add(first + i);
                if (firsts.Count == limit)
                    return firsts;
            }
        }
        return firsts;
    }

    /// <summary>
    /// Each group's distinct rows (<paramref name="groups"/> gives every row's group), counted up to the group's limit:
    /// a count below its limit is exact. A group's rows are no longer compared once it reached its limit, and the
    /// search ends when every group has; on ordinary data that is after about Σ limits rows.
    /// </summary>
    public static long[] CountPerGroup(TrainingBuffer sample, int[] groups, long[] limits, int rowsPerBlock,
        CancellationToken cancellationToken)
    {
        var counts = new long[limits.Length];
        var seen = new HashSet<long>?[limits.Length];
        int open = 0;
        for (int group = 0; group < limits.Length; group++)
        {
            if (limits[group] <= 0)
                continue;
            seen[group] = new HashSet<long>(new RowComparer(sample));
            open++;
        }
        var blocks = new RowBlocks(sample.RowCount, Math.Min(rowsPerBlock, sample.MaxRowsPerBlock));
        for (long block = 0; block < blocks.Count && open > 0; block++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            blocks.ReadAhead(sample, block);
            long first = blocks.First(block);
            int count = blocks.Length(block);
            for (long row = first; row < first + count; row++)
            {
                int group = groups[row];
                if (seen[group] is not { } rows || !rows.Add(row) || ++counts[group] < limits[group])
                    continue;
                seen[group] = null;
                open--;
            }
        }
        return counts;
    }

    private sealed class RowComparer(TrainingBuffer sample) : IEqualityComparer<long>
    {
        public bool Equals(long x, long y)
        {
            ReadOnlySpan<float> a = sample.Rows(x, 1);
            ReadOnlySpan<float> b = sample.Rows(y, 1);
            for (int j = 0; j < a.Length; j++)
            {
                if (a[j] != b[j])
                    return false;
            }
            return true;
        }

        public int GetHashCode(long row)
        {
            var hash = new HashCode();
            foreach (float value in sample.Rows(row, 1))
                hash.Add(value == 0 ? 0 : BitConverter.SingleToInt32Bits(value));
            return hash.ToHashCode();
        }
    }
}
