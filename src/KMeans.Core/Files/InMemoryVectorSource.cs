namespace KMeans.Core.Files;

/// <summary>Rows already in memory: one array per row, which must all have the same length.</summary>
public sealed class InMemoryVectorSource : IVectorSource
{
    private const int RowsPerBatch = 1024;
    private readonly IReadOnlyList<float[]> _rows;

    public InMemoryVectorSource(IReadOnlyList<float[]> rows, string description = "in-memory rows")
    {
        ArgumentNullException.ThrowIfNull(rows);
        _rows = rows;
        Description = description;
        if (rows.Count == 0)
            throw new KMeansException(KMeansErrorKind.NoRows, $"{description} holds no rows.", rows);
        Dimension = rows[0]?.Length ?? throw NullRow(0);
        if (Dimension == 0)
            throw new KMeansException(KMeansErrorKind.DimensionMismatch,
                $"Row 0 of {description} has no values: the dimension must be at least 1.", rows[0]);
        for (int i = 1; i < rows.Count; i++)
        {
            float[] row = rows[i] ?? throw NullRow(i);
            if (row.Length != Dimension)
                throw new KMeansException(KMeansErrorKind.DimensionMismatch,
                    $"Row {i} of {description} has {row.Length} values, but row 0 has {Dimension}: all rows must have the same dimension.",
                    i);
        }
    }

    public string Description { get; }

    public int Dimension { get; }

    public long? RowCount => _rows.Count;

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        var values = new float[RowsPerBatch * Dimension];
        for (int first = 0; first < _rows.Count; first += RowsPerBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(RowsPerBatch, _rows.Count - first);
            for (int i = 0; i < count; i++)
                _rows[first + i].CopyTo(values, i * Dimension);
            yield return new VectorBatch(first, count, values.AsMemory(0, count * Dimension));
        }
    }

    public void Dispose()
    {
    }

    private KMeansException NullRow(int index) =>
        new(KMeansErrorKind.DimensionMismatch, $"Row {index} of {Description} is null; every row must be a vector.", index);
}
