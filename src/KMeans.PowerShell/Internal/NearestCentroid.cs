using System.Numerics;

namespace KMeans.PowerShell.Internal;

/// <summary>
/// Finds the nearest of K centroids for one vector at a time, under the same metrics as the trainer; ties go to the
/// lower cluster id. Assignment of pipeline input is per item, so a plain SIMD loop over the centroids is enough.
/// </summary>
internal sealed class NearestCentroid
{
    private readonly float[][] _centroids;
    private readonly KMeansDistance _distance;
    private readonly float[] _normalized;

    public NearestCentroid(IReadOnlyList<float[]> centroids, KMeansDistance distance)
    {
        _distance = distance;
        Dimension = centroids[0].Length;
        _centroids = centroids.Select(c => distance == KMeansDistance.Cosine ? Normalized(c) : (float[])c.Clone()).ToArray();
        _normalized = new float[Dimension];
    }

    public int Dimension { get; }

    /// <summary>The nearest centroid and the distance to it (squared L2, 1 − cosine, or −dot).</summary>
    public (int ClusterId, double Distance) Assign(ReadOnlySpan<float> vector)
    {
        if (_distance == KMeansDistance.Cosine)
        {
            float norm = MathF.Sqrt(Dot(vector, vector));
            for (int i = 0; i < vector.Length; i++)
                _normalized[i] = vector[i] / norm;
            vector = _normalized;
        }
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int c = 0; c < _centroids.Length; c++)
        {
            double distance = _distance switch
            {
                KMeansDistance.L2 => SquaredL2(vector, _centroids[c]),
                KMeansDistance.Cosine => 1.0 - Dot(vector, _centroids[c]),
                _ => -(double)Dot(vector, _centroids[c]),
            };
            if (distance < bestDistance)
                (best, bestDistance) = (c, distance);
        }
        return (best, bestDistance);
    }

    private static float[] Normalized(float[] centroid)
    {
        float norm = MathF.Sqrt(Dot(centroid, centroid));
        return centroid.Select(v => v / norm).ToArray();
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        int i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            sum += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
        float total = Vector.Sum(sum);
        for (; i < a.Length; i++)
            total += a[i] * b[i];
        return total;
    }

    private static float SquaredL2(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        int i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            Vector<float> difference = new Vector<float>(a[i..]) - new Vector<float>(b[i..]);
            sum += difference * difference;
        }
        float total = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            float difference = a[i] - b[i];
            total += difference * difference;
        }
        return total;
    }
}
