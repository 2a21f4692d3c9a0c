using System.Globalization;
using KMeans.Core.Training;

namespace KMeans.PowerShell.Errors;

/// <summary>
/// The warning for a balanced model whose loss balancing raised far above the trained centroids' own: to hold the size
/// bounds it sent rows far from every centroid they might have. Where the data allow the bounds it costs a few percent
/// (the bench's skewed mixture at -MaxSizeRatio 1.2: 1.01–1.03×); a helper found 50 rows of zeros among blobs at 1e4
/// whose centroid went to split a crowded partition, the loss 1.4e5 times the trained one, without a word. Under Dot,
/// whose loss may be negative, there is no such factor and no warning.
/// </summary>
internal static class BalancedLoss
{
    /// <summary>How many times the trained centroids' loss the balanced one must be for a warning.</summary>
    private const double Noticeable = 2;

    public static string? Warning(KMeansResult result)
    {
        if (result.BalancingLossFactor is not double factor || !(factor > Noticeable))
            return null;
        string raised = double.IsPositiveInfinity(factor)
            ? string.Format(CultureInfo.InvariantCulture, "from 0 (every row on its centroid) to {0:G6}", result.Loss)
            : string.Format(CultureInfo.InvariantCulture, "{0:F1}-fold, to {1:G6}", factor, result.Loss);
        return "Balancing raised the loss " + raised + ": to hold the size bounds it sent rows far from every " +
            "centroid, typically a small group of rows far from all the others whose centroid went to split a crowded " +
            "partition. A looser -MaxSizeRatio or a larger -K keeps such rows near a centroid; Get-KMeansAssignment " +
            "-Summary shows each partition's mean distance.";
    }
}
