namespace KMeans.Core.IO;

/// <summary>
/// A file written whole or not at all: the bytes go to a temporary file beside the target, which replaces the target
/// only on <see cref="Commit"/> (flushed to disk first). Disposing without committing, after a failure or a
/// cancellation, deletes the temporary file and leaves an existing target as it was.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private readonly string _temporary;
    private FileStream? _stream;
    private bool _committed;

    /// <param name="path">The target; its directory must exist.</param>
    public AtomicFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Target = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(Target)!;
        if (!Directory.Exists(directory))
            throw new KMeansException(KMeansErrorKind.FileNotFound,
                $"Cannot write '{Target}': the directory '{directory}' does not exist.", Target);
        _temporary = Path.Combine(directory, $".{Path.GetFileName(Target)}.{Guid.NewGuid():N}.tmp");
        _stream = new FileStream(_temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20);
    }

    public string Target { get; }

    /// <summary>The temporary file's stream (seekable, so that headers can be rewritten at the end).</summary>
    public Stream Stream => _stream ?? throw new ObjectDisposedException(nameof(AtomicFile));

    /// <summary>Flushes the temporary file to disk and moves it over the target.</summary>
    public void Commit()
    {
        FileStream stream = _stream ?? throw new ObjectDisposedException(nameof(AtomicFile));
        stream.Flush(flushToDisk: true);
        stream.Dispose();
        _stream = null;
        File.Move(_temporary, Target, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        if (!_committed)
            DeleteQuietly(_temporary);
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
