using System.Globalization;
using KMeans.Core.Files;

namespace KMeans.Core.Training;

/// <summary>
/// A training result as a centroid file's content. It lives here, above the file layer, because the file layer knows
/// nothing of training.
/// </summary>
public static class ResultCentroids
{
    /// <summary>The centroids of a training run, with its parameters and whether it converged.</summary>
    public static CentroidSet ToCentroidSet(this KMeansResult result, string moduleVersion)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrEmpty(moduleVersion);
        var set = new CentroidSet(result.K, result.Dimension, (float[])result.Centroids.Clone(),
            (long[])result.ClusterSizes.Clone())
        {
            Distance = result.Distance,
            Loss = result.Loss,
            Iterations = result.Iterations,
            Seed = result.Seed,
            ModuleVersion = moduleVersion,
            Prices = (float[]?)result.PartitionPrices?.Clone(),
        };
        set.Metadata["converged"] = result.Converged ? "true" : "false";
        set.Metadata["sample_rows"] = result.SampleRows.ToString(CultureInfo.InvariantCulture);
        return set;
    }
}
