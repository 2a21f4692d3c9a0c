using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;
using KMeans.Core.Distance;

namespace KMeans.Core.Files;

/// <summary>
/// Centroids as an Arrow IPC file: columns <c>cluster_id</c> (int32), <c>size</c> (int64, when the sizes are known)
/// and <c>centroid</c> (FixedSizeList&lt;float32&gt;[d] with non-nullable items, the layout pyarrow gives Lance as
/// <c>ivf_centroids</c>), then <c>price</c> (float32) when a balanced training learned partition prices, and the
/// training parameters as strings in the schema metadata. The vectors are read by the vector reader (any
/// vector column, any float type, compressed or not); this adds the optional <c>cluster_id</c> and <c>size</c> columns
/// (int32 or int64) and the metadata.
/// </summary>
internal static class ArrowCentroidFormat
{
    public const string ClusterIdColumn = "cluster_id";
    public const string SizeColumn = "size";
    public const string CentroidColumn = "centroid";
    public const string PriceColumn = "price";

    public static void Write(Stream stream, CentroidSet set, bool fileFormat, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var itemField = new Field("item", FloatType.Default, nullable: false);
        var centroidType = new FixedSizeListType(itemField, set.Dimension);
        var builder = new Schema.Builder().Field(new Field(ClusterIdColumn, Int32Type.Default, nullable: false));
        if (set.Sizes is not null)
            builder.Field(new Field(SizeColumn, Int64Type.Default, nullable: false));
        builder.Field(new Field(CentroidColumn, centroidType, nullable: false));
        if (set.Prices is not null)
            builder.Field(new Field(PriceColumn, FloatType.Default, nullable: false));
        Schema schema = builder.Metadata(SchemaMetadata(set)).Build();

        var clusterIds = new Int32Array.Builder().Reserve(set.K);
        for (int cluster = 0; cluster < set.K; cluster++)
            clusterIds.Append(cluster);
        ArrowBuffer valueBuffer = new ArrowBuffer.Builder<float>(set.Values.Length).Append(set.Values).Build();
        var items = new FloatArray(valueBuffer, ArrowBuffer.Empty, set.Values.Length, nullCount: 0, offset: 0);
        var columns = new List<IArrowArray> { clusterIds.Build() };
        if (set.Sizes is { } sizes)
            columns.Add(new Int64Array.Builder().Reserve(set.K).Append(sizes).Build());
        columns.Add(new FixedSizeListArray(centroidType, set.K, items, ArrowBuffer.Empty, nullCount: 0, offset: 0));
        if (set.Prices is { } prices)
            columns.Add(new FloatArray.Builder().Reserve(set.K).AppendRange(prices).Build());
        using var batch = new RecordBatch(schema, columns, set.K);

        using ArrowStreamWriter writer = fileFormat
            ? new ArrowFileWriter(stream, schema, leaveOpen: true)
            : new ArrowStreamWriter(stream, schema, leaveOpen: true);
        writer.WriteStart();
        writer.WriteRecordBatch(batch);
        cancellationToken.ThrowIfCancellationRequested();
        writer.WriteEnd();
    }

