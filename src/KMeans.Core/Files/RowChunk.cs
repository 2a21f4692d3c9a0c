namespace KMeans.Core.Files;

/// <summary>
/// A source's rows regrouped into chunks of a fixed row count (the last may be shorter), so that writers produce
/// record batches and row groups of a size they choose rather than whatever size the source emits. The arrays are
/// reused from one chunk to the next.
/// </summary>
internal sealed class RowChunk
{
    private RowChunk(int capacity, int dimension)
    {
        Dimension = dimension;
        Values = new float[checked(capacity * dimension)];
        Nulls = new bool[capacity];
    }

    public int Dimension { get; }

    public float[] Values { get; }

    public bool[] Nulls { get; }

    public long FirstRow { get; private set; }

    public int Count { get; private set; }

    public int NullCount { get; private set; }

    public ReadOnlySpan<float> Row(int index) => Values.AsSpan(index * Dimension, Dimension);

    public static IEnumerable<RowChunk> Split(IVectorSource source, int rowsPerChunk, CancellationToken cancellationToken)
    {
        int d = source.Dimension;
        var chunk = new RowChunk(rowsPerChunk, d);
        long nextRow = 0;
        foreach (VectorBatch batch in source.ReadBatches(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (batch.Values.Length != (long)batch.RowCount * d)
                throw new InvalidOperationException(
                    $"{source.Description}: a batch of {batch.RowCount} rows carried {batch.Values.Length} values, not {batch.RowCount} × {d}.");
            for (int i = 0; i < batch.RowCount; i++)
            {
                if (chunk.Count == rowsPerChunk)
                {
                    yield return chunk;
                    chunk.Restart(nextRow);
                }
                batch.Values.Span.Slice(i * d, d).CopyTo(chunk.Values.AsSpan(chunk.Count * d, d));
                bool isNull = batch.IsNull(i);
                chunk.Nulls[chunk.Count++] = isNull;
                chunk.NullCount += isNull ? 1 : 0;
                nextRow++;
            }
        }
        if (chunk.Count > 0)
            yield return chunk;
    }

    private void Restart(long firstRow)
    {
        FirstRow = firstRow;
        Count = 0;
        NullCount = 0;
    }
}
