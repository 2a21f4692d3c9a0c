namespace KMeans.Core.Training;

/// <summary>How the first centroids are chosen when no initial centroids are given.</summary>
public enum InitMethod
{
    /// <summary>K distinct sample rows, chosen uniformly with the seed.</summary>
    Random,

    /// <summary>Greedy k-means++: each new centroid is the best of 2 + ln K candidates drawn with probability ∝ D².</summary>
    KMeansPlusPlus,

    /// <summary>
    /// k-means‖ (scalable k-means++): a few rounds oversample candidates ∝ D², then weighted k-means++ picks K of them.
    /// About as good as k-means++ for a fraction of its passes over the sample.
    /// </summary>
    KMeansParallel,

    /// <summary>k-means++ for small K, k-means‖ from <see cref="KMeansOptions.ParallelInitThreshold"/> centroids on.</summary>
    Auto,
}
