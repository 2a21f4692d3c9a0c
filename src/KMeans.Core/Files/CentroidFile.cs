namespace KMeans.Core.Files;

/// <summary>
/// Writes centroids to, and reads them from, Arrow IPC, .npy, CSV and JSON files. Writes are atomic: the data goes to
/// a temporary file beside the target, which replaces the target only once it is complete and flushed, so a failed or
/// cancelled write leaves the target as it was and no temporary file behind.
/// </summary>
public static class CentroidFile
{
    private static readonly IReadOnlyList<(string Extension, CentroidFileFormat Format)> Extensions =
    [
        (".arrow", CentroidFileFormat.Arrow),
        (".feather", CentroidFileFormat.Arrow),
        (".ipc", CentroidFileFormat.Arrow),
        (".npy", CentroidFileFormat.Npy),
        (".csv", CentroidFileFormat.Csv),
        (".json", CentroidFileFormat.Json),
    ];

    /// <summary>The format a file name's extension (case-insensitive) stands for.</summary>
    public static CentroidFileFormat FormatFromPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string extension = Path.GetExtension(path);
        foreach ((string known, CentroidFileFormat format) in Extensions)
        {
            if (string.Equals(extension, known, StringComparison.OrdinalIgnoreCase))
                return format;
        }

        throw new KMeansException(KMeansErrorKind.UnsupportedFile,
            $"'{path}' has {(extension.Length == 0 ? "no extension" : $"the extension '{extension}'")}; centroid files must end in {SupportedExtensions}.",
            path);
    }

    /// <summary>
    /// Writes <paramref name="set"/> to <paramref name="path"/> atomically. An existing file is replaced only when
    /// <paramref name="overwrite"/> is true; otherwise the write fails with <see cref="KMeansErrorKind.FileExists"/>.
    /// </summary>
    public static void Write(string path, CentroidSet set, CentroidFileFormat format, bool overwrite,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(set);
        if (!Enum.IsDefined(format))
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown centroid file format.");
        set.Validate();

        string target = Path.GetFullPath(path);
        if (Directory.Exists(target))
            throw new KMeansException(KMeansErrorKind.FileExists,
                $"Cannot write centroids to '{target}': it is a directory.", target);
        // Not null: only a root has no parent, and a root is a directory.
        string directory = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory))
            throw new KMeansException(KMeansErrorKind.FileNotFound,
                $"Cannot write centroids to '{target}': the directory '{directory}' does not exist.", target);
        if (!overwrite && File.Exists(target))
            throw AlreadyExists(target);

        string temporary = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                WriteFormat(stream, set, format, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temporary, target, overwrite);
        }
        catch (IOException e) when (!overwrite && File.Exists(target))
        {
            // Another process created the target between the check above and the move.
            DeleteQuietly(temporary);
            throw AlreadyExists(target, e);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
    }

    /// <summary>Reads centroids from a file in any of the formats, chosen by its extension.</summary>
    public static CentroidSet Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string source = Path.GetFullPath(path);
        if (!File.Exists(source))
            throw new KMeansException(KMeansErrorKind.FileNotFound,
                Directory.Exists(source)
                    ? $"Cannot read centroids from '{source}': it is a directory, not a file."
                    : $"Cannot read centroids from '{source}': the file does not exist.",
                source);
        CentroidFileFormat format = FormatFromPath(source);
        if (new FileInfo(source).Length == 0)
            throw CentroidFileErrors.Invalid(source, "the file is empty.");

        try
        {
            return format switch
            {
                CentroidFileFormat.Arrow => ArrowCentroidFormat.Read(source),
                CentroidFileFormat.Npy => NpyCentroidFormat.Read(source),
                CentroidFileFormat.Csv => CsvCentroidFormat.Read(source),
                _ => JsonCentroidFormat.Read(source),
            };
        }
        catch (KMeansException e) when (e.Kind != KMeansErrorKind.InvalidFile)
        {
            // The file parsed, but what it holds is not a valid centroid set (a NaN, a negative iteration count).
            throw CentroidFileErrors.Invalid(source, e.Message, e);
        }
        catch (Exception e) when (IsMalformedData(e))
        {
            throw CentroidFileErrors.Invalid(source, $"it is not a valid {format} file: {e.Message}", e);
        }
    }

    private static string SupportedExtensions =>
        string.Join(", ", Extensions.Select(entry => entry.Extension).SkipLast(1)) + " or " + Extensions[^1].Extension;

    private static void WriteFormat(Stream stream, CentroidSet set, CentroidFileFormat format, CancellationToken cancellationToken)
    {
        switch (format)
        {
            case CentroidFileFormat.Arrow:
                ArrowCentroidFormat.Write(stream, set, cancellationToken);
                break;
            case CentroidFileFormat.Npy:
                NpyCentroidFormat.Write(stream, set, cancellationToken);
                break;
            case CentroidFileFormat.Csv:
                CsvCentroidFormat.Write(stream, set, cancellationToken);
                break;
            default:
                JsonCentroidFormat.Write(stream, set, cancellationToken);
                break;
        }
    }

    /// <summary>
    /// Whether an exception thrown while parsing means the bytes are not what the format requires. The Arrow library
    /// checks its flatbuffers and buffers thoroughly but reports damage with many exception types (even a bare
    /// <see cref="Exception"/> or a <see cref="NullReferenceException"/>), so everything except real I/O failures,
    /// cancellation and exhausted memory counts as a damaged file; the original stays attached as the inner exception.
    /// </summary>
    private static bool IsMalformedData(Exception e) => e switch
    {
        EndOfStreamException or InvalidDataException => true,
        KMeansException or IOException or UnauthorizedAccessException or OperationCanceledException or OutOfMemoryException => false,
        _ => true,
    };

    private static KMeansException AlreadyExists(string target, Exception? inner = null) =>
        new(KMeansErrorKind.FileExists,
            $"Cannot write centroids to '{target}': the file already exists. Allow overwriting (-Force) to replace it.",
            target, inner);

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure matters more than a temporary file we could not remove.
        }
    }
}
