namespace KMeans.Core;

/// <summary>
/// A problem with the caller's input or environment, described so that the user can fix it: the message names the
/// file, row, column or value, and <see cref="Target"/> carries the offending object for callers that report it.
/// A message that tells the user to change an option keeps it as <see cref="OptionMessage"/>, so that a front end can
/// name the option as its users know it.
/// </summary>
public sealed class KMeansException : Exception
{
    public KMeansException(KMeansErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Target = target;
    }

    public KMeansException(KMeansErrorKind kind, OptionMessage message, object? target = null, Exception? inner = null)
        : this(kind, message.ToString(), target, inner)
    {
        OptionMessage = message;
    }

    public KMeansErrorKind Kind { get; }

    public object? Target { get; }

    /// <summary>The message with its option mentions kept apart, or null when it mentions none.</summary>
    public OptionMessage? OptionMessage { get; }
}
