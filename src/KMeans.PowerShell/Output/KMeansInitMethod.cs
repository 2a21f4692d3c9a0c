namespace KMeans.PowerShell;

/// <summary>How the first centroids are chosen when no initial centroids are given.</summary>
public enum KMeansInitMethod
{
    /// <summary>K distinct sample rows chosen uniformly with the seed.</summary>
    Random,

    /// <summary>Greedy k-means++ seeding.</summary>
    KMeansPlusPlus,
}
