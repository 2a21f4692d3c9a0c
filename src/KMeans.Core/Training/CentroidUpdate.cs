using System.Runtime.CompilerServices;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Numerics;

namespace KMeans.Core.Training;

/// <summary>
/// The update step: each centroid becomes the mean of its rows, added in double in row order, so every sum is the same
/// whatever the threads, ranges or buffer, at O(n·d) time and O(K·d) memory. Either in one pass of its own, threads
/// splitting the centroids (each walks every row and adds only its own centroids' rows, as Lance does), or range of
/// blocks after range of blocks as <see cref="OrderedRangeUpdate"/> hands them over during the assignment pass.
/// </summary>
internal sealed class CentroidUpdate(int k, int dimension, DistanceMetric metric)
{
    private readonly double[] _sums = new double[(long)k * dimension];

    public void Clear() => Array.Clear(_sums);

    /// <summary>Adds the rows of blocks [<paramref name="firstBlock"/>, <paramref name="endBlock"/>) to their clusters' sums.</summary>
    public void Add(TrainingBuffer sample, RowBlocks blocks, long firstBlock, long endBlock, int[] labels) =>
        AddRows(sample, blocks, firstBlock, endBlock, labels, 0, k, readAhead: false, CancellationToken.None);

    /// <summary>Adds every row to its cluster's sum, in one parallel pass over the sample.</summary>
    public void AddAll(TrainingBuffer sample, RowBlocks blocks, int[] labels, ParallelOptions parallel)
    {
        Clear();
        int parts = Math.Min(k, parallel.MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : parallel.MaxDegreeOfParallelism);
        Parallel.For(0, parts, parallel, part =>
            AddRows(sample, blocks, 0, blocks.Count, labels, (int)((long)k * part / parts), (int)((long)k * (part + 1) / parts),
                readAhead: true, parallel.CancellationToken));
        parallel.CancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Adds the rows of blocks [firstBlock, endBlock) whose cluster is in [low, high), in row order; with
    /// <paramref name="readAhead"/> it asks an on-disk sample for the rows ahead (a range handed over by the assignment
    /// is already cached).
    /// </summary>
    // Fully optimized from the first call: it runs once per thread per pass, so tiering would leave a whole first
    // training (such as a hierarchical tree's top level) in slower code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddRows(TrainingBuffer sample, RowBlocks blocks, long firstBlock, long endBlock, int[] labels, int low,
        int high, bool readAhead, CancellationToken cancellation)
    {
        for (long block = firstBlock; block < endBlock; block++)
        {
            if (cancellation.IsCancellationRequested)
                return;
            long first = blocks.First(block);
            int count = blocks.Length(block);
            if (readAhead)
                blocks.ReadAhead(sample, block);
            ReadOnlySpan<float> rows = sample.Rows(first, count);
            for (int i = 0; i < count; i++)
            {
                int label = labels[first + i];
                if (label >= low && label < high)
                    WideningSum.Add(rows.Slice(i * dimension, dimension), _sums.AsSpan(label * dimension, dimension));
            }
        }
    }

    /// <summary>Sets every non-empty cluster's centroid to its mean; an empty cluster's centroid is left for repair.</summary>
    public void Apply(long[] sizes, float[] centroids)
    {
        for (int c = 0; c < k; c++)
        {
            if (sizes[c] == 0)
                continue;
            Span<float> centroid = centroids.AsSpan(c * dimension, dimension);
            ReadOnlySpan<double> sum = _sums.AsSpan(c * dimension, dimension);
            double size = sizes[c];
            for (int j = 0; j < dimension; j++)
                centroid[j] = (float)(sum[j] / size);
            if (metric == DistanceMetric.Cosine)
                VectorMath.Normalize(centroid);
        }
    }

    /// <summary>The whole update from the labels of every row, as one parallel pass over the sample.</summary>
    public void Run(TrainingBuffer sample, RowBlocks blocks, int[] labels, long[] sizes, float[] centroids,
        ParallelOptions parallel)
    {
        AddAll(sample, blocks, labels, parallel);
        Apply(sizes, centroids);
    }
}
