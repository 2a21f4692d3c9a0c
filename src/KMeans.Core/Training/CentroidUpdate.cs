using System.Runtime.CompilerServices;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Numerics;

namespace KMeans.Core.Training;

/// <summary>
/// The update step: each centroid becomes the mean of its rows, added in double in row order, so every sum is the same
/// whatever the threads, ranges or buffer, at O(n·d) time and O(K·d + n) memory. Either in one pass of its own, or
/// range of blocks after range of blocks as <see cref="OrderedRangeUpdate"/> hands them over during the assignment
/// pass (<see cref="Add"/>).
/// </summary>
/// <remarks>
/// The pass of its own reads each row once: the clusters are cut into one run of consecutive clusters per thread,
/// holding about the same number of rows, and a counting sort (O(n + K)) lists every run's rows in row order; each
/// thread then sums only its own run's rows, asking for the rows ahead in its list (<see cref="CacheLinePrefetch"/>). Splitting
/// the centroids among threads that each walk every row (as Lance does) tests every row's label on every thread, and
/// the hardware prefetchers stream the rows that thread skips. Which thread sums a cluster never changes the order
/// in which that cluster's rows are added (row order), so the sums are bit-identical to the plain definition for any
/// thread count. Bench <c>update</c> (bench/README.md) compares both.
/// </remarks>
internal sealed class CentroidUpdate(int k, int dimension, DistanceMetric metric)
{
    private readonly LineAligned<double> _sums = new(k * dimension);
    private readonly int[] _clusterSizes = new int[k];
    private readonly int[] _runOf = new int[k];
    private int[] _rows = [];
    private readonly int[] _rangeEnds = new int[k];
    private readonly float[] _mean = new float[dimension];

    public void Clear() => _sums.Span.Clear();

