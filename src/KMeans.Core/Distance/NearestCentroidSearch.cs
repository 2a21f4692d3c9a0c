using System.Numerics.Tensors;

namespace KMeans.Core.Distance;

/// <summary>
/// Assigns vectors to the nearest of a fixed set of centroids exactly as training does: the same kernel, the same
/// lowest-index tie-breaking and the same distances (squared L2, 1 − cosine, or −dot), so assigning the training
/// sample to trained centroids reproduces the trained cluster sizes. Not thread-safe: it reuses its scratch.
/// </summary>
public sealed class NearestCentroidSearch : IDisposable
{
    private readonly PackedCentroids _packed;
    private readonly AssignmentKernel.Scratch _scratch = new(1);
    private readonly int[] _label = new int[1];
    private readonly float[] _score = new float[1];
    private readonly float[] _normalised;

    /// <param name="centroids">K centroids of equal length; under Cosine they are normalised here.</param>
    public NearestCentroidSearch(IReadOnlyList<float[]> centroids, DistanceMetric metric)
    {
        ArgumentNullException.ThrowIfNull(centroids);
        if (centroids.Count == 0)
            throw new ArgumentException("At least one centroid is needed.", nameof(centroids));
        Metric = metric;
        Dimension = centroids[0].Length;
        var values = new float[(long)centroids.Count * Dimension];
        for (int c = 0; c < centroids.Count; c++)
        {
            if (centroids[c].Length != Dimension)
                throw new ArgumentException($"Centroid {c} has {centroids[c].Length} values, but centroid 0 has {Dimension}.", nameof(centroids));
            Span<float> centroid = values.AsSpan(c * Dimension, Dimension);
            centroids[c].CopyTo(centroid);
            if (metric == DistanceMetric.Cosine)
                Numerics.VectorMath.Normalize(centroid);
        }
        _packed = new PackedCentroids(centroids.Count, Dimension);
        _packed.Pack(values, metric);
        _normalised = new float[Dimension];
    }

    public int K => _packed.K;

    public int Dimension { get; }

    public DistanceMetric Metric { get; }

    /// <summary>The nearest centroid of one vector of <see cref="Dimension"/> finite values, and the distance to it.</summary>
    public (int ClusterId, float Distance) Assign(ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimension)
            throw new ArgumentException($"The vector has {vector.Length} values, but the centroids have {Dimension}.", nameof(vector));
        if (Metric == DistanceMetric.Cosine)
        {
            if (!Numerics.VectorNorm.TryNormalize(vector, _normalised))
                throw new KMeansException(KMeansErrorKind.ZeroVector,
                    "The vector is the zero vector (every value is 0), which has no direction under Cosine distance.");
            vector = _normalised;
        }
        AssignmentKernel.Assign(vector, 1, _packed, _label, _score, _scratch);
        int label = _label[0];
        float distance = Metric switch
        {
            DistanceMetric.L2 => Squared(TensorPrimitives.Distance(vector, _packed.Plain.AsSpan(label * Dimension, Dimension))),
            DistanceMetric.Cosine => Math.Max(0f, 1f + _score[0] / 2f),
            _ => _score[0] / 2f,
        };
        return (label, distance);
    }

    public void Dispose() => _packed.Dispose();

    private static float Squared(float value) => value * value;
}
