using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;

namespace KMeans.Core.Training;

/// <summary>
/// The update step: each centroid becomes the mean of its rows, added in double in row order, so every sum is the same
/// whatever the threads, ranges or buffer, at O(n·d) time and O(K·d + n) memory. Either in one pass of its own, or
/// range of blocks after range of blocks as <see cref="OrderedRangeUpdate"/> hands them over during the assignment
/// pass.
/// </summary>
/// <remarks>
/// The pass of its own reads each row once: a counting sort (O(n + K)) lists the rows of every cluster in row order,
/// and threads take runs of whole clusters, each summing its clusters' rows into one d-long accumulator that stays in
/// the first-level cache. Splitting the centroids among threads that each walk every row (as Lance does) reads the
/// sample once per thread and keeps all K·d sums hot at once. Which thread sums a cluster, and which clusters share a
/// run, never changes the order in which that cluster's rows are added, so the sums are bit-identical to the plain
/// row-order definition.
/// </remarks>
internal sealed class CentroidUpdate(int k, int dimension, DistanceMetric metric)
{
    /// <summary>Runs of clusters per thread: enough that a thread finishing early takes another run.</summary>
    private const int RunsPerThread = 4;

    private readonly double[] _sums = new double[(long)k * dimension];
    private readonly int[] _clusterStarts = new int[k + 1];
    private int[] _rowsByCluster = [];

    public void Clear() => Array.Clear(_sums);

    /// <summary>Adds the rows of blocks [<paramref name="firstBlock"/>, <paramref name="endBlock"/>) to their clusters' sums, in row order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(TrainingBuffer sample, RowBlocks blocks, long firstBlock, long endBlock, int[] labels)
    {
        for (long block = firstBlock; block < endBlock; block++)
        {
            long first = blocks.First(block);
            int count = blocks.Length(block);
            ReadOnlySpan<float> rows = sample.Rows(first, count);
            for (int i = 0; i < count; i++)
                WideningSum.Add(rows.Slice(i * dimension, dimension), _sums.AsSpan(labels[first + i] * dimension, dimension));
        }
    }

    /// <summary>Adds every row to its cluster's sum, each row read once, clusters shared among the threads.</summary>
    public void AddAll(TrainingBuffer sample, int[] labels, ParallelOptions parallel)
    {
        Clear();
        SortByCluster(labels);
        int threads = parallel.MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : parallel.MaxDegreeOfParallelism;
        int runs = (int)Math.Min(k, (long)threads * RunsPerThread);
        int[] runStarts = RunStarts(runs, labels.Length);
        Parallel.For(0, runs, parallel, run =>
            AddClusters(sample, runStarts[run], runStarts[run + 1], parallel.CancellationToken));
        parallel.CancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Stable counting sort of the row indices by label: cluster c's rows, in row order, fill [start(c), start(c + 1)).</summary>
    private void SortByCluster(int[] labels)
    {
        if (_rowsByCluster.Length != labels.Length)
            _rowsByCluster = new int[labels.Length];
        Array.Clear(_clusterStarts);
        foreach (int label in labels)
            _clusterStarts[label + 1]++;
        for (int c = 0; c < k; c++)
            _clusterStarts[c + 1] += _clusterStarts[c];
        // start(c) serves as cluster c's cursor and ends at start(c + 1); shifting by one cluster restores the starts.
        int[] next = _clusterStarts;
        for (int row = 0; row < labels.Length; row++)
            _rowsByCluster[next[labels[row]]++] = row;
        for (int c = k; c > 0; c--)
            next[c] = next[c - 1];
        next[0] = 0;
    }

    /// <summary>Run r sums clusters [starts[r], starts[r + 1]): consecutive clusters holding about rows / runs rows.</summary>
    private int[] RunStarts(int runs, int rows)
    {
        var starts = new int[runs + 1];
        int cluster = 0;
        for (int run = 1; run < runs; run++)
        {
            long target = (long)rows * run / runs;
            while (cluster < k && _clusterStarts[cluster] < target)
                cluster++;
            starts[run] = cluster;
        }
        starts[runs] = k;
        return starts;
    }

    // Fully optimized from the first call: it runs a few times per pass, so tiering would leave a whole first training
    // (such as a hierarchical tree's top level) in slower code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddClusters(TrainingBuffer sample, int low, int high, CancellationToken cancellation)
    {
        for (int c = low; c < high; c++)
        {
            if (cancellation.IsCancellationRequested)
                return;
            Span<double> sum = _sums.AsSpan(c * dimension, dimension);
            int end = _clusterStarts[c + 1];
            for (int slot = _clusterStarts[c]; slot < end; slot++)
            {
                if (slot + PrefetchDistance < _rowsByCluster.Length)
                    Prefetch(sample.Rows(_rowsByCluster[slot + PrefetchDistance], 1));
                WideningSum.Add(sample.Rows(_rowsByCluster[slot], 1), sum);
            }
        }
    }

    /// <summary>
    /// Rows are read in cluster order, which the hardware prefetchers cannot foresee: the row this many slots ahead
    /// is requested explicitly (its first cache lines; the streamers follow the rest of a long row).
    /// </summary>
    private const int PrefetchDistance = 8;

    private const int PrefetchLines = 16;

    private static unsafe void Prefetch(ReadOnlySpan<float> row)
    {
        if (!Sse.IsSupported)
            return;
        byte* start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(row));
        int bytes = Math.Min(row.Length * sizeof(float), PrefetchLines * 64);
        for (int offset = 0; offset < bytes; offset += 64)
            Sse.Prefetch0(start + offset);
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
                Normalize(centroid);
        }
    }

    /// <summary>The whole update from the labels of every row, as one parallel pass over the sample.</summary>
    public void Run(TrainingBuffer sample, int[] labels, long[] sizes, float[] centroids, ParallelOptions parallel)
    {
        AddAll(sample, labels, parallel);
        Apply(sizes, centroids);
    }

    /// <summary>Scales to unit length; a zero vector is left as it is (it cannot be given a direction).</summary>
    public static void Normalize(Span<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
            TensorPrimitives.Divide(vector, norm, vector);
    }
}
