using System.Globalization;
using KMeans.Core.Distance;
using KMeans.Core.Numerics;

namespace KMeans.Core.Files;

/// <summary>
/// How numbers and distance names are spelled in the text-based formats and in Arrow metadata: invariant culture and
/// the shortest text that parses back to the same bits, so every float32 survives a round trip exactly.
/// </summary>
internal static class InvariantText
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    // "-0" would be read as the integer 0 by JSON and CSV readers that type numbers by their look (Python's json,
    // for one), losing the sign; "-0.0" is a float everywhere.
    private const string NegativeZero = "-0.0";

    public static string Format(float value) =>
        value == 0 && float.IsNegative(value) ? NegativeZero : value.ToString("R", Culture);

    public static string Format(double value) =>
        value == 0 && double.IsNegative(value) ? NegativeZero : value.ToString("R", Culture);

    public static string Format(long value) => value.ToString(Culture);

    public static bool TryParse(string text, out float value) =>
        float.TryParse(text, NumberStyles.Float, Culture, out value);

    /// <summary>
    /// A centroid value: the float32 the text spells, or <see cref="BeyondFloat32.Value"/> for a finite number beyond
    /// float32's range (1e39), which float parsing would turn into an infinity the file does not hold.
    /// </summary>
    public static bool TryParseValue(string text, out float value)
    {
        if (!TryParse(text, out value))
            return TryParseNonFinite(text, out value);
        if (float.IsInfinity(value) && TryParse(text, out double wide) && double.IsFinite(wide))
            value = BeyondFloat32.Value;
        return true;
    }

    public static bool TryParse(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, Culture, out value);

    /// <summary>
    /// An infinity or NaN as numpy's savetxt and pandas' to_csv spell them (inf, -inf, nan, in any case), which .NET's
    /// parsing, taking only Infinity and NaN, refuses.
    /// </summary>
    public static bool TryParseNonFinite(string text, out float value)
    {
        value = text.Trim().ToLowerInvariant() switch
        {
            "inf" or "+inf" => float.PositiveInfinity,
            "-inf" => float.NegativeInfinity,
            "nan" or "+nan" or "-nan" => float.NaN,
            _ => 0,
        };
        return value != 0;
    }

    public static bool TryParse(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, Culture, out value);

    public static bool TryParse(string text, out long value) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, Culture, out value);

    /// <summary>The names Lance uses for its distance types.</summary>
    public static string DistanceName(DistanceMetric distance) => distance switch
    {
        DistanceMetric.L2 => "l2",
        DistanceMetric.Cosine => "cosine",
        DistanceMetric.Dot => "dot",
        _ => throw new ArgumentOutOfRangeException(nameof(distance), distance, "Unknown distance metric."),
    };

    public static bool TryParseDistance(string text, out DistanceMetric distance)
    {
        DistanceMetric? parsed = text.Trim().ToLowerInvariant() switch
        {
            "l2" => DistanceMetric.L2,
            "cosine" => DistanceMetric.Cosine,
            "dot" => DistanceMetric.Dot,
            _ => null,
        };
        distance = parsed.GetValueOrDefault();
        return parsed is not null;
    }

    public const string DistanceNames = "'l2', 'cosine' or 'dot'";
}
