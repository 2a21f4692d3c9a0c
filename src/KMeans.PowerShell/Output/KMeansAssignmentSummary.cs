namespace KMeans.PowerShell;

/// <summary>How many input vectors went to one cluster (Get-KMeansAssignment -Summary).</summary>
public sealed class KMeansAssignmentSummary(int clusterId, long count, double fraction, double? meanDistance)
{
    public int ClusterId { get; } = clusterId;

    public long Count { get; } = count;

    /// <summary>Count divided by the number of assigned vectors.</summary>
    public double Fraction { get; } = fraction;

    /// <summary>Mean distance of the cluster's vectors to its centroid; null for a cluster no vector went to.</summary>
    public double? MeanDistance { get; } = meanDistance;
}
