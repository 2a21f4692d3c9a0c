using System.Globalization;

namespace KMeans.PowerShell;

/// <summary>Shows a long vector as its first values and an ellipsis, never as a thousand numbers.</summary>
public static class VectorText
{
    private const int ShownValues = 4;

    public static string Shorten(float[]? vector)
    {
        if (vector is null)
            return "";
        IEnumerable<string> shown = vector.Take(ShownValues).Select(v => v.ToString("G4", CultureInfo.InvariantCulture));
        string text = string.Join(", ", shown);
        return vector.Length > ShownValues ? $"[{text}, …]" : $"[{text}]";
    }
}
