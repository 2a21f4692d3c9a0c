namespace KMeans.PowerShell;

/// <summary>The nearest centroid of one input vector.</summary>
public sealed class KMeansAssignment(long index, int clusterId, double distance)
{
    /// <summary>Position of the vector in the input (0-based), so assignments can be joined back to rows.</summary>
    public long Index { get; } = index;

    public int ClusterId { get; } = clusterId;

    /// <summary>
    /// Distance to the centroid under the model's metric: squared Euclidean for L2, 1 − cosine for Cosine, and the
    /// negated dot product for Dot (smaller is always nearer).
    /// </summary>
    public double Distance { get; } = distance;
}
