namespace KMeans.Core.Training;

/// <summary>
/// Shares K centroids among clusters in proportion to their sizes with the largest-remainder method, so the shares
/// sum to K exactly; no cluster gets more centroids than it has rows. Ties go to the lower index.
/// </summary>
internal static class ProportionalAllocation
{
    public static int[] Allocate(long[] sizes, int k)
    {
        long total = sizes.Sum();
        if (total < k)
            throw new ArgumentException($"{total} rows cannot hold {k} centroids.", nameof(k));
        var shares = new int[sizes.Length];
        var remainders = new double[sizes.Length];
        int given = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            double exact = (double)k * sizes[i] / total;
            shares[i] = (int)Math.Min(Math.Floor(exact), sizes[i]);
            remainders[i] = exact - shares[i];
            given += shares[i];
        }
        // Hand out what rounding left, largest remainder first, to clusters that still have rows to spare.
        int[] order = Enumerable.Range(0, sizes.Length).OrderByDescending(i => remainders[i]).ThenBy(i => i).ToArray();
        while (given < k)
        {
            foreach (int i in order)
            {
                if (given == k)
                    break;
                if (shares[i] < sizes[i])
                {
                    shares[i]++;
                    given++;
                }
            }
        }
        return shares;
    }
}
