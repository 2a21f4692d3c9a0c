namespace KMeans.Core.Distance;

/// <summary>How closeness between a row and a centroid is measured.</summary>
public enum DistanceMetric
{
    /// <summary>Squared Euclidean distance; the loss is the inertia.</summary>
    L2,

    /// <summary>Spherical k-means: rows are normalised when sampled, centroids after each update; loss is Σ(1 − cos).</summary>
    Cosine,

    /// <summary>Maximum inner product: rows go to the centroid with the largest x·c; loss is −Σ x·c.</summary>
    Dot,
}
