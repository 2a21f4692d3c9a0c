using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace KMeans.Core.Files;

/// <summary>Writes vectors as an Arrow IPC file or stream with one nullable FixedSizeList&lt;float32&gt; column "vector".</summary>
internal static class ArrowVectorWriter
{
    private const string ColumnName = "vector";
    private const int MaxValuesPerBatch = 1 << 20;

    public static void Write(IVectorSource source, Stream output, bool fileFormat, CancellationToken cancellationToken)
    {
        int d = source.Dimension;
        var type = new FixedSizeListType(new Field("item", FloatType.Default, nullable: true), d);
        var schema = new Schema([new Field(ColumnName, type, nullable: true)], null);
        using ArrowStreamWriter writer = fileFormat
            ? new ArrowFileWriter(output, schema, leaveOpen: true)
            : new ArrowStreamWriter(output, schema, leaveOpen: true);
        writer.WriteStart();
        foreach (RowChunk chunk in RowChunk.Split(source, Math.Max(1, MaxValuesPerBatch / d), cancellationToken))
        {
            using RecordBatch batch = ToRecordBatch(schema, type, chunk);
            writer.WriteRecordBatch(batch);
        }
        writer.WriteEnd();
    }

    private static RecordBatch ToRecordBatch(Schema schema, FixedSizeListType type, RowChunk chunk)
    {
        int valueCount = chunk.Count * chunk.Dimension;
        var valueBytes = new ArrowBuffer(MemoryMarshal.AsBytes(chunk.Values.AsSpan(0, valueCount)).ToArray());
        var values = new FloatArray(valueBytes, ArrowBuffer.Empty, valueCount, 0, 0);
        ArrowBuffer validity = ArrowBuffer.Empty;
        if (chunk.NullCount > 0)
        {
            var bitmap = new ArrowBuffer.BitmapBuilder(chunk.Count);
            for (int i = 0; i < chunk.Count; i++)
                bitmap.Append(!chunk.Nulls[i]);
            validity = bitmap.Build();
        }
        var vectors = new FixedSizeListArray(type, chunk.Count, values, validity, chunk.NullCount, 0);
        return new RecordBatch(schema, [vectors], chunk.Count);
    }
}
