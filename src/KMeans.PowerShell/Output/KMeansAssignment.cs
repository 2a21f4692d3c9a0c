namespace KMeans.PowerShell;

/// <summary>The nearest centroid of one input vector (and with -Count, the next nearest too).</summary>
public sealed class KMeansAssignment
{
    private readonly int[] _clusterIds;
    private readonly double[] _distances;

    public KMeansAssignment(long index, int clusterId, double distance)
        : this(index, [clusterId], [distance])
    {
    }

    /// <param name="clusterIds">The nearest centroids, nearest first, with <paramref name="distances"/> to match.</param>
    public KMeansAssignment(long index, int[] clusterIds, double[] distances)
    {
        ArgumentNullException.ThrowIfNull(clusterIds);
        ArgumentNullException.ThrowIfNull(distances);
        if (clusterIds.Length == 0 || clusterIds.Length != distances.Length)
            throw new ArgumentException("One distance per cluster id, and at least one of each.", nameof(distances));
        Index = index;
        _clusterIds = clusterIds;
        _distances = distances;
    }

    /// <summary>Position of the vector in the input (0-based), so assignments can be joined back to rows.</summary>
    public long Index { get; }

    /// <summary>The nearest centroid.</summary>
    public int ClusterId => _clusterIds[0];

    /// <summary>
    /// Distance to the centroid under the model's metric: squared Euclidean for L2, 1 − cosine for Cosine, and the
    /// negated dot product for Dot (smaller is always nearer).
    /// </summary>
    public double Distance => _distances[0];

    /// <summary>The -Count nearest centroids, nearest first (one with the default -Count 1).</summary>
    public IReadOnlyList<int> ClusterIds => _clusterIds;

    /// <summary>The distances to <see cref="ClusterIds"/>, in the same order.</summary>
    public IReadOnlyList<double> Distances => _distances;
}
