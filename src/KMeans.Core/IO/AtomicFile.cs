namespace KMeans.Core.IO;

/// <summary>
/// Writes a whole file or nothing: the content goes to a temporary file beside the target, is flushed to disk, and
/// replaces the target by a rename only when complete. On failure or cancellation the temporary file is removed and
/// an existing target is left as it was.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Calls <paramref name="write"/> with a stream to a temporary file, then renames it to <paramref name="path"/>.
    /// An existing target is replaced only with <paramref name="overwrite"/>; otherwise <see cref="KMeansErrorKind.FileExists"/>.
    /// </summary>
    public static void Write(string path, bool overwrite, Action<Stream> write, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string target = Path.GetFullPath(path);
        if (Directory.Exists(target))
            throw new KMeansException(KMeansErrorKind.FileExists, $"Cannot write '{target}': it is a directory.", target);
        // Not null: only a root has no parent, and a root is a directory.
        string directory = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory))
            throw new KMeansException(KMeansErrorKind.FileNotFound,
                $"Cannot write '{target}': the directory '{directory}' does not exist.", target);
        if (!overwrite && File.Exists(target))
            throw AlreadyExists(target, null);

        string temporary = Path.Combine(directory, $"{TemporaryPrefix(target)}{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temporary, target, overwrite);
        }
        catch (IOException e) when (!overwrite && File.Exists(target))
        {
            // Another process created the target between the check above and the rename.
            DeleteQuietly(temporary);
            throw AlreadyExists(target, e);
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

    private static string TemporaryPrefix(string target) => $".{Path.GetFileName(target)}.";

    private const string TemporarySuffix = ".tmp";

    private static KMeansException AlreadyExists(string target, Exception? inner) =>
        new(KMeansErrorKind.FileExists, $"The file '{target}' already exists.", target, inner);

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
