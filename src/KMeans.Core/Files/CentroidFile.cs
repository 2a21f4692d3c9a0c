
namespace KMeans.Core.Files;

/// <summary>
/// Centroid files: a vector file (any format of <see cref="VectorFileFormat"/>, read by the same codecs as training
/// input) plus, where the format has room, cluster ids, sizes and the training parameters, the metric among them.
/// Writes go through <see cref="AtomicFile"/>.
/// </summary>
public static class CentroidFile
{
    /// <summary>The formats centroids are written in.</summary>
    public static IReadOnlyList<VectorFileFormat> WritableFormats { get; } =
        [VectorFileFormat.Arrow, VectorFileFormat.ArrowStream, VectorFileFormat.Npy, VectorFileFormat.Csv, VectorFileFormat.Json];

    /// <summary>Whether a format stores the metric; the others give it back as unknown (null).</summary>
    public static bool RecordsDistance(VectorFileFormat format) =>
        format is VectorFileFormat.Arrow or VectorFileFormat.ArrowStream or VectorFileFormat.Json;

    /// <summary>Whether a format stores partition prices; the others drop them (assignment is then by nearest centroid).</summary>
    public static bool RecordsPrices(VectorFileFormat format) =>
        format is VectorFileFormat.Arrow or VectorFileFormat.ArrowStream or VectorFileFormat.Json;

    /// <summary>
    /// Writes <paramref name="set"/> to <paramref name="path"/> atomically. An existing file is replaced only when
    /// <paramref name="overwrite"/> is true; otherwise the write fails with <see cref="KMeansErrorKind.FileExists"/>.
    /// </summary>
    public static void Write(string path, CentroidSet set, VectorFileFormat format, bool overwrite,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(set);
        if (!WritableFormats.Contains(format))
            throw new ArgumentOutOfRangeException(nameof(format), format, "Centroids cannot be written in this format.");
        set.Validate();
        AtomicFile.Write(path, overwrite, stream => WriteFormat(stream, set, format, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Reads centroids from a file in any format, chosen by its extension unless <paramref name="format"/> names it.
    /// <paramref name="column"/> names the vector column of an Arrow or Parquet file; without it the file must hold one
    /// vector column.
    /// </summary>
    public static CentroidSet Read(string path, string? column = null, VectorFileFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        format ??= VectorFile.FormatFromPath(path);
        string source = VectorFile.CheckReadable(path);
        VectorFile.CheckColumn(source, column, format.Value);
        try
        {
            return format switch
            {
                VectorFileFormat.Csv => CsvCentroidFormat.Read(source),
                VectorFileFormat.Json => JsonCentroidFormat.Read(source),
                _ => FromVectorFile(source, format.Value, column),
            };
        }
        catch (KMeansException e) when (e.Kind is KMeansErrorKind.NonFiniteValue or KMeansErrorKind.ValueOutOfRange)
        {
            // A value the file holds, as in a vector file: the same error a NaN or 1e39 among vectors gives, naming the file.
            throw new KMeansException(e.Kind, $"'{source}' cannot be read: {e.Message}", source, e);
        }
        catch (KMeansException e) when (e.Kind is KMeansErrorKind.InvalidOption)
        {
            // The file parsed, but what it holds is not a valid centroid set (a negative iteration count).
            throw VectorFileErrors.Invalid(source, e.Message, e);
        }
        catch (Exception e) when (VectorFileErrors.IsLibraryFailure(e))
        {
            throw VectorFileErrors.Damaged(source, e);
        }
    }

    private static CentroidSet FromVectorFile(string path, VectorFileFormat format, string? column)
    {
        var rows = new CentroidRowCollector(path, row => $"row {row}");
        var clusterIds = new List<int?>();
        var sizes = new List<long?>();
        var prices = new List<float?>();
        IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
        using IVectorSource vectors = VectorFile.Open(path, column, format);
        Action<long, int?, long?, float?> extras = (_, clusterId, size, price) =>
        {
            clusterIds.Add(clusterId);
            sizes.Add(size);
            prices.Add(price);
        };
        if (format is VectorFileFormat.Arrow or VectorFileFormat.ArrowStream)
            metadata = ArrowCentroidFormat.ReadExtras(path, format == VectorFileFormat.Arrow, extras);
        else if (format == VectorFileFormat.Parquet)
            ParquetCentroidColumns.ReadExtras(path, extras);
        foreach (VectorBatch batch in vectors.ReadBatches(CancellationToken.None))
        {
            for (int i = 0; i < batch.RowCount; i++)
            {
                long row = batch.FirstRow + i;
                if (batch.IsNull(i))
                    throw VectorFileErrors.Invalid(path, $"the centroid in row {row} is null.");
                if (row >= Array.MaxLength / Math.Max(1, vectors.Dimension))
                    throw VectorFileErrors.Invalid(path, $"it holds more than {row} centroids of dimension {vectors.Dimension}, more than one array can hold.");
                bool hasExtras = row < clusterIds.Count;
                rows.Add(hasExtras ? clusterIds[(int)row] : null, hasExtras ? sizes[(int)row] : null,
                    batch.Values.Span.Slice(i * vectors.Dimension, vectors.Dimension), hasExtras ? prices[(int)row] : null);
            }
        }
        (int k, int dimension, float[] values, long[]? centroidSizes, float[]? centroidPrices) = rows.Build();
        return ArrowCentroidFormat.WithMetadata(path, metadata, k, dimension, values, centroidSizes, centroidPrices);
    }

    private static void WriteFormat(Stream stream, CentroidSet set, VectorFileFormat format, CancellationToken cancellationToken)
    {
        if (format is VectorFileFormat.Arrow or VectorFileFormat.ArrowStream)
            ArrowCentroidFormat.Write(stream, set, fileFormat: format == VectorFileFormat.Arrow, cancellationToken);
        else if (format == VectorFileFormat.Csv)
            CsvCentroidFormat.Write(stream, set, cancellationToken);
        else if (format == VectorFileFormat.Json)
            JsonCentroidFormat.Write(stream, set, cancellationToken);
        else
            WriteVectorsOnly(stream, set, format, cancellationToken);
    }

    /// <summary>Formats without room for ids, sizes or parameters hold the centroid vectors alone.</summary>
    private static void WriteVectorsOnly(Stream stream, CentroidSet set, VectorFileFormat format, CancellationToken cancellationToken)
    {
        float[][] rows = Enumerable.Range(0, set.K).Select(cluster => set.Centroid(cluster).ToArray()).ToArray();
        using var source = new InMemoryVectorSource(rows, "the centroids");
        VectorFileWriter.WriteFormat(source, stream, format, cancellationToken);
    }
}
