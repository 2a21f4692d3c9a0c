namespace KMeans.Core.IO;

/// <summary>
/// Replaces a file all at once: the content goes to a temporary file beside the target (same directory, so the same
/// file system), is flushed to disk, and is renamed over the target. A reader, or a process killed at any moment, sees
/// the old file or the new one, never a mix; on failure or cancellation the temporary file is removed.
/// </summary>
internal static class AtomicFile
{
    /// <summary>The temporary name used beside <paramref name="target"/>; a killed writer can leave one behind.</summary>
    public static string TemporaryPrefix(string target) => $".{Path.GetFileName(target)}.";

    public const string TemporarySuffix = ".tmp";

    public static void Write(string target, Action<FileStream> write, CancellationToken cancellationToken = default)
    {
        string directory = Path.GetDirectoryName(target)!;
        string temporary = Path.Combine(directory, $"{TemporaryPrefix(target)}{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
    }

    /// <summary>
    /// Removes temporary files a killed writer left beside <paramref name="target"/>. Only files of this helper's own
    /// naming pattern are touched.
    /// </summary>
    public static void RemoveLeftovers(string target)
    {
        string directory = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory))
            return;
        foreach (string leftover in Directory.EnumerateFiles(directory, $"{TemporaryPrefix(target)}*{TemporarySuffix}"))
        {
            string guid = Path.GetFileName(leftover)[TemporaryPrefix(target).Length..^TemporarySuffix.Length];
            if (guid.Length == 32 && Guid.TryParseExact(guid, "N", out _))
                DeleteQuietly(leftover);
        }
    }

    /// <summary>Cleanup after a failed write must not replace the failure the caller needs to see.</summary>
    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
