namespace KMeans.Core.Training.Balancing;

/// <summary>
/// Indices ordered by their values ascending, ties by index: the order of sorting <see cref="OrderKey"/>s, by a stable
/// radix sort of the values' <see cref="OrderKey.OrderedBits"/>, a byte per pass, starting from the indices in
/// ascending order. Four linear passes cost a fifth of a comparison sort of 65,536 keys (3.3 ms of every constrained
/// pass on the skewed mixture at MaxSizeRatio 1.2).
/// </summary>
internal static class RadixOrder
{
    /// <param name="values">Any floats but NaN.</param>
    public static int[] Ascending(ReadOnlySpan<float> values)
    {
        int n = values.Length;
        var keys = new uint[n];
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            keys[i] = OrderKey.OrderedBits(values[i]);
            order[i] = i;
        }
        var nextKeys = new uint[n];
        var nextOrder = new int[n];
        Span<int> start = stackalloc int[Buckets];
        for (int shift = 0; shift < 32; shift += 8)
        {
            start.Clear();
            foreach (uint key in keys)
                start[(int)(key >> shift) & (Buckets - 1)]++;
            if (start.Contains(n))
                continue;
            for (int bucket = 0, total = 0; bucket < Buckets; bucket++)
                (start[bucket], total) = (total, total + start[bucket]);
            for (int i = 0; i < n; i++)
            {
                int at = start[(int)(keys[i] >> shift) & (Buckets - 1)]++;
                nextKeys[at] = keys[i];
                nextOrder[at] = order[i];
            }
            (keys, nextKeys) = (nextKeys, keys);
            (order, nextOrder) = (nextOrder, order);
        }
        return order;
    }

    private const int Buckets = 256;
}
