using KMeans.Core.Files;
using KMeans.Core.Numerics;

namespace KMeans.Core.SampleData;

/// <summary>
/// Synthetic unclustered vectors, every coordinate uniform in [0, 1), generated batch by batch from the seed so that
/// any number of rows costs one batch of memory and every read yields the same rows.
/// </summary>
public sealed class UniformVectorSource : IVectorSource
{
    private const int MaxValuesPerBatch = 1 << 20;
    private const float Float24Scale = 1f / (1 << 24);
    private readonly long _rows;
    private readonly int _seed;

    public UniformVectorSource(long rows, int dimension, int seed)
    {
        SampleDataValidation.AtLeast(rows, 0, "Rows");
        SampleDataValidation.AtLeast(dimension, 1, "Dimension");
        _rows = rows;
        _seed = seed;
        Dimension = dimension;
        Description = $"uniform vectors ({rows} rows, dimension {dimension}, seed {seed})";
    }

    public string Description { get; }

    public int Dimension { get; }

    public long? RowCount => _rows;

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        int rowsPerBatch = (int)Math.Max(1, Math.Min(MaxValuesPerBatch / Dimension, _rows));
        var values = new float[rowsPerBatch * Dimension];
        var random = new SeededRandom(_seed, stream: 1);
        for (long first = 0; first < _rows; first += rowsPerBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(rowsPerBatch, _rows - first);
            // 24 random bits scaled by 2^-24 are exact in float32 and never round up to 1.
            for (int i = 0; i < count * Dimension; i++)
                values[i] = (random.NextUInt64() >> 40) * Float24Scale;
            yield return new VectorBatch(first, count, values.AsMemory(0, count * Dimension));
        }
    }

    public void Dispose()
    {
    }
}
