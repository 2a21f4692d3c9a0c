using Microsoft.Win32.SafeHandles;
using KMeans.Core.Buffers;

namespace KMeans.Core.Files;

/// <summary>Opens a vector file as an <see cref="IVectorSource"/>, choosing the reader from the file's extension.</summary>
public static class VectorFile
{
    private static readonly (string Extension, VectorFileFormat Format)[] Extensions =
    [
        (".arrow", VectorFileFormat.Arrow),
        (".feather", VectorFileFormat.Arrow),
        (".ipc", VectorFileFormat.Arrow),
        (".arrows", VectorFileFormat.ArrowStream),
        (".parquet", VectorFileFormat.Parquet),
        (".npy", VectorFileFormat.Npy),
        (".fvecs", VectorFileFormat.Fvecs),
        (".bvecs", VectorFileFormat.Bvecs),
        (".csv", VectorFileFormat.Csv),
        (".json", VectorFileFormat.Json),
    ];

    /// <summary>The extensions of the module's files, with their dots, for messages and help.</summary>
    public static IReadOnlyList<string> SupportedExtensions { get; } = Extensions.Select(e => e.Extension).ToArray();

    /// <summary>The extensions of files that hold vectors to train on or assign (CSV and JSON hold centroids only).</summary>
    public static IReadOnlyList<string> VectorExtensions { get; } = Extensions
        .Where(e => e.Format is not (VectorFileFormat.Csv or VectorFileFormat.Json)).Select(e => e.Extension).ToArray();

    /// <summary>
    /// Opens <paramref name="path"/> for streaming. <paramref name="column"/> names the vector column of an Arrow or
    /// Parquet file; without it the file must hold exactly one vector column. Dimension and, where the format records
    /// it, the row count are known when this returns. <paramref name="format"/> overrides the extension's.
    /// </summary>
    public static IVectorSource Open(string path, string? column = null, VectorFileFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return OpenFormat(path, column, format ?? FormatFromPath(path));
    }

    /// <summary>
    /// The rows <paramref name="path"/>'s header or metadata declares (.npy, Arrow files, Parquet), its contents
    /// unchecked, or null where the format records no count apart from the checks that refused the file (Arrow streams,
    /// .fvecs/.bvecs) or the header itself cannot be read: a caller that could not open the file can still count its
    /// rows, so that later files' rows keep their indices. Never throws for the file's sake; only regular files are
    /// looked at.
    /// </summary>
    public static long? DeclaredRowCount(string path, VectorFileFormat? format = null)
    {
        try
        {
            string fullPath = CheckReadable(path);
            switch (format ?? FormatFromPath(path))
            {
                case VectorFileFormat.Npy:
                {
                    using SafeFileHandle file = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
                    return NpyHeader.DeclaredRows(file, fullPath);
                }
                case VectorFileFormat.Arrow:
                {
                    using SafeFileHandle file = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
                    return ArrowFileFooter.CountRows(file);
                }
                case VectorFileFormat.Parquet:
                    return ParquetVectorSource.DeclaredRows(fullPath);
                default:
                    return null;
            }
        }
        catch (Exception e) when (e is KMeansException or IOException or UnauthorizedAccessException || VectorFileErrors.IsLibraryFailure(e))
        {
            return null;
        }
    }

    /// <summary>Refuses a column name for a format without named columns (InvalidOption: the option is wrong, not the file).</summary>
    internal static void CheckColumn(string fullPath, string? column, VectorFileFormat format)
    {
        if (column is not null && format is not (VectorFileFormat.Arrow or VectorFileFormat.ArrowStream or VectorFileFormat.Parquet))
            throw new KMeansException(KMeansErrorKind.InvalidOption,
                $"A column name ('{column}') was given, but '{fullPath}' is a {format} file, which has no named columns.", column);
    }

