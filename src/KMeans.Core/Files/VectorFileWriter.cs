namespace KMeans.Core.Files;

/// <summary>
/// Writes any <see cref="IVectorSource"/> to a vector file, streaming batch by batch, through <see cref="AtomicFile"/>.
/// </summary>
public static class VectorFileWriter
{
    /// <summary>
    /// Writes every row of <paramref name="source"/> to <paramref name="path"/>, replacing an existing file only when
    /// <paramref name="overwrite"/> is true. Arrow
    /// formats hold a FixedSizeList&lt;float32&gt; column "vector" and Parquet a list&lt;float&gt; column "vector";
    /// .npy is C-order float32. Null rows survive in Arrow and Parquet only; the other formats reject them.
    /// </summary>
    public static void Write(IVectorSource source, string path, VectorFileFormat format, CancellationToken cancellationToken,
        bool overwrite = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckWritable(path, format);
        AtomicFile.Write(path, overwrite, output => WriteFormat(source, output, format, cancellationToken), cancellationToken);
    }

    /// <summary>Refuses, before anything is written, a format that holds centroids only (CSV, JSON).</summary>
    public static void CheckWritable(string path, VectorFileFormat format)
    {
        if (!Enum.IsDefined(format))
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown vector file format.");
        if (format is VectorFileFormat.Csv or VectorFileFormat.Json)
            throw new KMeansException(KMeansErrorKind.UnsupportedFile,
                $"Cannot write vectors to '{path}': {format} holds centroids only; vector files end in one of {string.Join(", ", VectorFile.VectorExtensions)}.",
                path);
    }

    internal static KMeansException NullRow(IVectorSource source, long row, string extension) =>
        new(KMeansErrorKind.InvalidOption,
            $"Row {row} of {source.Description} is null, and a {extension} file cannot store null rows; write Arrow or Parquet instead.", row);

    internal static void WriteFormat(IVectorSource source, Stream output, VectorFileFormat format, CancellationToken cancellationToken)
    {
        switch (format)
        {
            case VectorFileFormat.Arrow:
            case VectorFileFormat.ArrowStream:
                ArrowVectorWriter.Write(source, output, fileFormat: format == VectorFileFormat.Arrow, cancellationToken);
                break;
            case VectorFileFormat.Parquet:
                ParquetVectorWriter.Write(source, output, cancellationToken);
                break;
            case VectorFileFormat.Npy:
                NpyVectorWriter.Write(source, output, cancellationToken);
                break;
            case VectorFileFormat.Fvecs:
                VecsVectorWriter.Write(source, output, VecsElement.Float32, cancellationToken);
                break;
            case VectorFileFormat.Bvecs:
                VecsVectorWriter.Write(source, output, VecsElement.Byte, cancellationToken);
                break;
        }
    }
}
