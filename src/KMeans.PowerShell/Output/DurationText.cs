using System.Globalization;

namespace KMeans.PowerShell;

/// <summary>
/// A duration for a table cell: the two largest units that matter ("850 ms", "12.4 s", "3 min 05 s",
/// "2 h 07 min", "3 d 04 h"), so that an iteration of milliseconds does not read 0:00:00 and a week-long training
/// still fits its column.
/// </summary>
public static class DurationText
{
    public static string Format(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0)
            return "";
        // Three significant digits below a minute, with the bounds where rounding would reach the next unit.
        if (seconds < 0.0009995)
            return (seconds * 1000).ToString("0.###", CultureInfo.InvariantCulture) + " ms";
        if (seconds < 0.9995)
            return (seconds * 1000).ToString("G3", CultureInfo.InvariantCulture) + " ms";
        if (seconds < 59.95)
            return seconds.ToString("G3", CultureInfo.InvariantCulture) + " s";
        long whole = (long)Math.Round(seconds);
        return whole switch
        {
            < 3600 => Two(whole / 60, "min", whole % 60, "s"),
            < 86400 => Two(whole / 3600, "h", whole / 60 % 60, "min"),
            _ => Two(whole / 86400, "d", whole / 3600 % 24, "h"),
        };
    }

    private static string Two(long larger, string largerUnit, long smaller, string smallerUnit) =>
        string.Create(CultureInfo.InvariantCulture, $"{larger} {largerUnit} {smaller:00} {smallerUnit}");
}
