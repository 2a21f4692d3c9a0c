namespace KMeans.Core.Training.Balancing;

/// <summary>
/// How evenly rows spread over the partitions: what an IVF query pays for its largest partition. <see cref="MaxOverMean"/>
/// is the quantity -MaxSizeRatio bounds; <see cref="CoefficientOfVariation"/> is the standard deviation of the sizes over
/// their mean (0 when all are equal).
/// </summary>
public sealed record PartitionSizeStatistics(long Min, long Max, double Mean, double MaxOverMean, double MinOverMean,
    double CoefficientOfVariation)
{
    public static PartitionSizeStatistics Of(IReadOnlyList<long> sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Count == 0)
            throw new ArgumentException("At least one partition is needed.", nameof(sizes));
        long min = long.MaxValue, max = 0;
        double total = 0;
        foreach (long size in sizes)
        {
            min = Math.Min(min, size);
            max = Math.Max(max, size);
            total += size;
        }
        double mean = total / sizes.Count;
        double squares = 0;
        foreach (long size in sizes)
            squares += (size - mean) * (size - mean);
        double deviation = Math.Sqrt(squares / sizes.Count);
        return mean == 0
            ? new PartitionSizeStatistics(min, max, 0, 0, 0, 0)
            : new PartitionSizeStatistics(min, max, mean, max / mean, min / mean, deviation / mean);
    }
}
