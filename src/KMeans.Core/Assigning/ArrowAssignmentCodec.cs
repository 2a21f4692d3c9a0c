using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace KMeans.Core.Assigning;

/// <summary>One record batch per chunk: row_index, rank (with several nearest), cluster_id, distance; assigned rows only.</summary>
internal sealed class ArrowAssignmentCodec : IAssignmentCodec, IDisposable
{
    private readonly int _nearest;
    private readonly Schema _schema;
    private readonly ArrowStreamWriter _writer;

    public ArrowAssignmentCodec(Stream output, int nearest, bool fileFormat)
    {
        _nearest = nearest;
        var fields = new List<Field> { new("row_index", UInt64Type.Default, nullable: false) };
        if (nearest > 1)
            fields.Add(new Field("rank", Int32Type.Default, nullable: false));
        fields.Add(new Field("cluster_id", Int32Type.Default, nullable: false));
        fields.Add(new Field("distance", FloatType.Default, nullable: false));
        _schema = new Schema(fields, null);
        _writer = fileFormat ? new ArrowFileWriter(output, _schema, leaveOpen: true) : new ArrowStreamWriter(output, _schema, leaveOpen: true);
        _writer.WriteStart();
    }

    public void Write(AssignedRows chunk)
    {
        AssignmentColumns columns = AssignmentColumns.Of(chunk);
        if (columns.Count == 0)
            return;
        var arrays = new List<IArrowArray> { new UInt64Array(new ArrowBuffer(AsBytes(columns.RowIndices)), ArrowBuffer.Empty, columns.Count, 0, 0) };
        if (_nearest > 1)
            arrays.Add(new Int32Array(new ArrowBuffer(AsBytes(columns.Ranks)), ArrowBuffer.Empty, columns.Count, 0, 0));
        arrays.Add(new Int32Array(new ArrowBuffer(AsBytes(columns.ClusterIds)), ArrowBuffer.Empty, columns.Count, 0, 0));
        arrays.Add(new FloatArray(new ArrowBuffer(AsBytes(columns.Distances)), ArrowBuffer.Empty, columns.Count, 0, 0));
        using var batch = new RecordBatch(_schema, arrays, columns.Count);
        _writer.WriteRecordBatch(batch);
    }

    public void Finish() => _writer.WriteEnd();

    public void Dispose() => _writer.Dispose();

    private static byte[] AsBytes<T>(T[] values) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
