using KMeans.Core.Distance;
using KMeans.Core.Numerics;

namespace KMeans.Core.Training;

/// <summary>
/// The one check of centroids that come from outside a training (given to assignment, to start a training from, read
/// from or written to a file): at least one, all of one dimension, every value finite and within
/// <see cref="ValueRange"/> for the metric, and under Cosine none the zero vector. A centroid that passes cannot make
/// a distance or a loss non-finite.
/// </summary>
public static class CentroidValidation
{
    /// <summary>Throws a <see cref="KMeansException"/> naming the first bad centroid and what is wrong with it.</summary>
    /// <param name="noun">How the message names a centroid, e.g. "Centroid" or "Initial centroid".</param>
    /// <param name="dimension">The dimension they must have; null takes the first centroid's.</param>
    public static void Validate(IReadOnlyList<float[]?> centroids, DistanceMetric metric, string noun = "Centroid",
        int? dimension = null)
    {
        ArgumentNullException.ThrowIfNull(centroids);
        if (centroids.Count == 0)
            throw new KMeansException(KMeansErrorKind.InvalidCentroid, "No centroids were given.");
        int expected = dimension ?? centroids[0]?.Length ?? 0;
        float limit = ValueRange.Limit(metric, expected);
        for (int c = 0; c < centroids.Count; c++)
        {
            float[]? centroid = centroids[c];
            if (centroid is null || centroid.Length == 0 || centroid.Length != expected)
            {
                string which = dimension is null ? $"centroid 0 has {expected}" : $"the vectors have {expected} dimensions";
                throw new KMeansException(KMeansErrorKind.InvalidCentroid,
                    $"{noun} {c} has {centroid?.Length ?? 0} values, but {which}.", c);
            }
            int column = ValueRange.FirstOutside(centroid, limit);
            if (column >= 0)
            {
                (KMeansErrorKind kind, string problem) = ValueRange.Describe(centroid, column, metric);
                throw new KMeansException(kind, $"{noun} {c} {problem}.", c);
            }
            if (metric == DistanceMetric.Cosine && VectorNorm.IsZero(centroid))
                throw new KMeansException(KMeansErrorKind.ZeroVector,
                    $"{noun} {c} is the zero vector (every value is 0), which has no direction under Cosine distance.", c);
        }
    }
}
