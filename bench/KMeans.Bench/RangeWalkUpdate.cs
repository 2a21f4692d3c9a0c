using KMeans.Core.Buffers;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// The update step as the trainer took it before each thread got a list of its own rows, kept here only as the baseline of the
/// <c>update</c> scenario: threads split the centroids, and each walks every row in order, adding only its own
/// centroids' rows (Lance's scheme). Same sums, same order per cluster, so the same bits as <c>CentroidUpdate</c>.
/// </summary>
internal sealed class RangeWalkUpdate(int k, int dimension)
{
    private readonly double[] _sums = new double[(long)k * dimension];

    public void Run(TrainingBuffer sample, RowBlocks blocks, int[] labels, long[] sizes, float[] centroids, ParallelOptions parallel)
    {
        Array.Clear(_sums);
        int parts = Math.Min(k, parallel.MaxDegreeOfParallelism);
        Parallel.For(0, parts, parallel, part =>
            AddRows(sample, blocks, labels, (int)((long)k * part / parts), (int)((long)k * (part + 1) / parts)));
        for (int c = 0; c < k; c++)
        {
            if (sizes[c] == 0)
                continue;
            for (int j = 0; j < dimension; j++)
                centroids[c * dimension + j] = (float)(_sums[c * dimension + j] / sizes[c]);
        }
    }

    private void AddRows(TrainingBuffer sample, RowBlocks blocks, int[] labels, int low, int high)
    {
        for (long block = 0; block < blocks.Count; block++)
        {
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
    }
}
