namespace KMeans.Core.Planning;

/// <summary>
/// What balanced training (MaxSizeRatio, MinSizeRatio) holds besides the training's own working set: per sample row a
/// label and a gap, the rows grouped by partition during the price steps (4 bytes a row, up to 8 as the groups grow),
/// and 4 bytes more while a step gathers the gaps of the full partitions (12 in all beyond the label and gap); and a
/// cache of the nearest centroids of at most <see cref="CacheCapacity"/> sample rows, whatever the sample's size, with
/// the two labels and the member list the splits keep per cached row; and the scores the searches keep of the rows
/// they scan again (<see cref="ScoredRowsBytes"/> at most).
/// </summary>
public static class BalancingMemory
{
    /// <summary>The nearest centroids the balancer keeps per cached row.</summary>
    public const int Candidates = 8;

    /// <summary>96 MiB: the whole sample up to 1.1 million rows (K = 4,096 at SampleRate 256), with 8 candidates each.</summary>
    public const long CandidateCacheBytes = 96L << 20;

    /// <summary>
    /// 32 MiB: every row the searches scanned on the skewed mixture at K = 256 (6,101 rows of 1 KiB), 512 rows at
    /// K = 16,384.
    /// </summary>
    public const long ScoredRowsBytes = 32L << 20;

    /// <summary>The most rows whose scores the searches keep: each holds K scores, rounded up to whole vectors.</summary>
    public static long ScoredRowsCapacity(long sampleRows, int k) =>
        Math.Max(1, Math.Min(sampleRows, ScoredRowsBytes / ScoredRowBytes(k)));

    private static long ScoredRowBytes(int k) => (long)Distance.NearestKernel.ScoreStride(k) * sizeof(float);

    private const long PerSampleRow = sizeof(int) + sizeof(float) + 12;

    private const long SplitsPerCachedRow = 3 * sizeof(int);

    /// <summary>The most sample rows the cache holds (an evenly spaced subset of a larger sample).</summary>
    public static long CacheCapacity(int candidates) =>
        Math.Max(1, CandidateCacheBytes / CachedRowBytes(candidates));

    /// <summary>A cached row: its candidates' ids and costs, and the constrained assignment's five values per row.</summary>
    public static long CachedRowBytes(int candidates) => candidates * (sizeof(int) + sizeof(float)) + 5 * sizeof(int);

    /// <summary>The bytes balancing adds to a training of <paramref name="sampleRows"/> rows into <paramref name="k"/> partitions.</summary>
    public static long Bytes(long sampleRows, int k)
    {
        int candidates = Math.Min(k, Candidates);
        long cachedRows = Math.Min(sampleRows, CacheCapacity(candidates));
        return checked(sampleRows * PerSampleRow + cachedRows * (CachedRowBytes(candidates) + SplitsPerCachedRow)
            + ScoredRowsCapacity(sampleRows, k) * ScoredRowBytes(k));
    }
}
