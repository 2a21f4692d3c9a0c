using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Numerics;
using KMeans.Core.Planning;
using KMeans.Core.Training;

namespace KMeans.Core.Sampling;

/// <summary>
/// Vectors that arrive one at a time from an input that can be read only once and whose length is unknown until it
/// ends (the PowerShell pipeline), sampled as they arrive: each item is checked when it comes (its dimension, then
/// <see cref="RowScreen"/>), normalised under Cosine, and placed by a seeded reservoir into a training buffer of at most
/// SampleRate × K rows, in memory or on disk. Memory is bounded by the sample, never by the input.
/// </summary>
/// <remarks>
/// While the input holds no more usable rows than the sample, the sample is every usable row in arrival order, as a
/// file of the same rows gives. Beyond that the reservoir (Algorithm R, as for a file of unknown length; its draws are integers, so every platform
/// takes the same rows) keeps a uniform
/// sample of the same size, which differs from the rows the file's selection sampling would choose. The buffer is
/// planned and created when the first vector fixes the dimension, for the full SampleRate × K rows, since the input's
/// length is not known then. An item that is rejected still takes its index, so every message names the item's
/// position in the pipeline.
/// </remarks>
public sealed class PipelineSample : IDisposable
{
    public const string Description = "pipeline input";

    /// <summary>What piped values float32 may round, as the float64 check names them: doubles, and whole numbers beside them.</summary>
    public const string NarrowedValues = "float64 or whole-number values";

    private readonly KMeansOptions _options;
    private int _dimension;
    private TrainingBuffer? _buffer;
    private TrainingBuffer? _projected;
    private SampleWriter? _writer;
    private readonly SampleScale _scale = new();
    private SampleProjector? _projector;
    private RowScreen? _screen;
    private RowSampler? _sampler;
    private float[]? _unit;

    /// <summary>A sample drawn with <paramref name="seed"/> (stream 0, as files are) for training with <paramref name="options"/>.</summary>
    public PipelineSample(KMeansOptions options, int seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        Seed = seed;
    }

    public int Seed { get; }

    /// <summary>The vectors' dimension, fixed by the first accepted vector.</summary>
    public int Dimension => _dimension > 0 ? _dimension
        : throw new KMeansException(KMeansErrorKind.NoRows, "The pipeline delivered no vectors.");

    /// <summary>Index the next item will get: the items received so far, rejected ones included.</summary>
    public long NextIndex { get; private set; }

    /// <summary>Vectors accepted so far (items of another dimension, or no vector at all, excluded).</summary>
    public long AcceptedCount { get; private set; }

    /// <summary>Rows in the sample so far.</summary>
    public long RowsSampled => _sampler?.Placed ?? 0;

    /// <summary>The buffer's capacity (SampleRate × K rows), known once the first vector arrived.</summary>
    public long? Capacity => _buffer?.CapacityRows;

    public bool IsOnDisk => _options.OnDisk;

    /// <summary>What has been read and sampled so far, for progress.</summary>
    public SamplingProgress Progress => new(NextIndex, null, RowsSampled);

    /// <summary>
    /// Adds a vector. Returns a DimensionMismatch error (the item is rejected, and sampling goes on) when its length
    /// differs from the first one's; throws a <see cref="KMeansException"/> when the run cannot go on: the first
    /// vector's sample does not fit (<see cref="ResourcePlan"/>), or a value is not finite or beyond the metric's range,
    /// or a row has no direction under Cosine.
    /// </summary>
    public KMeansException? Add(float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        long index = NextIndex;
        if (vector.Length == 0 || (_dimension > 0 && vector.Length != _dimension))
        {
            NextIndex++;
            string expected = _dimension > 0 ? $"{_dimension}, like the first vector" : "at least 1";
            return new KMeansException(KMeansErrorKind.DimensionMismatch,
                $"Input item {index} has {vector.Length} values, but every vector must have {expected}.", index);
        }
        if (_buffer is null)
            Start(vector.Length);
        NextIndex++;
        AcceptedCount++;
        if (!_screen!.Admits(index, vector))
        {
            _sampler!.Skip();
            return null;
        }
        long slot = _sampler!.Offer();
        if (slot >= 0)
        {
            ReadOnlySpan<float> stored = _unit is null ? vector : SampleBuilder.UnitLength(vector, _unit);
            _scale.Note(stored);
            _writer!.Write(slot, stored);
            _projector?.Write(slot, stored, index);
        }
        return null;
    }

