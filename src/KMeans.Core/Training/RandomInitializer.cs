using KMeans.Core.Buffers;
using KMeans.Core.Numerics;

namespace KMeans.Core.Training;

/// <summary>K distinct sample rows, drawn uniformly with Floyd's algorithm (O(K) time and memory, whatever n is).</summary>
internal static class RandomInitializer
{
    public static float[] Choose(TrainingBuffer sample, int k, SeededRandom random)
    {
        long n = sample.RowCount;
        int d = sample.Dimension;
        var chosen = new HashSet<long>(k);
        var order = new List<long>(k);
        for (long j = n - k; j < n; j++)
        {
            long candidate = random.NextInt64(j + 1);
            long pick = chosen.Add(candidate) ? candidate : j;
            if (pick == j)
                chosen.Add(j);
            order.Add(pick);
        }
        var centroids = new float[(long)k * d];
        for (int c = 0; c < k; c++)
            sample.Rows(order[c], 1).CopyTo(centroids.AsSpan(c * d, d));
        return centroids;
    }
}
