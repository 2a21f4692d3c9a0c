namespace KMeans.PowerShell;

/// <summary>How closeness between a vector and a centroid is measured (mirrors the engine's metric).</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum KMeansDistance
{
    /// <summary>Squared Euclidean distance; the loss is the inertia.</summary>
    L2,

    /// <summary>Spherical k-means: vectors and centroids are normalised; the loss is Σ(1 − cos).</summary>
    Cosine,

    /// <summary>Maximum inner product: a vector goes to the centroid with the largest dot product.</summary>
    Dot,
}
