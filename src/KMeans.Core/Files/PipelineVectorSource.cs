namespace KMeans.Core.Files;

/// <summary>
/// Vectors received from the pipeline, kept in arrival order. The first accepted vector fixes the dimension; an item
/// that is rejected still takes its index (as a null row the sampler skips), so that every message about a row names
/// the position of the item in the pipeline.
/// </summary>
public sealed class PipelineVectorSource : IVectorSource
{
    private const int RowsPerBatch = 1024;
    private readonly List<float[]?> _rows = [];
    private int _dimension;

    public string Description => "pipeline input";

    public int Dimension => _dimension > 0 ? _dimension
        : throw new KMeansException(KMeansErrorKind.NoRows, "The pipeline delivered no vectors.");

    public long? RowCount => _rows.Count;

    /// <summary>Vectors accepted so far (rejected items excluded).</summary>
    public long AcceptedCount { get; private set; }

    /// <summary>Index the next item will get.</summary>
    public long NextIndex => _rows.Count;

    /// <summary>Adds a vector, or rejects it with a DimensionMismatch error when its length differs from the first one's.</summary>
    public KMeansException? Add(float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        long index = _rows.Count;
        if (vector.Length == 0 || (_dimension > 0 && vector.Length != _dimension))
        {
            _rows.Add(null);
            string expected = _dimension > 0 ? $"{_dimension}, like the first vector" : "at least 1";
            return new KMeansException(KMeansErrorKind.DimensionMismatch,
                $"Input item {index} has {vector.Length} values, but every vector must have {expected}.", index);
        }
        _dimension = vector.Length;
        _rows.Add(vector);
        AcceptedCount++;
        return null;
    }

    /// <summary>Holds the place of an item that is not a vector at all.</summary>
    public void AddRejected() => _rows.Add(null);

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        int d = Dimension;
        var values = new float[RowsPerBatch * d];
        var nullRows = new bool[RowsPerBatch];
        for (int first = 0; first < _rows.Count; first += RowsPerBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(RowsPerBatch, _rows.Count - first);
            bool anyNull = false;
            for (int i = 0; i < count; i++)
            {
                float[]? row = _rows[first + i];
                nullRows[i] = row is null;
                anyNull |= row is null;
                if (row is not null)
                    row.CopyTo(values, i * d);
            }
            yield return new VectorBatch(first, count, values.AsMemory(0, count * d),
                anyNull ? nullRows.AsMemory(0, count) : default);
        }
    }

    public void Dispose() => _rows.Clear();
}
