using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>One assignment of every row by the kernel alone, over the trainer's fixed block partition.</summary>
internal sealed class KernelPass(float[] rows, Workload workload, PackedCentroids centroids)
{
    private readonly RowBlocks _blocks = new(workload.Rows, KMeansOptions.DefaultRowsPerBlock);
    private readonly float[] _scores = new float[workload.Rows];

    public int[] Labels { get; } = new int[workload.Rows];

    public void Run(int threads)
    {
        if (threads == 1)
        {
            var scratch = new AssignmentKernel.Scratch(_blocks.RowsPerBlock);
            for (long block = 0; block < _blocks.Count; block++)
                Assign(block, scratch);
            return;
        }
        Parallel.For(0L, _blocks.Count, new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => new AssignmentKernel.Scratch(_blocks.RowsPerBlock),
            (block, _, scratch) =>
            {
                Assign(block, scratch);
                return scratch;
            },
            _ => { });
    }

    private void Assign(long block, AssignmentKernel.Scratch scratch)
    {
        int first = (int)_blocks.First(block);
        int count = _blocks.Length(block);
        int d = workload.Dimension;
        AssignmentKernel.Assign(rows.AsSpan(first * d, count * d), count, centroids, Labels.AsSpan(first, count),
            _scores.AsSpan(first, count), scratch);
    }
}
