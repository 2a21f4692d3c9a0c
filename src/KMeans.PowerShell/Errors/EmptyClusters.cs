using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.PowerShell.Errors;

/// <summary>
/// The warning for a training that ends with clusters no row belongs to although the sample has rows enough: the
/// repair moved their centroids and they lost their rows again. Under Dot distance that is what rows do (they go to the
/// centroids of largest norm), so the warning names the way out.
/// </summary>
internal static class EmptyClusters
{
    private const int ClustersNamed = 10;

    public static string? Warning(KMeansResult result)
    {
        int[] empty = Enumerable.Range(0, result.K).Where(c => result.ClusterSizes[c] == 0).ToArray();
        if (empty.Length == 0)
            return null;
        string named = string.Join(", ", empty.Take(ClustersNamed));
        if (empty.Length > ClustersNamed)
            named += $" and {empty.Length - ClustersNamed} more";
        string advice = result.Distance == DistanceMetric.Dot
            ? "Under Dot distance every row goes to the centroids of largest norm: normalise the vectors and use -Distance Cosine, or use L2."
            : "Lower -K, or check the input for a few far rows that hold centroids of their own.";
        return $"{empty.Length} of K = {result.K} clusters are empty after training ({named}): no row is nearest to their " +
            $"centroids, even after they were repaired, so the model has fewer partitions than asked. {advice}";
    }
}
