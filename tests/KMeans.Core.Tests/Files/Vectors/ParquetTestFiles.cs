using Parquet;
using Parquet.Schema;

namespace KMeans.Core.Tests.Files.Vectors;

/// <summary>Writes Parquet files through Parquet.Net directly, with element types and column sets our writer never produces.</summary>
internal static class ParquetTestFiles
{
    /// <summary>A Parquet file with one list&lt;double&gt; (or list&lt;float&gt;) column per name, all holding the same rows.</summary>
    public static void Write(string path, IReadOnlyList<float[]> rows, bool doubles, int rowGroupRows, params string[] columnNames) =>
        Write(path, rows, doubles, rowGroupRows, offset: 0, columnNames);

    /// <summary>As above, doubles holding each value plus <paramref name="offset"/>, added in double.</summary>
    public static void Write(string path, IReadOnlyList<float[]> rows, bool doubles, int rowGroupRows, double offset,
        params string[] columnNames)
    {
        int d = rows[0].Length;
        var leaves = columnNames.Select(name => doubles ? (DataField)new DataField<double?>("element") : new DataField<float?>("element")).ToArray();
        var schema = new ParquetSchema(columnNames.Select((name, i) => (Field)new ListField(name, leaves[i])).ToArray());
        WriteParquet(path, schema, async writer =>
        {
            for (int first = 0; first < rows.Count; first += rowGroupRows)
            {
                int count = Math.Min(rowGroupRows, rows.Count - first);
                using ParquetRowGroupWriter group = writer.CreateRowGroup();
                var repetitions = Enumerable.Range(0, count * d).Select(i => i % d == 0 ? 0 : 1).ToArray();
                foreach (DataField leaf in leaves)
                {
                    IEnumerable<float> values = rows.Skip(first).Take(count).SelectMany(r => r);
                    if (doubles)
                        await group.WriteAsync(leaf, (ReadOnlyMemory<double?>)values.Select(v => (double?)(v + offset)).ToArray(), (ReadOnlyMemory<int>)repetitions);
                    else
                        await group.WriteAsync(leaf, (ReadOnlyMemory<float?>)values.Select(v => (float?)v).ToArray(), (ReadOnlyMemory<int>)repetitions);
                }
            }
        });
    }

    /// <summary>A Parquet file whose only columns are plain scalars: an id and a name.</summary>
    public static void WithoutVectors(string path)
    {
        var id = new DataField<int>("id");
        var name = new DataField<string>("name");
        WriteParquet(path, new ParquetSchema(id, name), async writer =>
        {
            using ParquetRowGroupWriter group = writer.CreateRowGroup();
            await group.WriteAsync(id, (ReadOnlyMemory<int>)new[] { 1, 2 });
            await group.WriteAsync(name, new[] { "a", "b" });
        });
    }

    /// <summary>A Parquet list&lt;float&gt; column whose rows have the given lengths (values 0, 1, 2, ...).</summary>
    public static void Ragged(string path, params int[] lengths)
    {
        var leaf = new DataField<float?>("element");
        WriteParquet(path, new ParquetSchema(new ListField("vector", leaf)), async writer =>
        {
            using ParquetRowGroupWriter group = writer.CreateRowGroup();
            float?[] values = Enumerable.Range(0, lengths.Sum()).Select(i => (float?)i).ToArray();
            int[] repetitions = lengths.SelectMany(n => Enumerable.Range(0, n).Select(i => i == 0 ? 0 : 1)).ToArray();
            await group.WriteAsync(leaf, (ReadOnlyMemory<float?>)values, (ReadOnlyMemory<int>)repetitions);
        });
    }

    private static void WriteParquet(string path, ParquetSchema schema, Func<ParquetWriter, Task> write)
    {
        using var output = File.Create(path);
        Task.Run(async () =>
        {
            await using ParquetWriter writer = await ParquetWriter.CreateAsync(schema, output, null, false, CancellationToken.None);
            await write(writer);
        }).GetAwaiter().GetResult();
    }
}
