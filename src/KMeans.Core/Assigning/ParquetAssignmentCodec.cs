using KMeans.Core.Files;
using Parquet;
using Parquet.Schema;

namespace KMeans.Core.Assigning;

/// <summary>
/// Parquet columns row_index (uint64), rank (with several nearest), cluster_id, distance, a row group per
/// <see cref="RowsPerGroup"/> entries. Chunks arrive on the caller's thread; only Parquet.Net's asynchronous calls go
/// through <see cref="AsyncBridge"/>.
/// </summary>
internal sealed class ParquetAssignmentCodec : IAssignmentCodec
{
    private const int RowsPerGroup = 1 << 20;

    private readonly int _nearest;
    private readonly DataField<ulong> _rowIndex = new("row_index");
    private readonly DataField<int> _rank = new("rank");
    private readonly DataField<int> _clusterId = new("cluster_id");
    private readonly DataField<float> _distance = new("distance");
    private readonly ParquetWriter _writer;
    private readonly List<AssignmentColumns> _pending = [];
    private int _pendingCount;

    public ParquetAssignmentCodec(Stream output, int nearest)
    {
        _nearest = nearest;
        ParquetSchema schema = nearest > 1
            ? new ParquetSchema(_rowIndex, _rank, _clusterId, _distance)
            : new ParquetSchema(_rowIndex, _clusterId, _distance);
        _writer = AsyncBridge.Run(() => ParquetWriter.CreateAsync(schema, output, null, false, default));
    }

    public void Write(AssignedRows chunk)
    {
        AssignmentColumns columns = AssignmentColumns.Of(chunk);
        _pending.Add(columns);
        _pendingCount += columns.Count;
        if (_pendingCount >= RowsPerGroup)
            Flush();
    }

    public void Finish()
    {
        Flush();
        AsyncBridge.Run(() => _writer.DisposeAsync().AsTask());
    }

    private void Flush()
    {
        if (_pendingCount == 0)
            return;
        ulong[] rowIndices = Concat(c => c.RowIndices);
        int[] ranks = Concat(c => c.Ranks);
        int[] clusterIds = Concat(c => c.ClusterIds);
        float[] distances = Concat(c => c.Distances);
        AsyncBridge.Run(async () =>
        {
            using ParquetRowGroupWriter group = _writer.CreateRowGroup();
            await group.WriteAsync(_rowIndex, (ReadOnlyMemory<ulong>)rowIndices, null, null, default).ConfigureAwait(false);
            if (_nearest > 1)
                await group.WriteAsync(_rank, (ReadOnlyMemory<int>)ranks, null, null, default).ConfigureAwait(false);
            await group.WriteAsync(_clusterId, (ReadOnlyMemory<int>)clusterIds, null, null, default).ConfigureAwait(false);
            await group.WriteAsync(_distance, (ReadOnlyMemory<float>)distances, null, null, default).ConfigureAwait(false);
        });
        _pending.Clear();
        _pendingCount = 0;
    }

    private T[] Concat<T>(Func<AssignmentColumns, T[]> column)
    {
        var result = new T[_pendingCount];
        int at = 0;
        foreach (AssignmentColumns columns in _pending)
        {
            column(columns).CopyTo(result, at);
            at += columns.Count;
        }
        return result;
    }
}
