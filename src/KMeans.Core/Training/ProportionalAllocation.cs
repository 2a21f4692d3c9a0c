namespace KMeans.Core.Training;

/// <summary>
/// Shares K centroids among clusters in proportion to their sizes with the largest-remainder method, so the shares
/// sum to K exactly; no cluster gets more centroids than its cap (by default its rows), and, when K allows, none with
/// room gets none. Ties go to the lower index.
/// </summary>
internal static class ProportionalAllocation
{
    /// <summary>
    /// The shares; a cluster whose proportional share exceeds its cap gets its cap, and the rest of K is shared again
    /// among the others in proportion to their sizes (water-filling), until every share is within its cap.
    /// </summary>
    public static int[] Allocate(long[] sizes, int k, long[]? caps = null)
    {
        caps ??= sizes;
        long room = sizes.Select((size, i) => Math.Min(size, caps[i])).Sum();
        if (room < k)
            throw new ArgumentException($"{sizes.Sum()} rows ({room} within the caps) cannot hold {k} centroids.", nameof(k));
        var shares = new int[sizes.Length];
        var capped = new bool[sizes.Length];
        int left = k;
        for (bool changed = true; changed;)
        {
            changed = false;
            long uncappedRows = sizes.Where((_, i) => !capped[i]).Sum();
            for (int i = 0; i < sizes.Length; i++)
            {
                if (capped[i] || (double)left * sizes[i] / uncappedRows <= caps[i])
                    continue;
                capped[i] = true;
                shares[i] = (int)caps[i];
                left -= shares[i];
                changed = true;
            }
        }
        long total = sizes.Where((_, i) => !capped[i]).Sum();
        var remainders = new double[sizes.Length];
        int given = k - left;
        for (int i = 0; i < sizes.Length; i++)
        {
            if (capped[i])
                continue;
            double exact = (double)left * sizes[i] / total;
            shares[i] = (int)Math.Min(Math.Floor(exact), Math.Min(sizes[i], caps[i]));
            remainders[i] = exact - shares[i];
            given += shares[i];
        }
        // Hand out what rounding left, largest remainder first, to clusters still below their cap.
        int[] order = Enumerable.Range(0, sizes.Length).OrderByDescending(i => remainders[i]).ThenBy(i => i).ToArray();
        while (given < k)
        {
            foreach (int i in order)
            {
                if (given == k)
                    break;
                if (shares[i] < Math.Min(sizes[i], caps[i]))
                {
                    shares[i]++;
                    given++;
                }
            }
        }
        GiveEveryClusterOne(shares, sizes, caps, k);
        return shares;
    }

    /// <summary>
    /// A cluster whose proportional share rounded to 0 gets one centroid from the largest share: its rows would
    /// otherwise join another cluster's centroids, which left a tree with K near the number of its top clusters worse
    /// than its own first level. Only when every cluster with room can have one.
    /// </summary>
    private static void GiveEveryClusterOne(int[] shares, long[] sizes, long[] caps, int k)
    {
        int withRoom = Enumerable.Range(0, shares.Length).Count(i => Math.Min(sizes[i], caps[i]) > 0);
        if (k < withRoom)
            return;
        for (int i = 0; i < shares.Length; i++)
        {
            if (shares[i] > 0 || Math.Min(sizes[i], caps[i]) == 0)
                continue;
            int largest = Enumerable.Range(0, shares.Length).MaxBy(j => (shares[j], -j));
            shares[largest]--;
            shares[i] = 1;
        }
    }
}
