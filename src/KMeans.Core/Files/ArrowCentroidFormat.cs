using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;
using KMeans.Core.Distance;

namespace KMeans.Core.Files;

/// <summary>
/// Centroids as an Arrow IPC file: columns <c>cluster_id</c> (int32), <c>size</c> (int64) and <c>centroid</c>
/// (FixedSizeList&lt;float32&gt;[d] with non-nullable items, the layout pyarrow gives Lance as <c>ivf_centroids</c>),
/// and the training parameters as strings in the schema metadata. Reading also accepts IPC streams, zstd or lz4
/// compressed buffers, float16/float64 items, int64 ids, int32 sizes, and files without <c>cluster_id</c> or <c>size</c>.
/// </summary>
internal static class ArrowCentroidFormat
{
    public const string ClusterIdColumn = "cluster_id";
    public const string SizeColumn = "size";
    public const string CentroidColumn = "centroid";

    private static readonly byte[] Magic = "ARROW1"u8.ToArray();

    public static void Write(Stream stream, CentroidSet set, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var itemField = new Field("item", FloatType.Default, nullable: false);
        var centroidType = new FixedSizeListType(itemField, set.Dimension);
        Schema schema = new Schema.Builder()
            .Field(new Field(ClusterIdColumn, Int32Type.Default, nullable: false))
            .Field(new Field(SizeColumn, Int64Type.Default, nullable: false))
            .Field(new Field(CentroidColumn, centroidType, nullable: false))
            .Metadata(SchemaMetadata(set))
            .Build();

        var clusterIds = new Int32Array.Builder().Reserve(set.K);
        for (int cluster = 0; cluster < set.K; cluster++)
            clusterIds.Append(cluster);
        ArrowBuffer valueBuffer = new ArrowBuffer.Builder<float>(set.Values.Length).Append(set.Values).Build();
        var items = new FloatArray(valueBuffer, ArrowBuffer.Empty, set.Values.Length, nullCount: 0, offset: 0);
        using var batch = new RecordBatch(schema,
        [
            clusterIds.Build(),
            new Int64Array.Builder().Reserve(set.K).Append(set.Sizes).Build(),
            new FixedSizeListArray(centroidType, set.K, items, ArrowBuffer.Empty, nullCount: 0, offset: 0),
        ], set.K);

        using var writer = new ArrowFileWriter(stream, schema, leaveOpen: true);
        writer.WriteStart();
        writer.WriteRecordBatch(batch);
        cancellationToken.ThrowIfCancellationRequested();
        writer.WriteEnd();
    }

    public static CentroidSet Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        bool isFile = StartsWithMagic(stream);
        if (isFile && !EndsWithMagic(stream))
            throw CentroidFileErrors.Invalid(path,
                "the file starts like an Arrow IPC file but does not end with its footer; it is truncated or damaged.");
        stream.Position = 0;
        // The codec factory lets us read files that pyarrow and others wrote with zstd or lz4 buffer compression.
        var codecs = new CompressionCodecFactory();
        using ArrowStreamReader reader = isFile
            ? new ArrowFileReader(stream, MemoryAllocator.Default.Value, codecs, leaveOpen: true)
            : new ArrowStreamReader(stream, codecs, leaveOpen: true);
        Schema schema = reader.Schema;
        int centroidIndex = ColumnIndex(path, schema, CentroidColumn, required: true);
        int clusterIdIndex = ColumnIndex(path, schema, ClusterIdColumn, required: false);
        int sizeIndex = ColumnIndex(path, schema, SizeColumn, required: false);

        long firstRowOfBatch = 0;
        var rows = new CentroidRowCollector(path, row => $"row {row}");
        while (reader.ReadNextRecordBatch() is RecordBatch batch)
        {
            using (batch)
            {
                ReadBatch(path, batch, firstRowOfBatch, rows, centroidIndex, clusterIdIndex, sizeIndex);
                firstRowOfBatch += batch.Length;
            }
        }

