using System.Numerics.Tensors;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;

namespace KMeans.Core.Training;

/// <summary>
/// The update step: each centroid becomes the mean of its rows. Rows are added in double, range of blocks by range of
/// blocks, so the assignment pass can hand over each range while its rows are still in memory (an on-disk sample is
/// then read once per iteration, not twice). Threads split the centroids, not the rows: each walks the range in row
/// order and adds only the rows of its own centroids, so every sum is taken in row order whatever the thread count or
/// the ranges (as Lance does), at O(n·d) time and O(K·d) memory.
/// </summary>
internal sealed class CentroidUpdate(int k, int dimension, DistanceMetric metric, int threads)
{
    private readonly double[] _sums = new double[(long)k * dimension];
    private readonly int _parts = Math.Min(k, threads);

    public void Clear() => Array.Clear(_sums);

    /// <summary>Adds the rows of blocks [<paramref name="firstBlock"/>, <paramref name="endBlock"/>) to their clusters' sums.</summary>
    public void Add(TrainingBuffer sample, RowBlocks blocks, long firstBlock, long endBlock, int[] labels,
        ParallelOptions parallel)
    {
        Parallel.For(0, _parts, parallel, part =>
        {
            (int low, int high) = Centroids(part);
            for (long block = firstBlock; block < endBlock; block++)
            {
                if (parallel.CancellationToken.IsCancellationRequested)
                    return;
                long first = blocks.First(block);
                int count = blocks.Length(block);
                ReadOnlySpan<float> rows = sample.Rows(first, count);
                for (int i = 0; i < count; i++)
                {
                    int label = labels[first + i];
                    if (label >= low && label < high)
                        WideningSum.Add(rows.Slice(i * dimension, dimension), _sums.AsSpan(label * dimension, dimension));
                }
            }
        });
        parallel.CancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Sets every non-empty cluster's centroid to its mean; an empty cluster's centroid is left for repair.</summary>
    public void Apply(long[] sizes, float[] centroids, ParallelOptions parallel)
    {
        Parallel.For(0, _parts, parallel, part =>
        {
            (int low, int high) = Centroids(part);
            for (int c = low; c < high; c++)
            {
                if (sizes[c] == 0)
                    continue;
                Span<float> centroid = centroids.AsSpan(c * dimension, dimension);
                ReadOnlySpan<double> sum = _sums.AsSpan(c * dimension, dimension);
                double size = sizes[c];
                for (int j = 0; j < dimension; j++)
                    centroid[j] = (float)(sum[j] / size);
                if (metric == DistanceMetric.Cosine)
                    Normalize(centroid);
            }
        });
    }

    /// <summary>The whole update from the labels of every row: one pass over the sample.</summary>
    public void Run(TrainingBuffer sample, RowBlocks blocks, int[] labels, long[] sizes, float[] centroids,
        ParallelOptions parallel)
    {
        Clear();
        Add(sample, blocks, 0, blocks.Count, labels, parallel);
        Apply(sizes, centroids, parallel);
    }

    /// <summary>Scales to unit length; a zero vector is left as it is (it cannot be given a direction).</summary>
    public static void Normalize(Span<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
            TensorPrimitives.Divide(vector, norm, vector);
    }

    private (int Low, int High) Centroids(int part) =>
        ((int)((long)k * part / _parts), (int)((long)k * (part + 1) / _parts));
}
