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
    private readonly AssignmentColumns _pending;

    public ParquetAssignmentCodec(Stream output, int nearest)
    {
        _nearest = nearest;
        _pending = new AssignmentColumns(nearest);
        ParquetSchema schema = nearest > 1
            ? new ParquetSchema(_rowIndex, _rank, _clusterId, _distance)
            : new ParquetSchema(_rowIndex, _clusterId, _distance);
        _writer = AsyncBridge.Run(() => ParquetWriter.CreateAsync(schema, output, null, false, default));
    }

    public void Write(AssignedRows chunk)
    {
        _pending.Append(chunk);
        if (_pending.Count >= RowsPerGroup)
            Flush();
    }

    public void Finish()
    {
        Flush();
        AsyncBridge.Run(() => _writer.DisposeAsync().AsTask());
    }

    private void Flush()
    {
        int count = _pending.Count;
        if (count == 0)
            return;
        AsyncBridge.Run(async () =>
        {
            using ParquetRowGroupWriter group = _writer.CreateRowGroup();
            await group.WriteAsync(_rowIndex, (ReadOnlyMemory<ulong>)_pending.RowIndices.AsMemory(0, count), null, null, default).ConfigureAwait(false);
            if (_nearest > 1)
                await group.WriteAsync(_rank, (ReadOnlyMemory<int>)_pending.Ranks.AsMemory(0, count), null, null, default).ConfigureAwait(false);
            await group.WriteAsync(_clusterId, (ReadOnlyMemory<int>)_pending.ClusterIds.AsMemory(0, count), null, null, default).ConfigureAwait(false);
            await group.WriteAsync(_distance, (ReadOnlyMemory<float>)_pending.Distances.AsMemory(0, count), null, null, default).ConfigureAwait(false);
        });
        _pending.Clear();
    }
}
