using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace KMeans.Core.Assigning;

/// <summary>
/// One record batch per chunk: row_index, rank (with several nearest), cluster_id, distance; assigned rows only. The
/// batch's buffers are the reused columns themselves, written before the next chunk refills them.
/// </summary>
internal sealed class ArrowAssignmentCodec : IAssignmentCodec, IDisposable
{
    private readonly int _nearest;
    private readonly Schema _schema;
    private readonly ArrowStreamWriter _writer;
    private readonly AssignmentColumns _columns;

    public ArrowAssignmentCodec(Stream output, int nearest, bool fileFormat)
    {
        _nearest = nearest;
        _columns = new AssignmentColumns(nearest);
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
        _columns.Clear();
        _columns.Append(chunk);
        int count = _columns.Count;
        if (count == 0)
            return;
        var arrays = new List<IArrowArray>(4) { new UInt64Array(Buffer(_columns.RowIndices, count), ArrowBuffer.Empty, count, 0, 0) };
        if (_nearest > 1)
            arrays.Add(new Int32Array(Buffer(_columns.Ranks, count), ArrowBuffer.Empty, count, 0, 0));
        arrays.Add(new Int32Array(Buffer(_columns.ClusterIds, count), ArrowBuffer.Empty, count, 0, 0));
        arrays.Add(new FloatArray(Buffer(_columns.Distances, count), ArrowBuffer.Empty, count, 0, 0));
        using var batch = new RecordBatch(_schema, arrays, count);
        _writer.WriteRecordBatch(batch);
    }

    public void Finish() => _writer.WriteEnd();

    public void Dispose() => _writer.Dispose();

    private static ArrowBuffer Buffer<T>(T[] values, int count) where T : unmanaged =>
        new(new ColumnBytes<T>(values, count).Memory);
}