    /// <summary>
    /// Adds the rows of blocks [<paramref name="firstBlock"/>, <paramref name="endBlock"/>) to their clusters' sums,
    /// cluster after cluster, each cluster's rows in row order (a stable counting sort of the range, O(rows + K)).
    /// </summary>
    /// <remarks>
    /// Called by one thread at a time, for consecutive ranges in row order, so every sum still takes its rows in row
    /// order. The range's rows were just assigned and are cached; going cluster by cluster keeps each cluster's sums
    /// in the nearest cache for all its rows of the range, where row order would fetch a cluster's d doubles per row
    /// (with 1 MiB ranges, whole folded iterations took 0.96× the time of 16 MiB ranges added in row order, W1 and W2;
    /// bench/README.md). With <paramref name="losses"/>, each row's L2 loss is computed here too, while the row and its
    /// centroid are in the nearest cache.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(TrainingBuffer sample, RowBlocks blocks, long firstBlock, long endBlock, int[] labels,
        RangeLosses? losses = null)
    {
        long first = blocks.First(firstBlock);
        int count = (int)(blocks.First(endBlock - 1) + blocks.Length(endBlock - 1) - first);
        // The range's row list borrows the pass's list (never in use at the same time), which the memory plan counts.
        if (_rows.Length != labels.Length)
            _rows = new int[labels.Length];
        ReadOnlySpan<int> rangeLabels = labels.AsSpan((int)first, count);
        Span<int> ends = _rangeEnds;
        ends.Clear();
        foreach (int label in rangeLabels)
            ends[label]++;
        int placed = 0;
        for (int c = 0; c < k; c++)
        {
            int size = ends[c];
            ends[c] = placed;
            placed += size;
        }
        // Each cluster's rows are placed from its start in row order; afterwards ends[c] is where they stop.
        for (int i = 0; i < count; i++)
            _rows[ends[rangeLabels[i]]++] = i;
        int slot = 0;
        for (int c = 0; c < k; c++)
        {
            Span<double> sum = _sums.Span.Slice(c * dimension, dimension);
            ReadOnlySpan<float> centroid = losses is null ? default : losses.Centroids.Plain.Slice(c * dimension, dimension);
            for (int end = ends[c]; slot < end; slot++)
            {
                if (slot + _prefetchDistance < count)
                    CacheLinePrefetch.Request(sample.Rows(first + _rows[slot + _prefetchDistance], 1));
                long row = first + _rows[slot];
                ReadOnlySpan<float> x = sample.Rows(row, 1);
                WideningSum.Add(x, sum);
                if (losses is not null)
                    losses.RowLoss[row] = RowLoss.Of(x, centroid, DistanceMetric.L2);
            }
        }
    }

    /// <summary>
    /// Adds every row to its cluster's sum, each row read once, runs of clusters shared among the threads; with
    /// <paramref name="spread"/>, to its cluster's spread too.
    /// </summary>
    public void AddAll(TrainingBuffer sample, int[] labels, ParallelOptions parallel, PivotSpread? spread = null)
    {
        Clear();
        int threads = parallel.MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : parallel.MaxDegreeOfParallelism;
        int runs = Math.Min(k, threads);
        int[] rowStarts = SortByRun(labels, runs);
        Parallel.For(0, runs, parallel, run =>
            AddRows(sample, labels, rowStarts[run], rowStarts[run + 1], spread, parallel.CancellationToken));
        parallel.CancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Adds one row to its cluster's sum, for a caller that reads the rows itself (a cluster's rows in row order, so
    /// the sums are those of <see cref="AddAll"/> over the same rows); <see cref="Clear"/> first.
    /// </summary>
    public void AddRow(int cluster, ReadOnlySpan<float> row) => WideningSum.Add(row, _sums.Span.Slice(cluster * dimension, dimension));

    /// <summary>
    /// Cuts the clusters into <paramref name="runs"/> runs of consecutive clusters holding about n / runs rows each,
    /// and lists every run's rows in row order (a stable counting sort): run r's rows fill [starts[r], starts[r + 1]).
    /// </summary>
    private int[] SortByRun(int[] labels, int runs)
    {
        if (_rows.Length != labels.Length)
            _rows = new int[labels.Length];
        Array.Clear(_clusterSizes);
        foreach (int label in labels)
            _clusterSizes[label]++;
        var starts = new int[runs + 1];
        long placed = 0;
        int run = 0;
        for (int c = 0; c < k; c++)
        {
            // A cluster joins the next run once the current one holds its share of the rows.
            while (run < runs - 1 && placed >= (long)labels.Length * (run + 1) / runs)
                starts[++run] = (int)placed;
            _runOf[c] = run;
            placed += _clusterSizes[c];
        }
        while (run < runs)
            starts[++run] = (int)placed;
        int[] next = (int[])starts.Clone();
        for (int row = 0; row < labels.Length; row++)
            _rows[next[_runOf[labels[row]]]++] = row;
        return starts;
    }

    // Fully optimized from the first call: it runs a few times per pass, so tiering would leave a whole first training
    // (such as a hierarchical tree's top level) in slower code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddRows(TrainingBuffer sample, int[] labels, int first, int end, PivotSpread? spread,
        CancellationToken cancellation)
    {
        for (int slot = first; slot < end; slot++)
        {
            if ((slot & 1023) == 0 && cancellation.IsCancellationRequested)
                return;
            if (slot + _prefetchDistance < end)
                CacheLinePrefetch.Request(sample.Rows(_rows[slot + _prefetchDistance], 1));
            int row = _rows[slot];
            ReadOnlySpan<float> x = sample.Rows(row, 1);
            WideningSum.Add(x, _sums.Span.Slice(labels[row] * dimension, dimension));
            spread?.Add(labels[row], x);
        }
    }

    /// <summary>
    /// A thread's rows are a sparse, increasing subset of the sample, whose gaps the hardware prefetchers cannot
    /// foresee, so rows ahead in the list are requested (<see cref="CacheLinePrefetch"/>).
    /// </summary>
    private readonly int _prefetchDistance = CacheLinePrefetch.ItemsAhead(dimension * sizeof(float));

    /// <summary>Sets every non-empty cluster's centroid to its mean; an empty cluster's centroid is left for repair.</summary>
    public void Apply(long[] sizes, float[] centroids)
    {
        for (int c = 0; c < k; c++)
        {
            if (sizes[c] == 0)
                continue;
            ClusterMean.Set(centroids.AsSpan(c * dimension, dimension), _sums.Span.Slice(c * dimension, dimension), sizes[c],
                metric, _mean);
        }
    }

    /// <summary>
    /// The whole update from the labels of every row, as one parallel pass over the sample (which takes
    /// <paramref name="spread"/> on the way).
    /// </summary>
    public void Run(TrainingBuffer sample, int[] labels, long[] sizes, float[] centroids, ParallelOptions parallel,
        PivotSpread? spread = null)
    {
        AddAll(sample, labels, parallel, spread);
        Apply(sizes, centroids);
    }

    /// <summary>
    /// The loss of the rows summed by the last pass against <paramref name="centroids"/>, without reading them again,
    /// summed over the clusters in order: under L2 from <paramref name="spread"/>, which that pass took; under Cosine
    /// (unit rows) Σ (1 − x·c) = n − c·S, never below 0 per cluster; under Dot Σ −x·c = −c·S.
    /// </summary>
    public double LossOfSums(long[] sizes, float[] centroids, PivotSpread? spread)
    {
        if (metric == DistanceMetric.L2 && spread is null)
            throw new ArgumentNullException(nameof(spread), "The L2 loss needs the spread that the pass took.");
        double loss = 0;
        for (int c = 0; c < k; c++)
        {
            ReadOnlySpan<double> sum = _sums.Span.Slice(c * dimension, dimension);
            ReadOnlySpan<float> centroid = centroids.AsSpan(c * dimension, dimension);
            if (metric == DistanceMetric.L2)
            {
                loss += spread!.Loss(c, sum, sizes[c], centroid);
                continue;
            }
            double dot = 0;
            for (int j = 0; j < dimension; j++)
                dot += centroid[j] * sum[j];
            loss += metric == DistanceMetric.Cosine ? Math.Max(0, sizes[c] - dot) : -dot;
        }
        return loss;
    }
}
