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

    public Assignment(TrainingBuffer sample, int k, DistanceMetric metric, int rowsPerBlock)
    {
        _sample = sample;
        _metric = metric;
        _blocks = new RowBlocks(sample.RowCount, Math.Min(rowsPerBlock, sample.MaxRowsPerBlock));
        _reassignedPerBlock = new long[_blocks.Count];
        Labels = new int[sample.RowCount];
        RowLoss = new float[sample.RowCount];
        Sizes = new long[k];
    }

    public int[] Labels { get; }

    public float[] RowLoss { get; }

    public long[] Sizes { get; }

    public RowBlocks Blocks => _blocks;

    /// <summary>Assigns every row to <paramref name="centroids"/>; returns the loss and how many labels changed.</summary>
    public (double Loss, long Reassigned) Run(PackedCentroids centroids, ParallelOptions parallel)
    {
        int d = _sample.Dimension;
        Parallel.For(0L, _blocks.Count, parallel,
            () => new BlockScratch(_blocks.RowsPerBlock),
            (block, state, scratch) =>
            {
                if (parallel.CancellationToken.IsCancellationRequested)
                {
                    state.Stop();
                    return scratch;
                }
                long first = _blocks.First(block);
                int count = _blocks.Length(block);
                ReadOnlySpan<float> rows = _sample.Rows(first, count);
                AssignmentKernel.Assign(rows, count, centroids, scratch.Labels, scratch.Scores, scratch.Kernel);
                long reassigned = 0;
                for (int i = 0; i < count; i++)
                {
                    int label = scratch.Labels[i];
                    if (Labels[first + i] != label)
                        reassigned++;
                    Labels[first + i] = label;
                    RowLoss[first + i] = RowLossOf(rows.Slice(i * d, d), centroids.Plain.AsSpan(label * d, d), scratch.Scores[i]);
                }
                _reassignedPerBlock[block] = reassigned;
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
        return (loss, totalReassigned);
    }

    /// <summary>
    /// L2 recomputes ‖x − c‖² directly: the kernel's expanded form loses digits to cancellation when x is near c.
    /// For the inner-product metrics the kernel's score is −2·x·c exactly as needed.
    /// </summary>
    private float RowLossOf(ReadOnlySpan<float> row, ReadOnlySpan<float> centroid, float score)
    {
        switch (_metric)
        {
            case DistanceMetric.L2:
                float distance = TensorPrimitives.Distance(row, centroid);
                return distance * distance;
            case DistanceMetric.Cosine:
                return Math.Max(0f, 1f + score / 2f);
            default:
                return score / 2f;
        }
    }

    private sealed class BlockScratch(int rows)
    {
        public int[] Labels { get; } = new int[rows];

        public float[] Scores { get; } = new float[rows];

        public AssignmentKernel.Scratch Kernel { get; } = new(rows);
    }
}
