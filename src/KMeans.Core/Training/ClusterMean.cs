using KMeans.Core.Distance;
using KMeans.Core.Numerics;

namespace KMeans.Core.Training;

/// <summary>
/// A cluster's centroid from the sum of its rows: their mean, normalised under Cosine. Rows that cancel (x and −x) have
/// no mean direction under Cosine, and every unit vector is as near them, so the centroid then stays as it was rather
/// than become the zero vector, which no metric could score (and which assignment refuses).
/// </summary>
internal static class ClusterMean
{
    /// <param name="scratch">Room for one centroid, used under Cosine.</param>
    public static void Set(Span<float> centroid, ReadOnlySpan<double> sum, double size, DistanceMetric metric, Span<float> scratch)
    {
        Span<float> mean = metric == DistanceMetric.Cosine ? scratch[..centroid.Length] : centroid;
        for (int j = 0; j < centroid.Length; j++)
            mean[j] = (float)(sum[j] / size);
        if (metric == DistanceMetric.Cosine && VectorNorm.TryNormalize(mean, mean))
            mean.CopyTo(centroid);
    }
}
