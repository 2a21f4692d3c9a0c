namespace KMeans.PowerShell;

/// <summary>How the first centroids are chosen when no initial centroids are given.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum KMeansInitMethod
{
    /// <summary>K distinct sample rows chosen uniformly with the seed.</summary>
    Random,

    /// <summary>Greedy k-means++ seeding: K passes over the sample.</summary>
    KMeansPlusPlus,

    /// <summary>k-means‖ (scalable k-means++): a few oversampling rounds, then weighted k-means++.</summary>
    KMeansParallel,

    /// <summary>k-means++ for small K, k-means‖ for large K.</summary>
    Auto,
}
