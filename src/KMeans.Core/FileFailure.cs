namespace KMeans.Core;

/// <summary>
/// Why a file the module made could not be created or written, in the module's words: the operating system's reason
/// without the file's own (temporary, internal) name, which .NET puts into its messages.
/// </summary>
internal static class FileFailure
{
    /// <param name="file">The file that was being created or written, which the message must not name.</param>
    public static string Describe(Exception e, string file) => e switch
    {
        UnauthorizedAccessException => "permission denied.",
        IOException io when io.HResult == 28 || io.Message.Contains("space", StringComparison.OrdinalIgnoreCase) => "the disk is full.",
        _ => $"the system reported \"{SystemReason(e, file)}\".",
    };

    /// <summary>
    /// The operating system's reason (read-only file system, I/O error, ...) without the file's path, which .NET
    /// appends on Unix (" : 'path'") or quotes ("Could not find file 'path'").
    /// </summary>
    private static string SystemReason(Exception e, string file) =>
        e.Message.Replace($" : '{file}'", "", StringComparison.Ordinal)
            .Replace($" '{file}'", "", StringComparison.Ordinal)
            .Replace(file, "the temporary file", StringComparison.Ordinal)
            .TrimEnd('.', ' ');
}
