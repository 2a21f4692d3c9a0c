using System.Globalization;

namespace KMeans.PowerShell;

/// <summary>How evenly the sample spreads over the partitions of a model or after one balancing pass.</summary>
public sealed class KMeansPartitionSizes(long min, long max, double mean, double maxOverMean, double minOverMean,
    double coefficientOfVariation)
{
    public long Min { get; } = min;

    public long Max { get; } = max;

    public double Mean { get; } = mean;

    /// <summary>The largest partition over the mean: what -MaxSizeRatio bounds, and what the slowest IVF probe pays.</summary>
    public double MaxOverMean { get; } = maxOverMean;

    /// <summary>The smallest partition over the mean: what -MinSizeRatio bounds.</summary>
    public double MinOverMean { get; } = minOverMean;

    /// <summary>The standard deviation of the sizes over their mean (0 when all are equal).</summary>
    public double CoefficientOfVariation { get; } = coefficientOfVariation;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Min}–{Max} (max/mean {MaxOverMean:F2}, CV {CoefficientOfVariation:F2})");
}
