using System.Numerics.Tensors;
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
    private readonly long[] _reassignedPerBlock;
    private readonly int[] _skippedPerBlock;

    public Assignment(TrainingBuffer sample, int k, DistanceMetric metric, int rowsPerBlock)
    {
        _sample = sample;
        _metric = metric;
        _blocks = new RowBlocks(sample.RowCount, Math.Min(rowsPerBlock, sample.MaxRowsPerBlock));
        _reassignedPerBlock = new long[_blocks.Count];
        _skippedPerBlock = new int[_blocks.Count];
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
    /// with or without bounds.
    /// </summary>
    public (double Loss, long Reassigned, long Skipped) Run(PackedCentroids centroids, ParallelOptions parallel,
        SkipBounds? bounds = null)
    {
        int d = _sample.Dimension;
        Parallel.For(0L, _blocks.Count, parallel,
            () => new BlockScratch(_blocks.RowsPerBlock, bounds is null ? 0 : d),
            (block, state, scratch) =>
            {
                if (parallel.CancellationToken.IsCancellationRequested)
                {
                    state.Stop();
                    return scratch;
                }
                if (bounds is null)
                    AssignBlock(block, centroids, scratch);
                else
                    AssignBlockSkipping(block, centroids, bounds, scratch);
                return scratch;
            },
            _ => { });
        parallel.CancellationToken.ThrowIfCancellationRequested();

        double loss = 0;
        foreach (float rowLoss in RowLoss)
            loss += rowLoss;
        Array.Clear(Sizes);
        foreach (int label in Labels)
            Sizes[label]++;
        long totalReassigned = 0;
        foreach (long reassigned in _reassignedPerBlock)
            totalReassigned += reassigned;
        long totalSkipped = 0;
        foreach (int skipped in _skippedPerBlock)
            totalSkipped += skipped;
        return (loss, totalReassigned, totalSkipped);
    }

    private void AssignBlock(long block, PackedCentroids centroids, BlockScratch scratch)
    {
        long first = _blocks.First(block);
        int count = _blocks.Length(block);
        ReadOnlySpan<float> rows = _sample.Rows(first, count);
        AssignmentKernel.Assign(rows, count, centroids, scratch.Labels, scratch.Scores, scratch.Kernel);
        long reassigned = 0;
        for (int i = 0; i < count; i++)
            reassigned += Store(first, rows, i, centroids, scratch.Labels[i], scratch.Scores[i]);
        _reassignedPerBlock[block] = reassigned;
        _skippedPerBlock[block] = 0;
    }

    /// <summary>
    /// Rows whose label the bounds keep get only their loss computed, from the same memory and by the same arithmetic
    /// as plain Lloyd; the others run through the kernel together, as a compact block.
    /// </summary>
    private void AssignBlockSkipping(long block, PackedCentroids centroids, SkipBounds bounds, BlockScratch scratch)
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
            float distance = TensorPrimitives.Distance(row, centroids.Plain.AsSpan(label * d, d));
            if (bounds.KeepsLabel(label, distance))
            {
                RowLoss[first + i] = _metric == DistanceMetric.L2 ? distance * distance : RowLossOf(KernelScore.Of(row, centroids, label));
            }
            else
            {
                scratch.PendingDistances[pending] = distance;
                scratch.Pending[pending++] = i;
            }
        }
        ScorePending(rows, count, pending, centroids, scratch);
        long reassigned = 0;
        for (int p = 0; p < pending; p++)
        {
            int i = scratch.Pending[p];
            int label = scratch.Labels[p];
            // A row the kernel leaves where it was already has the distance its L2 loss needs.
            if (_metric == DistanceMetric.L2 && label == Labels[first + i])
                RowLoss[first + i] = scratch.PendingDistances[p] * scratch.PendingDistances[p];
            else
                reassigned += Store(first, rows, i, centroids, label, scratch.Scores[p]);
        }
        _reassignedPerBlock[block] = reassigned;
        _skippedPerBlock[block] = count - pending;
    }

    /// <summary>
    /// The tiled kernel scores a row the same way whatever rows share its block, so pending rows are copied together.
    /// The portable kernel's dot product depends on the row's address, so there each row is scored where it lies.
    /// When no row was kept, the block is scored in place, exactly as without bounds.
    /// </summary>
    private void ScorePending(ReadOnlySpan<float> rows, int count, int pending, PackedCentroids centroids, BlockScratch scratch)
    {
        int d = _sample.Dimension;
        if (pending == count)
        {
            AssignmentKernel.Assign(rows, count, centroids, scratch.Labels, scratch.Scores, scratch.Kernel);
            return;
        }
        if (KernelScore.KernelIsTiled)
        {
            for (int p = 0; p < pending; p++)
                rows.Slice(scratch.Pending[p] * d, d).CopyTo(scratch.Gathered.AsSpan(p * d, d));
            if (pending > 0)
                AssignmentKernel.Assign(scratch.Gathered.AsSpan(0, pending * d), pending, centroids, scratch.Labels, scratch.Scores, scratch.Kernel);
            return;
        }
        for (int p = 0; p < pending; p++)
        {
            AssignmentKernel.Assign(rows.Slice(scratch.Pending[p] * d, d), 1, centroids, scratch.Labels.AsSpan(p, 1),
                scratch.Scores.AsSpan(p, 1), scratch.Kernel);
        }
    }

    /// <summary>Records row <paramref name="i"/> of the block at <paramref name="first"/>; 1 if its label changed.</summary>
    private int Store(long first, ReadOnlySpan<float> rows, int i, PackedCentroids centroids, int label, float score)
    {
        int d = _sample.Dimension;
        int changed = Labels[first + i] != label ? 1 : 0;
        Labels[first + i] = label;
        RowLoss[first + i] = _metric == DistanceMetric.L2
            ? SquaredDistance(rows.Slice(i * d, d), centroids.Plain.AsSpan(label * d, d))
            : RowLossOf(score);
        return changed;
    }

    /// <summary>
    /// L2 recomputes ‖x − c‖² directly: the kernel's expanded form loses digits to cancellation when x is near c.
    /// Rows kept by the bounds reuse the distance they were tested with, which is this same value.
    /// </summary>
    private static float SquaredDistance(ReadOnlySpan<float> row, ReadOnlySpan<float> centroid)
    {
        float distance = TensorPrimitives.Distance(row, centroid);
        return distance * distance;
    }

    /// <summary>For the inner-product metrics the kernel's score is −2·x·c exactly as needed.</summary>
    private float RowLossOf(float score) =>
        _metric == DistanceMetric.Cosine ? Math.Max(0f, 1f + score / 2f) : score / 2f;

    private sealed class BlockScratch(int rows, int dimension)
    {
        public int[] Labels { get; } = new int[rows];

        public float[] Scores { get; } = new float[rows];

        public AssignmentKernel.Scratch Kernel { get; } = new(rows);

        /// <summary>Rows of the block (offsets) that the bounds could not keep; unused without bounds.</summary>
        public int[] Pending { get; } = new int[dimension == 0 ? 0 : rows];

        /// <summary>Each pending row's float distance to its previous centroid, as the bound test saw it.</summary>
        public float[] PendingDistances { get; } = new float[dimension == 0 ? 0 : rows];

        /// <summary>The pending rows copied together for the kernel; unused without bounds.</summary>
        public float[] Gathered { get; } = new float[rows * dimension];
    }
}
