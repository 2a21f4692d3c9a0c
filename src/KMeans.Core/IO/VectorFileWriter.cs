namespace KMeans.Core.IO;

/// <summary>
/// Writes any <see cref="IVectorSource"/> to a vector file, streaming batch by batch. The write is atomic: rows go to
/// a temporary file beside the target, which replaces the target only when complete; on failure or cancellation the
/// temporary file is removed and an existing target is left untouched.
/// </summary>
public static class VectorFileWriter
{
    /// <summary>
    /// Writes every row of <paramref name="source"/> to <paramref name="path"/>, replacing an existing file. Arrow
    /// formats hold a FixedSizeList&lt;float32&gt; column "vector" and Parquet a list&lt;float&gt; column "vector";
    /// .npy is C-order float32. Null rows survive in Arrow and Parquet only; the other formats reject them.
    /// </summary>
    public static void Write(IVectorSource source, string path, VectorFileFormat format, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Enum.IsDefined(format))
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown vector file format.");
        using var file = new AtomicFile(path);
        WriteFormat(source, file.Stream, format, cancellationToken);
        file.Commit();
    }

    internal static KMeansException NullRow(IVectorSource source, long row, string extension) =>
        new(KMeansErrorKind.InvalidOption,
            $"Row {row} of {source.Description} is null, and a {extension} file cannot store null rows; write Arrow or Parquet instead.", row);

    private static void WriteFormat(IVectorSource source, Stream output, VectorFileFormat format, CancellationToken cancellationToken)
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
