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
    ];

    /// <summary>The extensions <see cref="Open"/> recognises, with their dots, for messages and help.</summary>
    public static IReadOnlyList<string> SupportedExtensions { get; } = Extensions.Select(e => e.Extension).ToArray();

    /// <summary>
    /// Opens <paramref name="path"/> for streaming. <paramref name="column"/> names the vector column of an Arrow or
    /// Parquet file; without it the file must hold exactly one vector column. Dimension and, where the format records
    /// it, the row count are known when this returns.
    /// </summary>
    public static IVectorSource Open(string path, string? column = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        VectorFileFormat format = FormatFromPath(path);
        string fullPath = Path.GetFullPath(path);
        var file = new FileInfo(fullPath);
        if (!file.Exists)
            throw new KMeansException(KMeansErrorKind.FileNotFound,
                Directory.Exists(fullPath) ? $"'{fullPath}' is a directory, not a vector file." : $"The vector file '{fullPath}' does not exist.",
                fullPath);
        if (file.Length == 0)
            throw VectorFileErrors.Invalid(fullPath, "the file is empty.");
        if (column is not null && format is not (VectorFileFormat.Arrow or VectorFileFormat.ArrowStream or VectorFileFormat.Parquet))
            throw new KMeansException(KMeansErrorKind.InvalidOption,
                $"A column name ('{column}') was given, but '{fullPath}' is a {format} file, which has no named columns.", column);
        return format switch
        {
            VectorFileFormat.Arrow => ArrowVectorSource.OpenFile(fullPath, column),
            VectorFileFormat.ArrowStream => ArrowVectorSource.OpenStream(fullPath, column),
            VectorFileFormat.Parquet => new ParquetVectorSource(fullPath, column),
            VectorFileFormat.Npy => new NpyVectorSource(fullPath),
            VectorFileFormat.Fvecs => new VecsVectorSource(fullPath, VecsElement.Float32),
            VectorFileFormat.Bvecs => new VecsVectorSource(fullPath, VecsElement.Byte),
            _ => throw new InvalidOperationException($"No reader for {format}."),
        };
    }

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
            $"'{path}' has {shown}; vector files must end in one of {string.Join(", ", SupportedExtensions)}.", path);
    }
}