    private static IVectorSource OpenFormat(string path, string? column, VectorFileFormat format)
    {
        string fullPath = CheckReadable(path);
        if (format is VectorFileFormat.Csv or VectorFileFormat.Json)
            throw new KMeansException(KMeansErrorKind.UnsupportedFile,
                $"'{fullPath}' is a {format} file; {format} holds centroids, while vector input must be one of {string.Join(", ", VectorExtensions)}.",
                fullPath);
        CheckColumn(fullPath, column, format);
        return GuardedVectorSource.Open(fullPath, () => format switch
        {
            VectorFileFormat.Arrow => ArrowVectorSource.OpenFile(fullPath, column),
            VectorFileFormat.ArrowStream => ArrowVectorSource.OpenStream(fullPath, column),
            VectorFileFormat.Parquet => new ParquetVectorSource(fullPath, column),
            VectorFileFormat.Npy => new NpyVectorSource(fullPath),
            VectorFileFormat.Fvecs => new VecsVectorSource(fullPath, VecsElement.Float32),
            VectorFileFormat.Bvecs => new VecsVectorSource(fullPath, VecsElement.Byte),
            _ => throw new ArgumentOutOfRangeException(nameof(path), format, "No reader for this format."),
        });
    }

    /// <summary>
    /// The full path of a file that exists, is a regular file and is not empty; otherwise a message that says which of
    /// these it is not.
    /// </summary>
    internal static string CheckReadable(string path)
    {
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
            throw new KMeansException(KMeansErrorKind.InvalidFile, $"'{fullPath}' is a directory, not a file.", fullPath);
        var file = new FileInfo(fullPath);
        if (!file.Exists)
            throw new KMeansException(KMeansErrorKind.FileNotFound, $"The file '{fullPath}' does not exist.", fullPath);
        if (DanglingLink(file) is string problem)
            throw new KMeansException(KMeansErrorKind.FileNotFound, $"The file '{fullPath}' {problem}.", fullPath);
        if (UnixFileStatus.Of(fullPath, followLinks: true) is { Type: not UnixFileType.Regular } status)
            throw new KMeansException(KMeansErrorKind.UnsupportedFile,
                $"'{fullPath}' is a {(status.Type == UnixFileType.Fifo ? "FIFO (named pipe)" : "device or socket")}; only regular files can be read, since a file is read more than once.",
                fullPath);
        if (file.Length == 0)
            throw VectorFileErrors.Invalid(fullPath, "the file is empty.");
        return fullPath;
    }

    /// <summary>
    /// How a symbolic link leads to no file, or null: such a link exists as a name, so it passed for a file and
    /// failed only when read, as an unreadable file. A chain of links names the file at its end, the one missing.
    /// </summary>
    private static string? DanglingLink(FileInfo file)
    {
        if (file.LinkTarget is null)
            return null;
        LinkChain chain = SymbolicLinks.Chain(file.FullName);
        if (chain.Loops)
            return $"is a symbolic link that cannot be followed: its links loop ('{chain.End}')";
        return chain.EndsAtFile ? null : $"is a symbolic link that leads to '{chain.End}', which does not exist";
    }

    /// <summary>
    /// The names of the columns of <paramref name="path"/> that <see cref="Open"/> accepts as its column argument, read
    /// from the schema alone; empty for formats without named columns. <paramref name="format"/> overrides the
    /// extension's, as in <see cref="Open"/>.
    /// </summary>
    public static IReadOnlyList<string> VectorColumnNames(string path, VectorFileFormat? format = null) => (format ?? FormatFromPath(path)) switch
    {
        VectorFileFormat.Arrow => ArrowVectorSource.VectorColumnNames(Path.GetFullPath(path), isFile: true),
        VectorFileFormat.ArrowStream => ArrowVectorSource.VectorColumnNames(Path.GetFullPath(path), isFile: false),
        VectorFileFormat.Parquet => ParquetVectorSource.VectorColumnNames(Path.GetFullPath(path)),
        _ => [],
    };

    /// <summary>Whether a path's extension (any letter case) stands for a format.</summary>
    public static bool HasKnownExtension(string path) =>
        SupportedExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>The format a path's extension (any letter case) stands for.</summary>
    public static VectorFileFormat FormatFromPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string extension = Path.GetExtension(path);
        foreach ((string known, VectorFileFormat format) in Extensions)
        {
            if (string.Equals(extension, known, StringComparison.OrdinalIgnoreCase))
                return format;
        }
        string shown = extension.Length == 0 ? "no extension" : $"the extension '{extension}'";
        throw new KMeansException(KMeansErrorKind.UnsupportedFile,
            $"'{path}' has {shown}; the module's files end in one of {string.Join(", ", SupportedExtensions)}.", path);
    }
}
