using System.Globalization;
using KMeans.Core.Training;

namespace KMeans.PowerShell.Errors;

/// <summary>
/// The warning for a sample with fewer distinct rows than K: which clusters the user gets empty, and why. Balancing
/// spreads the copies of a row over several centroids instead of leaving clusters empty, so after it the warning says
/// that several centroids share the same rows.
/// </summary>
internal static class DegenerateSample
{
    private const int ClustersNamed = 10;

    public static string Warning(KMeansResult result, int distinct)
    {
        string rows = distinct == 1 ? "1 distinct row" : $"{distinct} distinct rows";
        string loss = result.Loss.ToString("G6", CultureInfo.InvariantCulture);
        // Rows distinct in their own dimension can coincide once projected (under Cosine in 1 dimension, every row
        // becomes +1 or −1): then the projection, not the input, is what to change.
        bool projectionMerged = result.TrainDimension is not null && result.ProjectionMergedRows != false;
        string sample = projectionMerged
            ? $"The training sample, projected to {result.TrainDimension} dimension{(result.TrainDimension == 1 ? "" : "s")} (-TrainDimension), holds only {rows}"
            : $"The training sample holds only {rows}";
        string remedy = projectionMerged
            ? "Raise -TrainDimension, or lower -K."
            : "Lower -K, or check the input for repeated vectors.";
        if (result.BalanceHistory.Count > 0)
        {
            return $"{sample}, fewer than K = {result.K}, so several centroids share the " +
                $"same rows: balancing shared the copies of a row among them (loss {loss}). {remedy}";
        }
        int[] empty = Enumerable.Range(0, result.K).Where(c => result.ClusterSizes[c] == 0).ToArray();
        string named = string.Join(", ", empty.Take(ClustersNamed));
        if (empty.Length > ClustersNamed)
            named += $" and {empty.Length - ClustersNamed} more";
        return $"{sample}, fewer than K = {result.K}: each distinct row is its own " +
            $"centroid (loss {loss}), and the {empty.Length} empty clusters ({named}) are duplicates without rows. {remedy}";
    }
}
