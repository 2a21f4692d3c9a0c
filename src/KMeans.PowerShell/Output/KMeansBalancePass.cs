using System.Globalization;

namespace KMeans.PowerShell;

/// <summary>One pass of partition balancing (Invoke-KMeansTraining -MaxSizeRatio/-MinSizeRatio), in KMeansModel.BalanceHistory.</summary>
public sealed class KMeansBalancePass(int pass, double loss, long displaced, long reassigned, KMeansPartitionSizes sizes,
    double elapsedSeconds)
{
    /// <summary>
    /// The pass's number: first the constrained passes that move the centroids, then the passes that assign the whole
    /// sample with the partition prices (only the last is shown when the trained centroids needed no balancing).
    /// </summary>
    public int Pass { get; } = pass;

    /// <summary>Loss of the balanced assignment.</summary>
    public double Loss { get; } = loss;

    /// <summary>
    /// Sample rows the last pass moved away from the partition the prices give them, because prices could not place
    /// them within the bounds (exact duplicates, for example); 0 in every other pass. Assigning the sample with the
    /// model's prices reproduces every other row's partition.
    /// </summary>
    public long Displaced { get; } = displaced;

    /// <summary>Sample rows whose partition changed since the previous pass.</summary>
    public long Reassigned { get; } = reassigned;

    public KMeansPartitionSizes Sizes { get; } = sizes;

    /// <summary>Wall-clock seconds of the pass.</summary>
    public double ElapsedSeconds { get; } = elapsedSeconds;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Pass {Pass}: loss {Loss:G6}, max/mean {Sizes.MaxOverMean:F2}");
}
