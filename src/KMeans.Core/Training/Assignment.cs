using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;

namespace KMeans.Core.Training;

/// <summary>
/// The assignment step: each sample row's nearest centroid, its loss, and the cluster sizes. Rows are independent, so
/// blocks run in parallel; the loss is then summed row by row in row order, so it does not depend on threads or blocks.
/// </summary>
internal sealed class Assignment
{
    private readonly TrainingBuffer _sample;
    private readonly DistanceMetric _metric;
    private readonly RowBlocks _blocks;
    private readonly long _blocksPerRange;
    private long _reassigned;
    private long _skipped;

    /// <summary>
    /// The kernel's per-worker memory, kept from pass to pass: its line-aligned arrays are pinned, which only a full
    /// collection reclaims, and a pass would otherwise leave a set per worker behind.
    /// </summary>
    private readonly ConcurrentBag<AssignmentKernel.Scratch> _kernelScratch = [];

    public Assignment(TrainingBuffer sample, int k, DistanceMetric metric, int rowsPerBlock,
        long bytesPerRange = KMeansOptions.DefaultBytesPerRange)
    {
        _sample = sample;
        _metric = metric;
        _blocks = new RowBlocks(sample.RowCount, Math.Min(rowsPerBlock, sample.MaxRowsPerBlock));
        _blocksPerRange = Math.Max(1, bytesPerRange / ((long)_blocks.RowsPerBlock * sample.Dimension * sizeof(float)));
        Labels = new int[sample.RowCount];
        RowLoss = new float[sample.RowCount];
        Sizes = new long[k];
    }

    public int[] Labels { get; }

    public float[] RowLoss { get; }

    public long[] Sizes { get; }

    public RowBlocks Blocks => _blocks;

    /// <summary>
    /// Assigns every row to <paramref name="centroids"/>; returns the loss, how many labels changed and how many rows
    /// kept their label by <paramref name="bounds"/> without running the kernel. Labels, losses and sizes are the same
    /// with or without bounds. The counts are sums of whole numbers, so threads cannot change them either. With
    /// <paramref name="update"/>, each range of blocks (<see cref="KMeansOptions.BytesPerRange"/>) is added to the next
    /// update's sums as soon as its labels are known, while its rows are still in memory.
    /// </summary>
    public (double Loss, long Reassigned, long Skipped) Run(PackedCentroids centroids, ParallelOptions parallel,
        SkipBounds? bounds = null, CentroidUpdate? update = null)
    {
        _reassigned = 0;
        _skipped = 0;
        // Without bounds, the adds that take each range also compute its rows' L2 losses: they hold the row and, going
        // cluster by cluster, its centroid in the nearest cache, where the worker would read both once more.
        bool lossesByAdds = update is not null && bounds is null && _metric == DistanceMetric.L2;
        // Without bounds a row's loss is final with its label (with bounds, kept rows of inner-product metrics are
        // scored later), so the adds can sum the loss in row order as they go.
        bool lossSummedByAdds = update is not null && bounds is null;
        OrderedRangeUpdate? ranges = update is null
            ? null
            : new OrderedRangeUpdate(_sample, _blocks, _blocksPerRange, Labels, update, parallel.CancellationToken, Sizes,
                lossSummedByAdds ? RowLoss : null, lossesByAdds ? new RangeLosses(centroids, RowLoss) : null);
        Func<WorkerScratch> start = () => new WorkerScratch(_blocks.RowsPerBlock, bounds is null ? 0 : _sample.Dimension,
            _kernelScratch.TryTake(out AssignmentKernel.Scratch? kept) ? kept : new AssignmentKernel.Scratch(_blocks.RowsPerBlock));
        Func<long, ParallelLoopState, WorkerScratch, WorkerScratch> assign = (block, state, scratch) =>
        {
            if (parallel.CancellationToken.IsCancellationRequested)
            {
                state.Stop();
                return scratch;
            }
            _blocks.ReadAhead(_sample, block);
            if (bounds is null)
                AssignBlock(block, centroids, scratch, ranges, lossesByAdds);
            else
                AssignBlockSkipping(block, centroids, bounds, scratch, ranges);
            return scratch;
        };
        Action<WorkerScratch> finish = scratch =>
        {
            if (!parallel.CancellationToken.IsCancellationRequested)
            {
                ScorePending(centroids, scratch, ranges);
                ScoreKept(scratch);
            }
            Interlocked.Add(ref _reassigned, scratch.Reassigned);
            Interlocked.Add(ref _skipped, scratch.Skipped);
            _kernelScratch.Add(scratch.Kernel);
        };

        if (ranges is null)
        {
            Parallel.For(0L, _blocks.Count, parallel, start, assign, finish);
        }
        else
        {
            // Workers take blocks one at a time in row order (Parallel.For gives each its own share of the sample), so
            // every range completes soon after it was read, and the disk sees one sequential stream.
            Parallel.ForEach(Partitioner.Create(BlockIndices(), EnumerablePartitionerOptions.NoBuffering), parallel,
                start, assign, finish);
        }
        parallel.CancellationToken.ThrowIfCancellationRequested();
        if (ranges is { Complete: false })
            throw new InvalidOperationException("The assignment pass ended with ranges not yet added to the update.");

        if (ranges is null)
        {
            Array.Clear(Sizes);
            foreach (int label in Labels)
                Sizes[label]++;
        }
        return (lossSummedByAdds ? ranges!.Loss : LossInRowOrder(), _reassigned, _skipped);
    }

