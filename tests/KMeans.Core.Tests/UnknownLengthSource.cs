using KMeans.Core.Files;

namespace KMeans.Core.Tests;

/// <summary>Wraps a source but hides its row count, as an Arrow stream does; optionally runs code between batches.</summary>
internal sealed class UnknownLengthSource(IVectorSource inner, Action<long>? afterBatch = null) : IVectorSource
{
    public string Description => inner.Description;

    public int Dimension => inner.Dimension;

    public long? RowCount => null;

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        foreach (VectorBatch batch in inner.ReadBatches(cancellationToken))
        {
            yield return batch;
            afterBatch?.Invoke(batch.FirstRow + batch.RowCount);
        }
    }

    public void Dispose() => inner.Dispose();
}
