using System.Globalization;
using System.Text;
using System.Xml;

namespace KMeans.Core.Reporting;

/// <summary>How the report spells numbers and durations: invariant culture, short enough for a chart label.</summary>
internal static class ReportText
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    /// <summary>Six significant digits, the precision the report shows losses and ratios with.</summary>
    public static string Number(double value) => value.ToString("G6", Culture);

    public static string Count(long value) => value.ToString("N0", Culture);

    /// <summary>
    /// A tick label: plain for everyday magnitudes, exponent notation otherwise, with the significant digits that tell
    /// it from the ticks <paramref name="step"/> away (three at least: 1.3575e6 and 1.36e6 must not both read 1.36e6).
    /// </summary>
    public static string Tick(double value, double step)
    {
        double magnitude = Math.Abs(value);
        if (magnitude != 0 && (magnitude >= 1e6 || magnitude < 1e-3))
        {
            int digits = step > 0 ? Math.Clamp((int)Math.Floor(Math.Log10(magnitude / step)) + 2, 3, 9) : 3;
            return value.ToString("0." + new string('#', digits - 1) + "E+0", Culture)
                .Replace("E+", "e", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal);
        }
        return Math.Round(value, 6).ToString("G6", Culture);
    }

    /// <summary>
    /// The text with every character XML cannot hold (control characters, unpaired surrogates: a Linux file name may
    /// contain them) replaced by U+FFFD, so the report stays well-formed whatever the paths hold.
    /// </summary>
    public static string Printable(string text)
    {
        var printable = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                printable.Append(c).Append(text[++i]);
                continue;
            }
            printable.Append(XmlConvert.IsXmlChar(c) ? c : '\uFFFD');
        }
        return printable.ToString();
    }

    public static string Duration(TimeSpan duration)
    {
        if (duration.TotalSeconds < 1)
            return duration.TotalMilliseconds.ToString("0.#", Culture) + " ms";
        if (duration.TotalMinutes < 1)
            return duration.TotalSeconds.ToString("0.##", Culture) + " s";
        if (duration.TotalHours < 1)
            return string.Create(Culture, $"{duration.Minutes} min {duration.Seconds:00} s");
        return string.Create(Culture, $"{(long)duration.TotalHours} h {duration.Minutes:00} min {duration.Seconds:00} s");
    }
}
