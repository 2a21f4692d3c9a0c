using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>One assignment of every row by the kernel alone, over the trainer's fixed block partition.</summary>
internal sealed class KernelPass(float[] rows, Workload workload, PackedCentroids centroids)
{
    private readonly RowBlocks _blocks = new(workload.Rows, KMeansOptions.DefaultRowsPerBlock);
    private readonly float[] _scores = new float[workload.Rows];

    public int[] Labels { get; } = new int[workload.Rows];

    /// <summary>Assigns every row; <paramref name="portable"/> runs the per-pair fallback instead of the tiles.</summary>
    public void Run(int threads, bool portable = false)
    {
        if (threads == 1)
        {
            var scratch = new AssignmentKernel.Scratch(_blocks.RowsPerBlock);
            for (long block = 0; block < _blocks.Count; block++)
                Assign(block, scratch, portable);
            return;
        }
        Parallel.For(0L, _blocks.Count, new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => new AssignmentKernel.Scratch(_blocks.RowsPerBlock),
            (block, _, scratch) =>
            {
                Assign(block, scratch, portable);
                return scratch;
            },
            _ => { });
    }

    private void Assign(long block, AssignmentKernel.Scratch scratch, bool portable)
    {
        int first = (int)_blocks.First(block);
        int count = _blocks.Length(block);
        int d = workload.Dimension;
        ReadOnlySpan<float> blockRows = rows.AsSpan(first * d, count * d);
        if (portable)
            AssignmentKernel.AssignPortable(blockRows, count, centroids, Labels.AsSpan(first, count), _scores.AsSpan(first, count));
        else
            AssignmentKernel.Assign(blockRows, count, centroids, Labels.AsSpan(first, count), _scores.AsSpan(first, count), scratch);
    }
}
