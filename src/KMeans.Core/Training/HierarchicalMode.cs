namespace KMeans.Core.Training;

/// <summary>Whether to train a tree of small k-means problems instead of one flat problem.</summary>
public enum HierarchicalMode
{
    /// <summary>Hierarchical when K exceeds <see cref="KMeansOptions.HierarchicalThreshold"/> (as Lance does).</summary>
    Auto,

    On,

    Off,
}
