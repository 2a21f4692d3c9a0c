using KMeans.Core.Files;
using KMeans.Core.Numerics;

namespace KMeans.Core.SampleData;

/// <summary>
/// Synthetic clustered vectors: <see cref="Clusters"/> centres drawn uniformly from [0, 10)^d, and each row a
/// uniformly chosen centre plus independent N(0, spread²) noise per coordinate. Rows are generated batch by batch
/// from the seed, so any number of rows costs one batch of memory, and every read yields the same rows.
/// </summary>
public sealed class GaussianBlobSource : IVectorSource
{
    private const int MaxValuesPerBatch = 1 << 20;
    private const double CentreRange = 10.0;

    // Each row is generated whole, and the centres are held in memory; 2^24 values are 64 MB.
    private const int MaxDimension = 1 << 24;
    private const long MaxCentreValues = 1 << 26;

    // Noise beyond ±10 standard deviations never occurs in practice, and 1e36 keeps every value far below float.MaxValue.
    private const double MaxSpread = 1e36;
    private readonly float[][] _centres;
    private readonly long _rows;
    private readonly int _seed;

    public GaussianBlobSource(long rows, int dimension, int clusters, double spread, int seed)
    {
        SampleDataValidation.AtLeast(rows, 0, "Rows");
        SampleDataValidation.AtLeast(dimension, 1, "Dimension");
        SampleDataValidation.AtLeast(clusters, 1, "Clusters");
        SampleDataValidation.FiniteNonNegative(spread, "Spread");
        SampleDataValidation.AtMost(dimension, MaxDimension, "Dimension", "each row is generated in memory.");
        SampleDataValidation.AtMost((long)clusters * dimension, MaxCentreValues, "Clusters × Dimension",
            "the centres are held in memory (at most 256 MB).");
        if (spread > MaxSpread)
            throw new KMeansException(KMeansErrorKind.InvalidOption,
                $"Spread must be at most 1e36, but was {spread}: larger noise would exceed the float32 range and write infinities.", spread);
        _rows = rows;
        _seed = seed;
        Dimension = dimension;
        Clusters = clusters;
        Spread = spread;
        var random = new SeededRandom(seed, stream: 0);
        _centres = new float[clusters][];
        for (int c = 0; c < clusters; c++)
        {
            _centres[c] = new float[dimension];
            for (int j = 0; j < dimension; j++)
                _centres[c][j] = (float)(random.NextDouble() * CentreRange);
        }
        Description = $"Gaussian blobs ({rows} rows, dimension {dimension}, {clusters} clusters, spread {spread}, seed {seed})";
    }

    public string Description { get; }

    public int Dimension { get; }

    public long? RowCount => _rows;

    public int Clusters { get; }

    public double Spread { get; }

    /// <summary>The true cluster centres the rows were drawn around, for checking that training recovers them.</summary>
    public IReadOnlyList<float[]> Centres => _centres;

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        int rowsPerBatch = (int)Math.Max(1, Math.Min(MaxValuesPerBatch / Dimension, _rows));
        var values = new float[rowsPerBatch * Dimension];
        var random = new SeededRandom(_seed, stream: 1);
        var noise = new NormalSampler(random);
        for (long first = 0; first < _rows; first += rowsPerBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(rowsPerBatch, _rows - first);
            for (int i = 0; i < count; i++)
            {
                float[] centre = _centres[random.NextInt64(Clusters)];
                Span<float> row = values.AsSpan(i * Dimension, Dimension);
                for (int j = 0; j < Dimension; j++)
                    row[j] = (float)(centre[j] + Spread * noise.Next());
            }
            yield return new VectorBatch(first, count, values.AsMemory(0, count * Dimension));
        }
    }

    public void Dispose()
    {
    }
}
