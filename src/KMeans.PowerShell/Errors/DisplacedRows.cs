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
        // Balancing keeps a row in every partition, with or without -MinSizeRatio: an empty priced partition is
        // worth a word even where no minimum was asked for.
        bool emptied = priced.Min == 0 && (smallest ?? 1) <= 1;
        bool below = smallest is long min && priced.Min < min * (1 - NoticeableExcess);
        if (displaced == 0 || !(above || below || emptied))
            return null;
        Core.Training.Balancing.PartitionSizeStatistics own = result.PartitionSizes;
        string bounds = smallest is long least
            ? largest is long most
                ? string.Create(CultureInfo.InvariantCulture, $"{least:N0}–{most:N0} rows")
                : string.Create(CultureInfo.InvariantCulture, $"at least {least:N0} rows")
            : string.Create(CultureInfo.InvariantCulture, $"at most {largest!.Value:N0} rows");
        if (!above && emptied)
        {
            return string.Format(CultureInfo.InvariantCulture,
                "Balancing kept a row in every partition, moving {0:N0} of the {1:N0} sample rows ({2}) into partitions " +
                "the prices leave empty, which prices cannot do: they keep partitions within a maximum and do not fill " +
                "small ones. So assigning the sample with this model (Get-KMeansAssignment) leaves partitions empty " +
                "(partitions of {3:N0}–{4:N0} rows), while the model's own partitions keep {5:N0}–{6:N0}. Prices cannot " +
                "split duplicate rows and, under Dot distance, starve centroids of small norm; a lower -K leaves fewer " +
                "partitions without rows of their own; see about_KMeans.",
                displaced, result.SampleRows, Share(displaced, result.SampleRows), priced.Min, priced.Max, own.Min, own.Max);
        }
        if (!above)
        {
            // Prices only rise: they keep partitions within a maximum and never fill small ones.
            return string.Format(CultureInfo.InvariantCulture,
                "Balancing moved {0:N0} of the {1:N0} sample rows ({2}) into partitions below the minimum, which prices " +
                "cannot do: they keep partitions within a maximum and do not fill small ones. So assigning the sample with " +
                "this model (Get-KMeansAssignment) gives partitions of {3:N0}–{4:N0} rows, while the model's own partitions " +
                "keep {5:N0}–{6:N0}, within the bounds ({7}): -MinSizeRatio holds on the sample only, and a lower one moves " +
                "fewer rows; see about_KMeans.",
                displaced, result.SampleRows, Share(displaced, result.SampleRows), priced.Min, priced.Max, own.Min, own.Max, bounds);
        }
        return string.Format(CultureInfo.InvariantCulture,
            "Balancing displaced {0:N0} of the {1:N0} sample rows ({2}): the partition prices alone do not place them, " +
            "so assigning the sample with this model (Get-KMeansAssignment) gives partitions of {3:N0}–{4:N0} rows " +
            "({5:F2}× the mean), while the model's own partitions keep {6:N0}–{7:N0}, within the bounds ({8}). Prices " +
            "cannot split duplicate rows, and place " +
            "rows poorly where many full partitions share one dense region or, under Dot distance, where centroids share a " +
            "direction and differ only in norm. A looser -MaxSizeRatio, or -Distance Cosine for vectors compared by " +
            "direction, displaces fewer rows; see about_KMeans.",
            displaced, result.SampleRows, Share(displaced, result.SampleRows), priced.Min, priced.Max, priced.MaxOverMean,
            own.Min, own.Max, bounds);
    }

    /// <summary>A share in percent, to one decimal, or below 0.1 % to two significant digits (one row in 3,000 is 0.033 %, not 0.0 %).</summary>
    private static string Share(long rows, long of)
    {
        double percent = 100.0 * rows / of;
        string digits = percent >= 0.1 || percent == 0
            ? percent.ToString("F1", CultureInfo.InvariantCulture)
            : Math.Round(percent, 1 - (int)Math.Floor(Math.Log10(percent))).ToString("0.##########", CultureInfo.InvariantCulture);
        return digits + " %";
    }
}
