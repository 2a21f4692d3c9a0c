using System.Numerics.Tensors;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;

namespace KMeans.Core.Training;

/// <summary>
/// The update step: each centroid becomes the mean of its rows. Threads split the centroids, not the rows: each walks
/// the sample in row order and adds, in double, only the rows of its own centroids, so every sum is taken in the same
/// order whatever the thread count (as Lance does), at O(n·d) time and O(K·d) memory.
/// </summary>
internal static class CentroidUpdate
{
    public static void Run(TrainingBuffer sample, RowBlocks blocks, int[] labels, long[] sizes, float[] centroids,
        double[] sums, DistanceMetric metric, ParallelOptions parallel, int threads)
    {
        int k = sizes.Length;
        int d = sample.Dimension;
        int parts = Math.Min(k, threads);
        Array.Clear(sums);
        Parallel.For(0, parts, parallel, part =>
        {
            int low = (int)((long)k * part / parts);
            int high = (int)((long)k * (part + 1) / parts);
            for (long block = 0; block < blocks.Count; block++)
            {
                if (parallel.CancellationToken.IsCancellationRequested)
                    return;
                long first = blocks.First(block);
                int count = blocks.Length(block);
                blocks.ReadAhead(sample, block);
                ReadOnlySpan<float> rows = sample.Rows(first, count);
                for (int i = 0; i < count; i++)
                {
                    int label = labels[first + i];
                    if (label >= low && label < high)
                        WideningSum.Add(rows.Slice(i * d, d), sums.AsSpan(label * d, d));
                }
            }
            for (int c = low; c < high; c++)
            {
                if (sizes[c] == 0)
                    continue;
                Span<float> centroid = centroids.AsSpan(c * d, d);
                ReadOnlySpan<double> sum = sums.AsSpan(c * d, d);
                double size = sizes[c];
                for (int j = 0; j < d; j++)
                    centroid[j] = (float)(sum[j] / size);
                if (metric == DistanceMetric.Cosine)
                    Normalize(centroid);
            }
        });
        parallel.CancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Scales to unit length; a zero vector is left as it is (it cannot be given a direction).</summary>
    public static void Normalize(Span<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
            TensorPrimitives.Divide(vector, norm, vector);
    }
}
