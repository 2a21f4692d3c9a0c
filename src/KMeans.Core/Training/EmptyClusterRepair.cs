using KMeans.Core.Distance;
using KMeans.Core.Numerics;

namespace KMeans.Core.Training;

/// <summary>
/// Re-seeds empty clusters, as FAISS and Lance do: the largest cluster (lowest index on ties) is split into two
/// centroids pushed apart by a relative 1/1024 with alternating signs, and its size is shared between them so that
/// later repairs in the same pass pick the next largest. Deterministic: no randomness involved.
/// </summary>
internal static class EmptyClusterRepair
{
    private const float Epsilon = 1f / 1024;

    /// <summary>Repairs every empty cluster in <paramref name="sizes"/>; returns how many were repaired.</summary>
    public static int Repair(float[] centroids, long[] sizes, int dimension, DistanceMetric metric)
    {
        int repaired = 0;
        for (int empty = 0; empty < sizes.Length; empty++)
        {
            if (sizes[empty] != 0)
                continue;
            int largest = Largest(sizes);
            Split(centroids.AsSpan(largest * dimension, dimension), centroids.AsSpan(empty * dimension, dimension));
            if (metric == DistanceMetric.Cosine)
            {
                VectorMath.Normalize(centroids.AsSpan(largest * dimension, dimension));
                VectorMath.Normalize(centroids.AsSpan(empty * dimension, dimension));
            }
            sizes[empty] = sizes[largest] / 2;
            sizes[largest] -= sizes[empty];
            repaired++;
        }
        return repaired;
    }

    private static int Largest(long[] sizes)
    {
        int largest = 0;
        for (int c = 1; c < sizes.Length; c++)
        {
            if (sizes[c] > sizes[largest])
                largest = c;
        }
        return largest;
    }

    /// <summary>
    /// Zero coordinates are pushed by the centroid's mean magnitude instead, so that a centroid at the origin splits too.
    /// </summary>
    private static void Split(Span<float> source, Span<float> copy)
    {
        float scale = 0;
        foreach (float value in source)
            scale += Math.Abs(value);
        scale = scale > 0 ? scale / source.Length : 1f;
        for (int j = 0; j < source.Length; j++)
        {
            float value = source[j];
            float delta = Epsilon * (value != 0 ? Math.Abs(value) : scale);
            float sign = j % 2 == 0 ? 1f : -1f;
            copy[j] = value + sign * delta;
            source[j] = value - sign * delta;
        }
    }
}
