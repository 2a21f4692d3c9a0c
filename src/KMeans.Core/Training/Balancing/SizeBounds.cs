namespace KMeans.Core.Training.Balancing;

/// <summary>
/// The partition sizes -MaxSizeRatio and -MinSizeRatio allow for <c>n</c> rows in <c>K</c> partitions: at most
/// ⌊ratio · n / K⌋ but never below ⌈n / K⌉ (so that every row fits), at least ⌈ratio · n / K⌉ but never above ⌊n / K⌋.
/// Without a minimum ratio the minimum is one row: a partition the passes emptied would waste its centroid.
/// </summary>
internal readonly record struct SizeBounds(long Min, long Max)
{
    public static SizeBounds For(long rows, int k, double? maxSizeRatio, double? minSizeRatio)
    {
        double mean = (double)rows / k;
        long ceiling = (rows + k - 1) / k;
        long floor = rows / k;
        // A ratio beyond every row bounds nothing; a cast of a double beyond long's range is undefined before .NET 9.
        double allowed = maxSizeRatio is double high ? Math.Floor(high * mean + 1e-9) : rows;
        long max = allowed >= rows ? rows : Math.Max(ceiling, (long)allowed);
        long min = Math.Min(floor, minSizeRatio is double low ? Math.Max(1, (long)Math.Ceiling(low * mean - 1e-9)) : 1);
        return new SizeBounds(min, max);
    }
}
