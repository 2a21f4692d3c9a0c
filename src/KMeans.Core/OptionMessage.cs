using System.Globalization;

namespace KMeans.Core;

/// <summary>
/// A message that mentions options: a composite format whose {0}, {1}, ... are <see cref="Options"/>. The core renders
/// it with the options' own names; a front end renders it with the names its users type (such as "-OnDisk").
/// </summary>
public sealed class OptionMessage(string format, params KMeansOption[] options)
{
    public string Format { get; } = format;

    public IReadOnlyList<KMeansOption> Options { get; } = options;

    public string Render(Func<KMeansOption, string> name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return string.Format(CultureInfo.InvariantCulture, Format, Options.Select(option => (object)name(option)).ToArray());
    }

    /// <summary>Text to put in a <see cref="Format"/> as it is (a path may hold braces).</summary>
    public static string Literal(string text) => text.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);

    /// <summary>The message with the options' core names (<see cref="KMeansOption"/>'s member names).</summary>
    public override string ToString() => Render(option => option.ToString());
}
