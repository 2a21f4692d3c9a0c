using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files.Vectors;

/// <summary>Rows in memory where some are null (InMemoryVectorSource rejects nulls), emitted in batches of 16.</summary>
internal sealed class NullableRowsSource(IReadOnlyList<float[]?> rows) : IVectorSource
{
    private const int RowsPerBatch = 16;

    public string Description => "rows with nulls";

    public int Dimension { get; } = rows.First(r => r is not null)!.Length;

    public long? RowCount => rows.Count;

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        for (int first = 0; first < rows.Count; first += RowsPerBatch)
        {
            int count = Math.Min(RowsPerBatch, rows.Count - first);
            var values = new float[count * Dimension];
            var nulls = new bool[count];
            for (int i = 0; i < count; i++)
            {
                if (rows[first + i] is float[] row)
                    row.CopyTo(values, i * Dimension);
                else
                    nulls[i] = true;
            }
            yield return new VectorBatch(first, count, values, nulls);
        }
    }

    public void Dispose()
    {
    }
}

/// <summary>Another source seen through a different row count or a prefix of its rows.</summary>
internal sealed class ReshapedSource(IVectorSource inner, long? rowCount, long maxRows) : IVectorSource
{
    public string Description => inner.Description;

    public int Dimension => inner.Dimension;

    public long? RowCount => rowCount;

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        foreach (VectorBatch batch in inner.ReadBatches(cancellationToken))
        {
            if (batch.FirstRow >= maxRows)
                yield break;
            int count = (int)Math.Min(batch.RowCount, maxRows - batch.FirstRow);
            yield return new VectorBatch(batch.FirstRow, count, batch.Values[..(count * Dimension)],
                batch.NullRows.IsEmpty ? default : batch.NullRows[..count]);
        }
    }

    public void Dispose() => inner.Dispose();
}

internal static class SourceExtensions
{
    /// <summary>The same rows, but the row count is unknown until the end (as for an Arrow stream).</summary>
    public static IVectorSource WithoutRowCount(this IVectorSource source) => new ReshapedSource(source, null, long.MaxValue);

    /// <summary>Only the first <paramref name="rows"/> rows.</summary>
    public static IVectorSource Take(this IVectorSource source, long rows) => new ReshapedSource(source, rows, rows);
}