    /// <summary>
    /// The cluster ids, sizes, prices and schema metadata of an Arrow centroid file whose vectors come from the vector
    /// reader; <paramref name="rows"/> receives one call per row, in file order (null for a column the file lacks).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReadExtras(string path, bool isFile, Action<long, int?, long?, float?> rows)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var codecs = new CompressionCodecFactory();
            using ArrowStreamReader reader = isFile
                ? new ArrowFileReader(stream, MemoryAllocator.Default.Value, codecs, leaveOpen: true)
                : new ArrowStreamReader(stream, codecs, leaveOpen: true);
            Schema schema = reader.Schema;
            // A centroid table is known by its cluster_id column or the module's version in its metadata (a tool that selected the
            // other columns keeps it); otherwise columns named size or price are the data's own, as in Parquet.
            int clusterIdIndex = FieldIndex(schema, ClusterIdColumn, path);
            bool centroidTable = clusterIdIndex >= 0 || (schema.HasMetadata && schema.Metadata.ContainsKey(MetadataKeys.ModuleVersion));
            int sizeIndex = centroidTable ? FieldIndex(schema, SizeColumn, path) : -1;
            int priceIndex = centroidTable ? FieldIndex(schema, PriceColumn, path) : -1;
            long firstRowOfBatch = 0;
            while (reader.ReadNextRecordBatch() is RecordBatch batch)
            {
                using (batch)
                {
                    IArrowArray? clusterIds = clusterIdIndex < 0 ? null : batch.Column(clusterIdIndex);
                    IArrowArray? sizes = sizeIndex < 0 ? null : batch.Column(sizeIndex);
                    IArrowArray? prices = priceIndex < 0 ? null : batch.Column(priceIndex);
                    for (int i = 0; i < batch.Length; i++)
                    {
                        long row = firstRowOfBatch + i;
                        int? clusterId = clusterIds is null ? null : ClusterId(path, clusterIds, i, row);
                        long? size = sizes is null ? null : Integer(path, sizes, i, row, SizeColumn);
                        float? price = prices is null ? null : Price(path, prices, i, row);
                        rows(row, clusterId, size, price);
                    }
                    firstRowOfBatch += batch.Length;
                }
            }
            return schema.HasMetadata ? schema.Metadata : new Dictionary<string, string>();
        }
        catch (Exception e) when (VectorFileErrors.IsLibraryFailure(e))
        {
            throw VectorFileErrors.Invalid(path, "its Arrow data cannot be read (see the inner exception).", e);
        }
    }

    /// <summary>The index of the one column of that name, or −1; two of one name cannot tell which holds the ids.</summary>
    private static int FieldIndex(Schema schema, string name, string path)
    {
        int[] indices = Enumerable.Range(0, schema.FieldsList.Count)
            .Where(i => string.Equals(schema.FieldsList[i].Name, name, StringComparison.Ordinal)).ToArray();
        return indices.Length switch
        {
            0 => -1,
            1 => indices[0],
            _ => throw VectorFileErrors.Invalid(path, $"it has {indices.Length} columns named '{name}'; a centroid file has one."),
        };
    }

    private static IEnumerable<KeyValuePair<string, string>> SchemaMetadata(CentroidSet set)
    {
        yield return new(MetadataKeys.K, InvariantText.Format(set.K));
        yield return new(MetadataKeys.Dimension, InvariantText.Format(set.Dimension));
        if (set.Distance is DistanceMetric distance)
            yield return new(MetadataKeys.Distance, InvariantText.DistanceName(distance));
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

    private static int ClusterId(string path, IArrowArray column, int index, long row) =>
        ClusterId(path, Integer(path, column, index, row, ClusterIdColumn), row);

    /// <summary>A cluster id as a centroid file holds it (Arrow or Parquet), checked to be one.</summary>
    internal static int ClusterId(string path, long id, long row) =>
        id is >= 0 and <= int.MaxValue
            ? (int)id
            : throw VectorFileErrors.Invalid(path, $"row {row} has cluster id {id}; ids must run from 0 to K − 1.");

    /// <summary>The error for a null in one of the optional columns, which must hold a value in every row.</summary>
    internal static KMeansException NullIn(string path, string column, long row) =>
        VectorFileErrors.Invalid(path, $"column '{column}' is null in row {row}.");

    private static float Price(string path, IArrowArray column, int index, long row)
    {
        if (column.IsNull(index))
            throw NullIn(path, PriceColumn, row);
        return column switch
        {
            FloatArray floats => floats.Values[index],
            DoubleArray doubles => (float)doubles.Values[index],
            _ => throw VectorFileErrors.Invalid(path,
                $"column '{PriceColumn}' is of type {column.Data.DataType.Name}; expected float32 or float64."),
        };
    }

    private static long Integer(string path, IArrowArray column, int index, long row, string name)
    {
        if (column.IsNull(index))
            throw NullIn(path, name, row);
        return column switch
        {
            Int32Array ints => ints.Values[index],
            Int64Array longs => longs.Values[index],
            _ => throw VectorFileErrors.Invalid(path,
                $"column '{name}' is of type {column.Data.DataType.Name}; expected int32 or int64."),
        };
    }

    /// <summary>Centroids with the training parameters that key/value metadata (Arrow schema, Parquet footer) records.</summary>
    public static CentroidSet WithMetadata(string path, IReadOnlyDictionary<string, string> metadata, int k, int dimension,
        float[] values, long[]? sizes, float[]? prices)
    {
        ExpectCount(path, metadata, MetadataKeys.K, k, "centroids");
        ExpectCount(path, metadata, MetadataKeys.Dimension, dimension, "values per centroid");

        var set = new CentroidSet(k, dimension, values, sizes)
        {
            Distance = metadata.TryGetValue(MetadataKeys.Distance, out string? distanceText)
                ? ParseDistance(path, distanceText)
                : null,
            Loss = metadata.TryGetValue(MetadataKeys.Loss, out string? lossText) ? ParseDouble(path, MetadataKeys.Loss, lossText) : null,
            Iterations = metadata.TryGetValue(MetadataKeys.Iterations, out string? iterationsText)
                ? ParseInt(path, MetadataKeys.Iterations, iterationsText)
                : null,
            Seed = metadata.TryGetValue(MetadataKeys.Seed, out string? seedText) ? ParseInt(path, MetadataKeys.Seed, seedText) : null,
            ModuleVersion = metadata.GetValueOrDefault(MetadataKeys.ModuleVersion),
            Prices = prices,
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
            throw VectorFileErrors.Invalid(path, $"its metadata says {key} = {text}, but the file holds {actual} {what}.");
    }

    private static DistanceMetric ParseDistance(string path, string text) =>
        InvariantText.TryParseDistance(text, out DistanceMetric distance)
            ? distance
            : throw VectorFileErrors.Invalid(path,
                $"metadata '{MetadataKeys.Distance}' is '{text}'; expected {InvariantText.DistanceNames}.");

    private static double ParseDouble(string path, string key, string text) =>
        InvariantText.TryParse(text, out double value)
            ? value
            : throw VectorFileErrors.Invalid(path, $"metadata '{key}' is '{text}', which is not a number.");

    private static int ParseInt(string path, string key, string text) =>
        InvariantText.TryParse(text, out int value)
            ? value
            : throw VectorFileErrors.Invalid(path, $"metadata '{key}' is '{text}', which is not a 32-bit integer.");
}
