using System.Globalization;
using KMeans.Core.Distance;
using KMeans.Core.Numerics;

namespace KMeans.Core.Files;

/// <summary>
/// Centroids as they are stored in a file: K rows of Dimension float32 values, the number of sample rows assigned to
/// each, and how they were trained. The constructor and <see cref="Validate"/> reject shapes that do not agree and
/// values that are not finite, so a writer never stores centroids that no reader would accept.
/// </summary>
public sealed class CentroidSet
{
    private readonly double? _loss;
    private readonly int? _iterations;

    public CentroidSet(int k, int dimension, float[] values, long[]? sizes)
    {
        ArgumentNullException.ThrowIfNull(values);
        K = k;
        Dimension = dimension;
        Values = values;
        Sizes = sizes;
        Validate();
    }

    public int K { get; }

    public int Dimension { get; }

    /// <summary>K × Dimension values, row-major: centroid c is Values[c·Dimension … (c+1)·Dimension).</summary>
    public float[] Values { get; }

    /// <summary>
    /// Sample rows assigned to each centroid; null when the source did not record them (.npy, a CSV or JSON file
    /// without sizes), never zeros that would read as empty partitions.
    /// </summary>
    public long[]? Sizes { get; }

    /// <summary>The metric the centroids were trained with; null when the file does not record it (.npy, CSV).</summary>
    public DistanceMetric? Distance { get; init; }

    /// <summary>
    /// A balanced training's additive price per centroid, in the metric's distance units, or null: assignment sends each
    /// row to the centroid of least distance + price, which keeps the partitions of all rows near the sizes the training
    /// balanced. Arrow (a <c>price</c> column) and JSON (a <c>price</c> per centroid) keep them; .npy and CSV do not.
    /// </summary>
    public float[]? Prices { get; init; }

    /// <summary>Loss of these centroids over the training sample, when known.</summary>
    public double? Loss
    {
        get => _loss;
        init
        {
            if (value is double loss && !double.IsFinite(loss))
                throw new KMeansException(KMeansErrorKind.NonFiniteValue,
                    $"The loss must be a finite number, but was {loss.ToString(CultureInfo.InvariantCulture)}.", loss);
            _loss = value;
        }
    }

    /// <summary>Lloyd iterations run to obtain these centroids, when known.</summary>
    public int? Iterations
    {
        get => _iterations;
        init
        {
            if (value < 0)
                throw new KMeansException(KMeansErrorKind.InvalidOption,
                    $"Iterations must be at least 0, but was {value}.", value);
            _iterations = value;
        }
    }

    /// <summary>The seed that reproduces the training run, when known.</summary>
    public int? Seed { get; init; }

    /// <summary>Version of the module that trained the centroids, when known.</summary>
    public string? ModuleVersion { get; init; }

    /// <summary>
    /// Further key/value pairs stored with the centroids (Arrow schema metadata, a JSON object); sorted by key so files
    /// are reproducible. Keys may not be empty nor one of the parameter names: k, dimension, distance, loss,
    /// iterations, seed, module_version.
    /// </summary>
    public IDictionary<string, string> Metadata { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public ReadOnlySpan<float> Centroid(int cluster)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cluster);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(cluster, K);
        return Values.AsSpan(cluster * Dimension, Dimension);
    }

    /// <summary>
    /// Checks the shape, that every value is finite and every size non-negative, and the metadata keys; called again by
    /// writers because <see cref="Values"/>, <see cref="Sizes"/> and <see cref="Metadata"/> can change after construction.
    /// </summary>
    public void Validate()
    {
        if (K < 1)
            throw new KMeansException(KMeansErrorKind.DimensionMismatch, $"K must be at least 1, but was {K}.", K);
        if (Dimension < 1)
            throw new KMeansException(KMeansErrorKind.DimensionMismatch,
                $"The dimension must be at least 1, but was {Dimension}.", Dimension);
        if (Values.LongLength != (long)K * Dimension)
            throw new KMeansException(KMeansErrorKind.DimensionMismatch,
                $"{K} centroids of dimension {Dimension} need {(long)K * Dimension} values, but {Values.LongLength} were given.",
                Values.LongLength);
        if (Sizes is not null && Sizes.Length != K)
            throw new KMeansException(KMeansErrorKind.DimensionMismatch,
                $"{K} centroids need {K} sizes, but {Sizes.Length} were given.", Sizes.Length);

        if (Distance is DistanceMetric distance && !Enum.IsDefined(distance))
            throw new KMeansException(KMeansErrorKind.InvalidOption, $"Unknown distance metric {(int)distance}.", distance);

        for (int i = 0; i < Values.Length; i++)
        {
            if (BeyondFloat32.Is(Values[i]))
                throw new KMeansException(KMeansErrorKind.ValueOutOfRange,
                    $"Centroid {i / Dimension}, component {i % Dimension} is beyond float32's range (±{float.MaxValue.ToString("G3", CultureInfo.InvariantCulture)}); centroids are float32.",
                    i / Dimension);
            if (NullElement.Is(Values[i]))
                throw new KMeansException(KMeansErrorKind.NonFiniteValue,
                    $"Centroid {i / Dimension}, component {i % Dimension} is null; centroids must be finite numbers.",
                    i / Dimension);
            if (!float.IsFinite(Values[i]))
                throw new KMeansException(KMeansErrorKind.NonFiniteValue,
                    $"Centroid {i / Dimension}, component {i % Dimension} is {Values[i].ToString(CultureInfo.InvariantCulture)}; centroids must be finite.",
                    i / Dimension);
        }

        if (Prices is { } prices)
        {
            if (prices.Length != K)
                throw new KMeansException(KMeansErrorKind.DimensionMismatch,
                    $"{K} centroids need {K} prices, but {prices.Length} were given.", prices.Length);
            for (int c = 0; c < K; c++)
            {
                if (!float.IsFinite(prices[c]))
                    throw new KMeansException(KMeansErrorKind.NonFiniteValue,
                        $"The price of centroid {c} is {prices[c].ToString(CultureInfo.InvariantCulture)}; prices must be finite.", c);
            }
        }

        for (int c = 0; Sizes is { } sizes && c < K; c++)
        {
            if (sizes[c] < 0)
                throw new KMeansException(KMeansErrorKind.InvalidOption,
                    $"The size of centroid {c} is {sizes[c]}; sizes count rows and cannot be negative.", c);
        }

        foreach ((string key, string value) in Metadata)
        {
            if (key.Length == 0)
                throw new KMeansException(KMeansErrorKind.InvalidOption, "A metadata key is empty.", key);
            if (MetadataKeys.IsReserved(key))
                throw new KMeansException(KMeansErrorKind.InvalidOption,
                    $"The metadata key '{key}' is reserved for a training parameter ({string.Join(", ", MetadataKeys.Reserved)}); set the property instead.",
                    key);
            if (value is null)
                throw new KMeansException(KMeansErrorKind.InvalidOption, $"The metadata value of '{key}' is null.", key);
        }
    }
}
