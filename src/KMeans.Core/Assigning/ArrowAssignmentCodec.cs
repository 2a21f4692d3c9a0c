using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace KMeans.Core.Assigning;

/// <summary>
/// Record batches of row_index, rank (with several nearest), cluster_id, distance; assigned rows only, whole chunks
/// gathered until a batch holds <see cref="EntriesPerBatch"/> entries. The batch's buffers are the reused columns
/// themselves, written before the next chunk refills them.
/// </summary>
internal sealed class ArrowAssignmentCodec : IAssignmentCodec, IDisposable
{
    /// <summary>
    /// 256 KiB of columns with one nearest centroid, what the writer writes between two starts of writeback. A batch per
    /// chunk (2,048 rows at d = 128) gave the 4.2 M-row production input's file 2,057 batches, which apache-arrow
    /// (JavaScript) read, summing cluster_id, in about 25 ms against 5 ms in these 256 batches; batches of 65,536
    /// entries (64 batches, 3.3 ms) left the last megabyte to be written at the commit, whose flush to disk then made a
    /// W1 call 6 % slower, where these batches cost nothing (Compare-AssignmentModules.ps1, 12 rounds each).
    /// </summary>
    private const int EntriesPerBatch = 1 << 14;

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
        _columns.Append(chunk);
        if (_columns.Count >= EntriesPerBatch)
            WriteBatch();
    }

    public void Finish()
    {
        WriteBatch();
        _writer.WriteEnd();
    }

    public void Dispose() => _writer.Dispose();

    private void WriteBatch()
    {
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
        _columns.Clear();
    }

    private static ArrowBuffer Buffer<T>(T[] values, int count) where T : unmanaged =>
        new(new ColumnBytes<T>(values, count).Memory);
}
