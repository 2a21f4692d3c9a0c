using System.Globalization;
using KMeans.Core.Training;

namespace KMeans.PowerShell.Errors;

/// <summary>
/// The warning for a balanced model whose prices alone leave the sample well outside the size bounds: the model's own
/// partitions hold the bounds (the last pass moved the displaced rows), but assigning rows with the model uses the
/// prices alone, so its partitions are as unbalanced as the prices leave them.
/// </summary>
internal static class DisplacedRows
{
    /// <summary>
    /// How far beyond a bound the priced partitions must be for a warning: closer, the displaced rows are a few that no
    /// price can split (duplicates, or rows within the kernel's rounding of a border), as in the bench's 4.2 M-row run
    /// before the path searches placed them (6 rows, 2.02× the mean against a bound of 2×).
    /// </summary>
    private const double NoticeableExcess = 0.05;

    public static string? Warning(KMeansResult result)
    {
        if (result.PricedPartitionSizes is not { } priced || result.BalanceHistory.Count == 0)
            return null;
        long displaced = result.BalanceHistory[^1].Displaced;
        long? largest = result.MaxPartitionSizeBound;
        long? smallest = result.MinPartitionSizeBound;
        bool above = largest is long max && priced.Max > max * (1 + NoticeableExcess);
        bool below = smallest is long min && priced.Min < min * (1 - NoticeableExcess);
        if (displaced == 0 || !(above || below))
            return null;
        Core.Training.Balancing.PartitionSizeStatistics own = result.PartitionSizes;
        string bounds = smallest is long least
            ? largest is long most
                ? string.Create(CultureInfo.InvariantCulture, $"{least:N0}–{most:N0} rows")
                : string.Create(CultureInfo.InvariantCulture, $"at least {least:N0} rows")
            : string.Create(CultureInfo.InvariantCulture, $"at most {largest!.Value:N0} rows");
        if (!above)
        {
            // Prices only rise: they keep partitions within a maximum and never fill small ones.
            return string.Format(CultureInfo.InvariantCulture,
                "Balancing moved {0:N0} of the {1:N0} sample rows ({2:P1}) into partitions below the minimum, which prices " +
                "cannot do: they keep partitions within a maximum and do not fill small ones. So assigning the sample with " +
                "this model (Get-KMeansAssignment) gives partitions of {3:N0}–{4:N0} rows, while the model's own partitions " +
                "keep {5:N0}–{6:N0}, within the bounds ({7}): -MinSizeRatio holds on the sample only, and a lower one moves " +
                "fewer rows; see about_KMeans.",
                displaced, result.SampleRows, (double)displaced / result.SampleRows, priced.Min, priced.Max, own.Min, own.Max, bounds);
        }
        return string.Format(CultureInfo.InvariantCulture,
            "Balancing displaced {0:N0} of the {1:N0} sample rows ({2:P1}): the partition prices alone do not place them, " +
            "so assigning the sample with this model (Get-KMeansAssignment) gives partitions of {3:N0}–{4:N0} rows " +
            "({5:F2}× the mean), while the model's own partitions keep {6:N0}–{7:N0}, within the bounds ({8}). Prices " +
            "cannot split duplicate rows, and place " +
            "rows poorly where many full partitions share one dense region or, under Dot distance, where centroids share a " +
            "direction and differ only in norm. A looser -MaxSizeRatio, or -Distance Cosine for vectors compared by " +
            "direction, displaces fewer rows; see about_KMeans.",
            displaced, result.SampleRows, (double)displaced / result.SampleRows, priced.Min, priced.Max, priced.MaxOverMean,
            own.Min, own.Max, bounds);
    }
}