    /// <summary>Holds the place of an item that is not a vector at all.</summary>
    public void AddRejected() => NextIndex++;

    /// <summary>
    /// Ends the input: the sampled rows become the sealed sample (and, with a training dimension, the same rows
    /// projected), which the caller owns from now on. Throws NoRows or NotEnoughRows as a file's sampling does.
    /// </summary>
    public ProjectedSample Seal(out SamplingSummary summary)
    {
        ObjectDisposedException.ThrowIf(_buffer is null && _dimension > 0, this);
        long nulls = NextIndex - AcceptedCount;
        long nonFinite = _screen?.NonFinite ?? 0;
        if (NextIndex == 0)
            throw new KMeansException(KMeansErrorKind.NoRows, $"{Description} holds no rows.", Description);
        if (NextIndex < _options.K)
            throw SampleBuilder.NotEnoughRows(Description, _options.K, NextIndex, 0, 0);
        if (RowsSampled == 0)
            throw SampleBuilder.NoUsableRows(Description, NextIndex, nulls, nonFinite);
        if (RowsSampled < _options.K)
            throw SampleBuilder.NotEnoughRows(Description, _options.K, RowsSampled, nulls, nonFinite);
        if (_scale.OnlyTinyValues && _options.Distance != DistanceMetric.Cosine)
            throw SampleBuilder.TooSmallToCompare(Description, _options.Distance);
        _writer!.Flush();
        _projector?.Flush();
        long rows = RowsSampled;
        _buffer!.Seal(rows);
        _projected?.Seal(rows);
        summary = new SamplingSummary(NextIndex, rows, nulls, nonFinite);
        var sample = new ProjectedSample(_buffer, _projected);
        _buffer = null;
        _projected = null;
        return sample;
    }

    /// <summary>Plans and creates the buffers once the first vector has fixed the dimension.</summary>
    private void Start(int dimension)
    {
        KMeansOptions options = _options;
        RandomizedHadamardProjection? projection = options.TrainDimension is int trainDimension
            ? RandomizedHadamardProjection.Create(dimension, trainDimension, Seed)
            : null;
        TrainingBuffer buffer = SampleBuffer.Create(rows: null, options, dimension, projection?.OutputDimension, rereadsInput: false);
        long capacity = buffer.CapacityRows;
        try
        {
            if (projection is not null)
            {
                _projected = TrainingBuffer.Create(options.OnDisk, capacity, projection.OutputDimension, options.EffectiveTempDirectory);
                _projector = new SampleProjector(projection, _projected, options.Distance, DescribeRow);
            }
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        _buffer = buffer;
        _dimension = dimension;
        _writer = new SampleWriter(_buffer);
        _screen = new RowScreen(dimension, DescribeRow, options.SkipNonFinite, options.Distance);
        _sampler = RowSampler.Create(null, capacity, new SeededRandom(Seed, stream: 0));
        _unit = options.Distance == DistanceMetric.Cosine ? new float[dimension] : null;
    }

    private static string DescribeRow(long row) => $"row {row} of {Description}";

    /// <summary>Deletes what was sampled and not handed out by <see cref="Seal"/> (after Ctrl+C or an error, the temporary file).</summary>
    public void Dispose()
    {
        _projected?.Dispose();
        _projected = null;
        _buffer?.Dispose();
        _buffer = null;
    }
}
