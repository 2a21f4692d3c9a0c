using Parquet;
using Parquet.Schema;

namespace KMeans.Core.Files;

/// <summary>
/// Writes vectors as Parquet with one nullable list&lt;float&gt; column "vector", a row group per 4 M values so
/// that readers (ours included) hold one moderate row group at a time.
/// </summary>
internal static class ParquetVectorWriter
{
    private const string ColumnName = "vector";
    private const int MaxValuesPerRowGroup = 4 << 20;

    public static void Write(IVectorSource source, Stream output, CancellationToken cancellationToken)
    {
        var element = new DataField<float>("element");
        var schema = new ParquetSchema(new ListField(ColumnName, element));
        AsyncBridge.Run(() => WriteAsync(source, output, schema, element, cancellationToken));
    }

    private static async Task WriteAsync(IVectorSource source, Stream output, ParquetSchema schema, DataField element,
        CancellationToken cancellationToken)
    {
        int d = source.Dimension;
        int rowsPerGroup = Math.Max(1, MaxValuesPerRowGroup / d);
        await using ParquetWriter writer = await ParquetWriter.CreateAsync(schema, output, null, false, cancellationToken).ConfigureAwait(false);
        int present = element.MaxDefinitionLevel;
        foreach (RowChunk chunk in RowChunk.Split(source, rowsPerGroup, cancellationToken))
        {
            int entries = (chunk.Count - chunk.NullCount) * d + chunk.NullCount;
            var values = new float[(chunk.Count - chunk.NullCount) * d];
            var definitions = new int[entries];
            var repetitions = new int[entries];
            int entry = 0, value = 0;
            for (int i = 0; i < chunk.Count; i++)
            {
                if (chunk.Nulls[i])
                {
                    definitions[entry++] = 0;
                    continue;
                }
                chunk.Row(i).CopyTo(values.AsSpan(value, d));
                value += d;
                definitions.AsSpan(entry, d).Fill(present);
                repetitions.AsSpan(entry + 1, d - 1).Fill(1);
                entry += d;
            }
            using ParquetRowGroupWriter rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAllPartsAsync(element, (ReadOnlyMemory<float>)values, (ReadOnlyMemory<int>)definitions,
                (ReadOnlyMemory<int>)repetitions, cancellationToken).ConfigureAwait(false);
        }
    }
}
