namespace KMeans.PowerShell;

/// <summary>One pass of partition balancing (Invoke-KMeansTraining -MaxSizeRatio/-MinSizeRatio), in KMeansModel.BalanceHistory.</summary>
public sealed class KMeansBalancePass(int pass, double loss, long displaced, long reassigned, KMeansPartitionSizes sizes,
    double elapsedSeconds)
{
    /// <summary>1 for the balanced assignment to the trained centroids; each later pass first moves the centroids.</summary>
    public int Pass { get; } = pass;

    /// <summary>Loss of the balanced assignment.</summary>
    public double Loss { get; } = loss;

    /// <summary>Sample rows not in their nearest centroid's partition.</summary>
    public long Displaced { get; } = displaced;

    /// <summary>Sample rows whose partition changed since the previous pass.</summary>
    public long Reassigned { get; } = reassigned;

    public KMeansPartitionSizes Sizes { get; } = sizes;

    /// <summary>Wall-clock seconds of the pass.</summary>
    public double ElapsedSeconds { get; } = elapsedSeconds;
}
