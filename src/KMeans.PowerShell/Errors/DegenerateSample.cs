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
        if (result.BalanceHistory.Count > 0)
        {
            return $"The training sample holds only {rows}, fewer than K = {result.K}, so several centroids share the " +
                $"same rows: balancing shared the copies of a row among them (loss {loss}). Lower -K, or check the " +
                "input for repeated vectors.";
        }
        int[] empty = Enumerable.Range(0, result.K).Where(c => result.ClusterSizes[c] == 0).ToArray();
        string named = string.Join(", ", empty.Take(ClustersNamed));
        if (empty.Length > ClustersNamed)
            named += $" and {empty.Length - ClustersNamed} more";
        return $"The training sample holds only {rows}, fewer than K = {result.K}: each distinct row is its own " +
            $"centroid (loss {loss}), and the {empty.Length} empty clusters ({named}) are duplicates without rows. " +
            "Lower -K, or check the input for repeated vectors.";
    }
}
