using Parquet;
using Parquet.Schema;
using static KMeans.Core.Files.ArrowCentroidFormat;

namespace KMeans.Core.Files;

/// <summary>
/// The optional <c>cluster_id</c>, <c>size</c> and <c>price</c> columns of a Parquet centroid file (an Arrow centroid
/// table exported by DuckDB, polars or pyarrow), read as <see cref="ArrowCentroidFormat.ReadExtras"/> reads them from
/// Arrow: without them a file listing its clusters in another order was numbered by row, silently (a helper's DuckDB
/// export labelled its rows with the wrong clusters). Integer columns of any width, float or double prices; size and
/// price only in a centroid table, marked by cluster_id or the module's metadata.
/// </summary>
internal static class ParquetCentroidColumns
{
    /// <summary><paramref name="rows"/> receives one call per row, in file order (null for a column the file lacks).</summary>
    public static void ReadExtras(string path, Action<long, int?, long?, float?> rows)
    {
        ParquetReader reader = ParquetVectorSource.Open(path);
        try
        {
            // A centroid table is known by its cluster_id column or the module's version in its metadata (pyarrow keeps an Arrow
            // schema's); otherwise columns named size or price are the data's own (a review's string size and double
            // price were read as counts and partition prices).
            DataField? clusterIds = Column(reader.Schema, ClusterIdColumn, path);
            if (clusterIds is null && !(reader.CustomMetadata?.ContainsKey(MetadataKeys.ModuleVersion) ?? false))
                return;
            DataField? sizes = Column(reader.Schema, SizeColumn, path);
            DataField? prices = Column(reader.Schema, PriceColumn, path);
            if (clusterIds is null && sizes is null && prices is null)
                return;
            long firstRow = 0;
            for (int group = 0; group < reader.RowGroupCount; group++)
            {
                (long?[]? ids, long?[]? counts, double?[]? costs) = ParquetVectorSource.Guard(path, () =>
                {
                    ParquetRowGroupReader rowGroup = reader.OpenRowGroupReader(group);
                    int length = checked((int)rowGroup.RowCount);
                    return (Integers(rowGroup, clusterIds, length, path), Integers(rowGroup, sizes, length, path),
                        Reals(rowGroup, prices, length));
                });
                int count = ids?.Length ?? counts?.Length ?? costs!.Length;
                for (int i = 0; i < count; i++)
                {
                    long row = firstRow + i;
                    rows(row,
                        ids is null ? null : ClusterId(path, ids[i] ?? throw NullIn(path, ClusterIdColumn, row), row),
                        counts is null ? null : counts[i] ?? throw NullIn(path, SizeColumn, row),
                        costs is null ? null : (float)(costs[i] ?? throw NullIn(path, PriceColumn, row)));
                }
                firstRow += count;
            }
        }
        finally
        {
            ParquetVectorSource.Close(reader);
        }
    }

    /// <summary>The top-level column of that name, which must hold one number per row; null when there is none.</summary>
    private static DataField? Column(ParquetSchema schema, string name, string path)
    {
        Field? field = schema.Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));
        if (field is null)
            return null;
        bool numeric = field is DataField { IsArray: false } data && (IsInteger(data.ClrType)
            || (name == PriceColumn && (data.ClrType == typeof(float) || data.ClrType == typeof(double))));
        return numeric
            ? (DataField)field
            : throw VectorFileErrors.Invalid(path, $"column '{name}' is {ParquetVectorColumn.Describe(field)}; expected {(name == PriceColumn ? "float or double" : "integer")} numbers, one per centroid.");
    }

    private static bool IsInteger(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(sbyte)
        || type == typeof(uint) || type == typeof(ushort) || type == typeof(byte) || type == typeof(ulong);

    private static long?[]? Integers(ParquetRowGroupReader rowGroup, DataField? field, int length, string path)
    {
        if (field is null)
            return null;
        Type type = field.ClrType;
        if (type == typeof(int))
            return Read<int>(rowGroup, field, length).Select(v => (long?)v).ToArray();
        if (type == typeof(long))
            return Read<long>(rowGroup, field, length);
        if (type == typeof(short))
            return Read<short>(rowGroup, field, length).Select(v => (long?)v).ToArray();
        if (type == typeof(sbyte))
            return Read<sbyte>(rowGroup, field, length).Select(v => (long?)v).ToArray();
        if (type == typeof(uint))
            return Read<uint>(rowGroup, field, length).Select(v => (long?)v).ToArray();
        if (type == typeof(ushort))
            return Read<ushort>(rowGroup, field, length).Select(v => (long?)v).ToArray();
        if (type == typeof(byte))
            return Read<byte>(rowGroup, field, length).Select(v => (long?)v).ToArray();
        return Read<ulong>(rowGroup, field, length).Select(v => v is ulong big
            ? big <= long.MaxValue ? (long)big : throw VectorFileErrors.Invalid(path, $"column '{field.Name}' holds {big}, beyond any count of centroids or rows.")
            : (long?)null).ToArray();
    }

    private static double?[]? Reals(ParquetRowGroupReader rowGroup, DataField? field, int length) =>
        field is null ? null
        : field.ClrType == typeof(float) ? Read<float>(rowGroup, field, length).Select(v => (double?)v).ToArray()
        : Read<double>(rowGroup, field, length);

    private static T?[] Read<T>(ParquetRowGroupReader rowGroup, DataField field, int length) where T : struct
    {
        var values = new T?[length];
        AsyncBridge.Run(() => rowGroup.ReadAsync(field, values.AsMemory(), null, CancellationToken.None).AsTask());
        return values;
    }
}
