namespace KMeans.Core.Training;

/// <summary>How the first centroids are chosen when no initial centroids are given.</summary>
public enum InitMethod
{
    /// <summary>K distinct sample rows, chosen uniformly with the seed.</summary>
    Random,

    /// <summary>Greedy k-means++: each new centroid is the best of 2 + ln K candidates drawn with probability ∝ D².</summary>
    KMeansPlusPlus,
}