    private double LossInRowOrder()
    {
        double loss = 0;
        foreach (float rowLoss in RowLoss)
            loss += rowLoss;
        return loss;
    }

    private IEnumerable<long> BlockIndices()
    {
        for (long block = 0; block < _blocks.Count; block++)
            yield return block;
    }

    // This method and the other per-row ones below are compiled fully optimized from the start: under tiered PGO the
    // code they get depends on what the profile happens to see, so their speed would vary from process to process.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AssignBlock(long block, PackedCentroids centroids, WorkerScratch scratch, OrderedRangeUpdate? ranges,
        bool lossesByAdds)
    {
        int d = _sample.Dimension;
        long first = _blocks.First(block);
        int count = _blocks.Length(block);
        ReadOnlySpan<float> rows = _sample.Rows(first, count);
        AssignmentKernel.Assign(rows, count, centroids, scratch.Labels, scratch.Scores, scratch.Kernel, scoresWanted: !lossesByAdds,
            hints: Labels.AsSpan((int)first, count));
        if (lossesByAdds)
        {
            for (int i = 0; i < count; i++)
                StoreLabel(first + i, scratch.Labels[i], scratch);
        }
        else
        {
            for (int i = 0; i < count; i++)
                Store(first + i, rows.Slice(i * d, d), centroids, scratch.Labels[i], scratch.Scores[i], scratch);
        }
        ranges?.Finished(first, count);
    }

    /// <summary>
    /// Rows whose label the bounds keep get only their loss computed, from the same memory and by the same arithmetic
    /// as plain Lloyd. Every kernel path scores a row the same way whatever rows share its block and wherever the row
    /// lies, so the others are copied into the worker's pending batch and scored together once it is full, across
    /// blocks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AssignBlockSkipping(long block, PackedCentroids centroids, SkipBounds bounds, WorkerScratch scratch,
        OrderedRangeUpdate? ranges)
    {
        int d = _sample.Dimension;
        long first = _blocks.First(block);
        int count = _blocks.Length(block);
        ReadOnlySpan<float> rows = _sample.Rows(first, count);
        int pending = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = rows.Slice(i * d, d);
            int label = Labels[first + i];
            float squaredDistance = SquaredDistance.Of(row, centroids.Plain.Slice(label * d, d));
            if (bounds.KeepsLabel(label, MathF.Sqrt(squaredDistance)))
            {
                scratch.Skipped++;
                if (_metric == DistanceMetric.L2)
                {
                    RowLoss[first + i] = squaredDistance;
                }
                else if (KernelScore.KernelIsTiled)
                {
                    scratch.AddKept(first + i, row, centroids, label);
                    if (scratch.KeptCount == WorkerScratch.KeptGroup)
                        ScoreKept(scratch);
                }
                else
                {
                    RowLoss[first + i] = RowLossOf(KernelScore.Of(row, centroids, label));
                }
            }
            else
            {
                scratch.AddPending(first + i, row, squaredDistance);
                pending++;
                if (scratch.PendingCount == scratch.Capacity)
                    ScorePending(centroids, scratch, ranges);
            }
        }
        // Rows waiting in the pending batch get their labels when it is scored; the batch reports them then.
        ranges?.Finished(first, count - pending);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScorePending(PackedCentroids centroids, WorkerScratch scratch, OrderedRangeUpdate? ranges)
    {
        int pending = scratch.PendingCount;
        if (pending == 0)
            return;
        int d = _sample.Dimension;
        AssignmentKernel.Assign(scratch.PendingRows.AsSpan(0, pending * d), pending, centroids, scratch.Labels, scratch.Scores,
            scratch.Kernel);
        for (int p = 0; p < pending; p++)
        {
            long row = scratch.PendingIndices[p];
            Store(row, _sample.Rows(row, 1), centroids, scratch.Labels[p], scratch.Scores[p], scratch, scratch.PendingSquaredDistances[p]);
        }
        scratch.PendingCount = 0;
        ranges?.Finished(scratch.PendingIndices.AsSpan(0, pending));
    }

    /// <summary>
    /// Losses of kept rows under an inner-product metric: the kernel's score for their centroid, computed four rows at
    /// a time while a full group waits, one at a time for what remains at the end.
    /// </summary>
    private void ScoreKept(WorkerScratch scratch)
    {
        int d = _sample.Dimension;
        int kept = scratch.KeptCount;
        if (kept == WorkerScratch.KeptGroup)
        {
            KernelScore.TiledFour(scratch.KeptRows, scratch.KeptCentroids, scratch.KeptNorms, scratch.KeptScores, d);
        }
        else
        {
            for (int q = 0; q < kept; q++)
                scratch.KeptScores[q] = KernelScore.Tiled(scratch.KeptRows.AsSpan(q * d, d), scratch.KeptCentroids.AsSpan(q * d, d), scratch.KeptNorms[q]);
        }
        for (int q = 0; q < kept; q++)
            RowLoss[scratch.KeptIndices[q]] = RowLossOf(scratch.KeptScores[q]);
        scratch.KeptCount = 0;
    }

    /// <summary>
    /// Records <paramref name="row"/>'s label and loss. <paramref name="x"/> must be the buffer's memory: the L2 loss
    /// is recomputed from it as plain Lloyd does. <paramref name="squaredDistanceToPrevious"/>, when known, is the
    /// row's loss under its previous centroid, which is its loss if the label did not change.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Store(long row, ReadOnlySpan<float> x, PackedCentroids centroids, int label, float score,
        WorkerScratch scratch, float? squaredDistanceToPrevious = null)
    {
        bool unchanged = Labels[row] == label;
        StoreLabel(row, label, scratch);
        if (_metric != DistanceMetric.L2)
        {
            RowLoss[row] = RowLossOf(score);
            return;
        }
        // L2 recomputes ‖x − c‖² directly, as RowLoss does: the kernel's expanded form loses digits to cancellation
        // when x is near c.
        RowLoss[row] = unchanged && squaredDistanceToPrevious is float known
            ? known
            : SquaredDistance.Of(x, centroids.Plain.Slice(label * _sample.Dimension, _sample.Dimension));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StoreLabel(long row, int label, WorkerScratch scratch)
    {
        if (Labels[row] != label)
        {
            scratch.Reassigned++;
            Labels[row] = label;
        }
    }

    /// <summary>For the inner-product metrics the kernel's score is −2·x·c exactly as needed.</summary>
    private float RowLossOf(float score) =>
        _metric == DistanceMetric.Cosine ? Math.Max(0f, 1f + score / 2f) : score / 2f;

    /// <summary>
    /// One worker's kernel scratch, counts, and (with bounds) its batch of rows still to be scored.
    /// </summary>
    private sealed class WorkerScratch(int rows, int dimension, AssignmentKernel.Scratch kernel)
    {
        public int Capacity => rows;

        public int[] Labels { get; } = new int[rows];

        public float[] Scores { get; } = new float[rows];

        public AssignmentKernel.Scratch Kernel { get; } = kernel;

        public long Reassigned { get; set; }

        public long Skipped { get; set; }

        public int PendingCount { get; set; }

        public long[] PendingIndices { get; } = new long[dimension == 0 ? 0 : rows];

        /// <summary>Each pending row's squared distance to its previous centroid, whose root the bound test saw.</summary>
        public float[] PendingSquaredDistances { get; } = new float[dimension == 0 ? 0 : rows];

        public float[] PendingRows { get; } = new float[rows * dimension];

        public const int KeptGroup = 4;

        public int KeptCount { get; set; }

        public long[] KeptIndices { get; } = new long[KeptGroup];

        public float[] KeptRows { get; } = new float[KeptGroup * dimension];

        public float[] KeptCentroids { get; } = new float[KeptGroup * dimension];

        public float[] KeptNorms { get; } = new float[KeptGroup];

        public float[] KeptScores { get; } = new float[KeptGroup];

        public unsafe void AddKept(long index, ReadOnlySpan<float> row, PackedCentroids centroids, int label)
        {
            KeptIndices[KeptCount] = index;
            // As the kernel takes it: less the offset where the centroids were packed with one.
            centroids.RowsRelative(row, 1).CopyTo(KeptRows.AsSpan(KeptCount * dimension, dimension));
            centroids.CopyScored(label, KeptCentroids.AsSpan(KeptCount * dimension, dimension));
            KeptNorms[KeptCount] = centroids.Norms[label];
            KeptCount++;
        }

        public void AddPending(long index, ReadOnlySpan<float> row, float squaredDistance)
        {
            PendingIndices[PendingCount] = index;
            PendingSquaredDistances[PendingCount] = squaredDistance;
            row.CopyTo(PendingRows.AsSpan(PendingCount * dimension, dimension));
            PendingCount++;
        }
    }
}
