using Microsoft.Win32.SafeHandles;
using KMeans.Core.Buffers;

namespace KMeans.Core.Files;

/// <summary>
/// One write through <see cref="AtomicFile"/>: a temporary file beside the target that becomes the target only at
/// <see cref="Commit"/> (flushed to disk, mode and owner kept, renamed). Disposing without a commit removes the
/// temporary file, so an error or a stop leaves the target as it was.
/// </summary>
public sealed class AtomicFileWrite : IDisposable
{
    private readonly string _temporary;
    private readonly bool _overwrite;
    private readonly UnixFileStatus? _existing;
    private FileStream? _stream;
    private bool _committed;

    internal AtomicFileWrite(string target, string temporary, bool overwrite, UnixFileStatus? existing)
    {
        Target = target;
        _temporary = temporary;
        _overwrite = overwrite;
        _existing = existing;
        try
        {
            _stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
            LiveTemporaries.Add(temporary);
        }
        catch (Exception e) when (Translate(e) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>The file being written, as the user named it (messages name it, never the temporary file).</summary>
    public string Target { get; }

    /// <summary>The temporary file's stream: seekable, so that a header can be rewritten at the end.</summary>
    public Stream Stream => _stream ?? throw new ObjectDisposedException(nameof(AtomicFileWrite));

    /// <summary>Flushes the content to disk and moves it over the target; the token is checked before the rename.</summary>
    public void Commit(CancellationToken cancellationToken = default)
    {
        FileStream stream = _stream ?? throw new ObjectDisposedException(nameof(AtomicFileWrite));
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            stream.Flush(flushToDisk: true);
            stream.Dispose();
            _stream = null;
            if (_existing is { } existing)
                AtomicFile.KeepModeAndOwner(Target, _temporary, existing);
            cancellationToken.ThrowIfCancellationRequested();
            SafeFileHandle? replaced = _existing is null ? null : OpenReplaced();
            try
            {
                File.Move(_temporary, Target, _overwrite);
            }
            catch
            {
                replaced?.Dispose();
                throw;
            }
            _committed = true;
            ReleaseInBackground(replaced);
        }
        catch (Exception e) when (Translate(e) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// The file about to be replaced, held open across the rename: the rename then only unlinks it, and freeing its
    /// pages and blocks (about 2 ms for 5 MB) waits for the handle's close, off the caller's path. Null when it is no
    /// longer a regular file we may read (opening anything else could block) or off Linux, which merely keeps that work
    /// in the rename.
    /// </summary>
    private SafeFileHandle? OpenReplaced()
    {
        if (UnixFileStatus.Of(Target) is not { Type: UnixFileType.Regular })
            return null;
        try
        {
            return File.OpenHandle(Target, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void ReleaseInBackground(SafeFileHandle? replaced)
    {
        if (replaced is not null)
            ThreadPool.UnsafeQueueUserWorkItem(handle => handle.Dispose(), replaced, preferLocal: false);
    }

    public void Dispose()
    {
        try
        {
            _stream?.Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Closing flushes what the stream still buffers, which fails again on a full disk: the write's own error
            // has been reported, and the temporary file goes all the same (unlinking an open file is fine on Unix).
        }
        finally
        {
            _stream = null;
            if (!_committed)
                AtomicFile.DeleteQuietly(_temporary);
            LiveTemporaries.Remove(_temporary);
        }
    }

    /// <summary>
    /// The error to report instead of a file-system failure, naming the target; null for other exceptions, which pass
    /// as they are (a cancellation, an error of the content's own).
    /// </summary>
    internal KMeansException? Translate(Exception e)
    {
        if (e is not (IOException or UnauthorizedAccessException))
            return null;
        if (e is IOException && !_overwrite && File.Exists(Target))
            return AtomicFile.AlreadyExists(Target, e);
        return new KMeansException(KMeansErrorKind.FileNotWritable,
            $"Cannot write '{Target}': {FileFailure.Describe(e, _temporary)} The file is unchanged.", Target, e);
    }
}
