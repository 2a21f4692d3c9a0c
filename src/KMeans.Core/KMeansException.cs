namespace KMeans.Core;

/// <summary>
/// A problem with the caller's input or environment, described so that the user can fix it: the message names the
/// file, row, column or value, and <see cref="Target"/> carries the offending object for callers that report it.
/// </summary>
public sealed class KMeansException : Exception
{
    public KMeansException(KMeansErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Target = target;
    }

    public KMeansErrorKind Kind { get; }

    public object? Target { get; }
}
