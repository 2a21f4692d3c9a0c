using KMeans.Core.Files;

namespace KMeans.PowerShell.Hosting;

/// <summary>
/// A source that reports, after each batch it hands out, how many rows it has handed out: the progress of a writer
/// that streams it, which reads a batch only once it has written the one before.
/// </summary>
internal sealed class ReadProgressSource(IVectorSource source, IProgress<long> rowsRead) : IVectorSource
{
    public string Description => source.Description;

    public int Dimension => source.Dimension;

    public long? RowCount => source.RowCount;

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        foreach (VectorBatch batch in source.ReadBatches(cancellationToken))
        {
            yield return batch;
            rowsRead.Report(batch.FirstRow + batch.RowCount);
        }
    }

    public string DescribeRow(long row) => source.DescribeRow(row);

    public string FileOfRow(long row) => source.FileOfRow(row);

    public void Dispose() => source.Dispose();
}
