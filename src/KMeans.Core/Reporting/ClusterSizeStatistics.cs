namespace KMeans.Core.Reporting;

/// <summary>
/// How even the partitions are: min, mean, max, max/mean and the coefficient of variation of the cluster sizes, the
/// sorted sizes thinned to a bounded number of points, and a histogram with a bounded number of bins, so the report
/// stays small for any K.
/// </summary>
internal sealed class ClusterSizeStatistics
{
    public ClusterSizeStatistics(IReadOnlyList<long> sizes)
    {
        if (sizes.Count == 0)
            throw new ArgumentException("There must be at least one cluster.", nameof(sizes));
        Descending = [.. sizes.OrderDescending()];
        Max = Descending[0];
        Min = Descending[^1];
        double total = 0;
        foreach (long size in Descending)
            total += size;
        Total = total;
        Mean = total / Descending.Length;
        double squares = 0, sumOfSquares = 0;
        foreach (long size in Descending)
        {
            squares += (size - Mean) * (size - Mean);
            sumOfSquares += (double)size * size;
        }
        SumOfSquares = sumOfSquares;
        StandardDeviation = Math.Sqrt(squares / Descending.Length);
        Empty = Descending.Count(size => size == 0);
    }

    /// <summary>The sizes, largest first.</summary>
    public long[] Descending { get; }

    public long Min { get; }

    public long Max { get; }

    public double Total { get; }

    public double Mean { get; }

    /// <summary>Population standard deviation of the sizes.</summary>
    public double StandardDeviation { get; }

    public int Empty { get; }

    private double SumOfSquares { get; }

    /// <summary>Largest over mean size; 1 for perfectly even clusters, 0 when the sample was empty.</summary>
    public double MaxOverMean => Mean == 0 ? 0 : Max / Mean;

    /// <summary>K·Σ size² / n², as FAISS reports it: 1 for perfectly even clusters, K when one cluster holds all.</summary>
    public double ImbalanceFactor => Total == 0 ? 0 : Descending.Length * SumOfSquares / (Total * Total);

    /// <summary>Standard deviation over mean; 0 for perfectly even clusters.</summary>
    public double CoefficientOfVariation => Mean == 0 ? 0 : StandardDeviation / Mean;

    /// <summary>
    /// At most <paramref name="maxPoints"/> (rank, size) points of the descending sizes, evenly spread over the ranks
    /// and always holding the first and the last, so the largest and smallest cluster are drawn exactly.
    /// </summary>
    public IReadOnlyList<(int Rank, long Size)> SortedProfile(int maxPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        int count = Descending.Length;
        if (count <= maxPoints)
            return [.. Descending.Select((size, rank) => (rank + 1, size))];
        var points = new List<(int, long)>(maxPoints);
        for (int i = 0; i < maxPoints; i++)
        {
            int rank = (int)Math.Round((double)i * (count - 1) / (maxPoints - 1));
            points.Add((rank + 1, Descending[rank]));
        }
        return points;
    }

    /// <summary>
    /// Counts of clusters per size range: at most <paramref name="maxBins"/> ranges of equal integer width covering
    /// Min to Max; every cluster falls in exactly one.
    /// </summary>
    public IReadOnlyList<SizeBin> Histogram(int maxBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBins, 1);
        long span = Max - Min + 1;
        long width = (span + maxBins - 1) / maxBins;
        int bins = (int)((span + width - 1) / width);
        var counts = new int[bins];
        foreach (long size in Descending)
            counts[(int)((size - Min) / width)]++;
        return [.. counts.Select((count, bin) => new SizeBin(Min + bin * width, Min + (bin + 1) * width - 1, count))];
    }
}

/// <summary>Clusters whose size lies in [<paramref name="From"/>, <paramref name="To"/>].</summary>
internal readonly record struct SizeBin(long From, long To, int Clusters);
