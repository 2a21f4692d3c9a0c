using KMeans.Core.Distance;
using KMeans.Core.Numerics;

namespace KMeans.Core.Training;

/// <summary>
/// Re-seeds empty clusters, as FAISS and Lance do: the largest cluster (lowest index on ties) is split into two
/// centroids pushed apart by a relative 1/1024 with alternating signs, and its size is shared between them so that
/// later repairs in the same pass pick the next largest. Deterministic: no randomness involved.
/// </summary>
/// <remarks>
/// Under L2 the push is relative to the centroids' common offset (<see cref="CommonOffset"/>), not to
/// the origin, so that it does not depend on where the data lie: relative to the origin, centroids of blobs at 1e4 ± 1
/// moved about 10 per dimension, beyond every row, came back empty and split the next largest, until 14 of 20 clusters
/// were empty (a helper's test). Data about the origin have no offset and split as before, bit for bit, except a
/// centroid wholly at the origin, which is pushed by the centroids' mean distance from it rather than by 1 (a scale
/// that meant nothing for data of another size).
/// </remarks>
internal static class EmptyClusterRepair
{
    private const float Epsilon = 1f / 1024;

    /// <summary>Repairs every empty cluster in <paramref name="sizes"/>; returns how many were repaired.</summary>
    public static int Repair(float[] centroids, long[] sizes, int dimension, DistanceMetric metric)
    {
        if (!sizes.AsSpan().Contains(0))
            return 0;
        float[] origin = metric == DistanceMetric.L2
            ? CommonOffset.Of(centroids, sizes.Length, dimension)
            : new float[dimension];
        float spread = MeanDistance(centroids, origin);
        int repaired = 0;
        for (int empty = 0; empty < sizes.Length; empty++)
        {
            if (sizes[empty] != 0)
                continue;
            int largest = Largest(sizes);
            Split(centroids.AsSpan(largest * dimension, dimension), centroids.AsSpan(empty * dimension, dimension), origin, spread);
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
    /// Each coordinate is pushed by 1/1024 of its distance from <paramref name="origin"/>'s; coordinates at it by the
    /// centroid's mean distance instead, so that a centroid at the origin splits too, or by <paramref name="spread"/>
    /// where the whole centroid lies at it.
    /// </summary>
    private static void Split(Span<float> source, Span<float> copy, ReadOnlySpan<float> origin, float spread)
    {
        float scale = 0;
        for (int j = 0; j < source.Length; j++)
            scale += Math.Abs(source[j] - origin[j]);
        scale = scale > 0 ? scale / source.Length : spread;
        for (int j = 0; j < source.Length; j++)
        {
            float value = source[j];
            float relative = value - origin[j];
            // At least two units in the last place of the value, or far from the origin the push would round away and
            // leave two equal centroids (1e5 ± 1: 15 of 20 clusters empty, a review found).
            float delta = Math.Max(Epsilon * (relative != 0 ? Math.Abs(relative) : scale), 2 * Ulp(value));
            float sign = j % 2 == 0 ? 1f : -1f;
            copy[j] = value + sign * delta;
            source[j] = value - sign * delta;
        }
    }

    /// <summary>The gap from |<paramref name="value"/>| to the next float up.</summary>
    private static float Ulp(float value) => MathF.BitIncrement(Math.Abs(value)) - Math.Abs(value);

    /// <summary>The centroids' mean distance per coordinate from <paramref name="origin"/>, or 1 where all lie at it.</summary>
    private static float MeanDistance(float[] centroids, float[] origin)
    {
        double sum = 0;
        for (int i = 0; i < centroids.Length; i++)
            sum += Math.Abs(centroids[i] - origin[i % origin.Length]);
        return sum > 0 ? (float)(sum / centroids.Length) : 1f;
    }
}