        (int k, int dimension, float[] values, long[] sizes) = rows.Build();
        return WithMetadata(path, schema, k, dimension, values, sizes);
    }

    private static IEnumerable<KeyValuePair<string, string>> SchemaMetadata(CentroidSet set)
    {
        yield return new(MetadataKeys.K, InvariantText.Format(set.K));
        yield return new(MetadataKeys.Dimension, InvariantText.Format(set.Dimension));
        yield return new(MetadataKeys.Distance, InvariantText.DistanceName(set.Distance));
        if (set.Loss is double loss)
            yield return new(MetadataKeys.Loss, InvariantText.Format(loss));
        if (set.Iterations is int iterations)
            yield return new(MetadataKeys.Iterations, InvariantText.Format(iterations));
        if (set.Seed is int seed)
            yield return new(MetadataKeys.Seed, InvariantText.Format(seed));
        if (set.ModuleVersion is string version)
            yield return new(MetadataKeys.ModuleVersion, version);
        foreach (KeyValuePair<string, string> entry in set.Metadata)
            yield return entry;
    }

    private static bool StartsWithMagic(Stream stream)
    {
        Span<byte> head = stackalloc byte[Magic.Length];
        stream.Position = 0;
        return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.SequenceEqual(Magic);
    }

    private static bool EndsWithMagic(Stream stream)
    {
        // The smallest file: leading magic and padding (8), footer length (4), trailing magic (6).
        if (stream.Length < 8 + 4 + Magic.Length)
            return false;
        Span<byte> tail = stackalloc byte[Magic.Length];
        stream.Position = stream.Length - Magic.Length;
        stream.ReadExactly(tail);
        return tail.SequenceEqual(Magic);
    }

    private static int ColumnIndex(string path, Schema schema, string name, bool required)
    {
        int index = schema.GetFieldIndex(name, StringComparer.Ordinal);
        if (index < 0 && required)
        {
            string found = string.Join(", ", schema.FieldsList.Select(field => $"'{field.Name}'"));
            throw CentroidFileErrors.Invalid(path,
                $"it has no '{name}' column (a fixed-size list of float32 per centroid); its columns are {(found.Length == 0 ? "none" : found)}.");
        }

        return index;
    }

    private static void ReadBatch(string path, RecordBatch batch, long firstRow, CentroidRowCollector rows,
        int centroidIndex, int clusterIdIndex, int sizeIndex)
    {
        IArrowArray centroids = batch.Column(centroidIndex);
        if (centroids is not FixedSizeListArray list)
            throw CentroidFileErrors.Invalid(path,
                $"column '{CentroidColumn}' is of type {centroids.Data.DataType.Name}; expected a fixed-size list of float32.");
        int dimension = ((FixedSizeListType)list.Data.DataType).ListSize;
        float[] centroid = new float[dimension];
        IArrowArray? clusterIds = clusterIdIndex < 0 ? null : batch.Column(clusterIdIndex);
        IArrowArray? sizes = sizeIndex < 0 ? null : batch.Column(sizeIndex);

        for (int i = 0; i < batch.Length; i++)
        {
            long row = firstRow + i;
            if (list.IsNull(i))
                throw CentroidFileErrors.Invalid(path, $"the centroid in row {row} is null.");
            CopyItems(path, list.Values, (list.Offset + i) * dimension, centroid, row);
            int? clusterId = clusterIds is null ? null : ClusterId(path, clusterIds, i, row);
            long size = sizes is null ? 0 : Integer(path, sizes, i, row, SizeColumn);
            rows.Add(clusterId, size, centroid);
        }
    }

    private static void CopyItems(string path, IArrowArray items, int first, float[] centroid, long row)
    {
        for (int j = 0; j < centroid.Length; j++)
        {
            if (items.IsNull(first + j))
                throw CentroidFileErrors.Invalid(path, $"component {j} of the centroid in row {row} is null.");
        }

        switch (items)
        {
            case FloatArray floats:
                floats.Values.Slice(first, centroid.Length).CopyTo(centroid);
                break;
            case DoubleArray doubles:
                ReadOnlySpan<double> wide = doubles.Values.Slice(first, centroid.Length);
                for (int j = 0; j < centroid.Length; j++)
                    centroid[j] = (float)wide[j];
                break;
            case HalfFloatArray halves:
                ReadOnlySpan<Half> narrow = halves.Values.Slice(first, centroid.Length);
                for (int j = 0; j < centroid.Length; j++)
                    centroid[j] = (float)narrow[j];
                break;
            default:
                throw CentroidFileErrors.Invalid(path,
                    $"the items of column '{CentroidColumn}' are of type {items.Data.DataType.Name}; expected float32 (or float16, float64).");
        }
    }

    private static int ClusterId(string path, IArrowArray column, int index, long row)
    {
        long id = Integer(path, column, index, row, ClusterIdColumn);
        return id is >= 0 and <= int.MaxValue
            ? (int)id
            : throw CentroidFileErrors.Invalid(path, $"row {row} has cluster id {id}; ids must run from 0 to K − 1.");
    }

    private static long Integer(string path, IArrowArray column, int index, long row, string name)
    {
        if (column.IsNull(index))
            throw CentroidFileErrors.Invalid(path, $"column '{name}' is null in row {row}.");
        return column switch
        {
            Int32Array ints => ints.Values[index],
            Int64Array longs => longs.Values[index],
            _ => throw CentroidFileErrors.Invalid(path,
                $"column '{name}' is of type {column.Data.DataType.Name}; expected int32 or int64."),
        };
    }

    private static CentroidSet WithMetadata(string path, Schema schema, int k, int dimension, float[] values, long[] sizes)
    {
        IReadOnlyDictionary<string, string> metadata = schema.HasMetadata
            ? schema.Metadata
            : new Dictionary<string, string>();
        ExpectCount(path, metadata, MetadataKeys.K, k, "centroids");
        ExpectCount(path, metadata, MetadataKeys.Dimension, dimension, "values per centroid");

        var set = new CentroidSet(k, dimension, values, sizes)
        {
            Distance = metadata.TryGetValue(MetadataKeys.Distance, out string? distanceText)
                ? ParseDistance(path, distanceText)
                : DistanceMetric.L2,
            Loss = metadata.TryGetValue(MetadataKeys.Loss, out string? lossText) ? ParseDouble(path, MetadataKeys.Loss, lossText) : null,
            Iterations = metadata.TryGetValue(MetadataKeys.Iterations, out string? iterationsText)
                ? ParseInt(path, MetadataKeys.Iterations, iterationsText)
                : null,
            Seed = metadata.TryGetValue(MetadataKeys.Seed, out string? seedText) ? ParseInt(path, MetadataKeys.Seed, seedText) : null,
            ModuleVersion = metadata.GetValueOrDefault(MetadataKeys.ModuleVersion),
        };
        foreach ((string key, string value) in metadata)
        {
            if (!MetadataKeys.IsReserved(key))
                set.Metadata[key] = value;
        }

        return set;
    }

    private static void ExpectCount(string path, IReadOnlyDictionary<string, string> metadata, string key, int actual, string what)
    {
        if (metadata.TryGetValue(key, out string? text) && ParseInt(path, key, text) != actual)
            throw CentroidFileErrors.Invalid(path, $"its metadata says {key} = {text}, but the file holds {actual} {what}.");
    }

    private static DistanceMetric ParseDistance(string path, string text) =>
        InvariantText.TryParseDistance(text, out DistanceMetric distance)
            ? distance
            : throw CentroidFileErrors.Invalid(path,
                $"metadata '{MetadataKeys.Distance}' is '{text}'; expected {InvariantText.DistanceNames}.");

    private static double ParseDouble(string path, string key, string text) =>
        InvariantText.TryParse(text, out double value)
            ? value
            : throw CentroidFileErrors.Invalid(path, $"metadata '{key}' is '{text}', which is not a number.");

    private static int ParseInt(string path, string key, string text) =>
        InvariantText.TryParse(text, out int value)
            ? value
            : throw CentroidFileErrors.Invalid(path, $"metadata '{key}' is '{text}', which is not a 32-bit integer.");
}
