using KMeans.Core.Buffers;
using KMeans.Core.Distance;

namespace KMeans.Core.Training;

/// <summary>
/// Each sample row's leaf in a trained tree: the nearest centroid among those of its node, the node being the one its
/// nearest top-level centroid sends it to (<see cref="TreeSplit"/>). Costs FanOut + K / FanOut distances per row where
/// the nearest of all K costs K: at K = 65,536 and a fan-out of 16, 4,112 instead of 65,536. Rows are scored by the
/// training kernel, in blocks of one node's rows, so a row's leaf depends neither on the blocks nor on the threads.
/// </summary>
internal static class TreeLeaves
{
    public static (int[] Labels, long[] Sizes) Of(TrainingBuffer sample, TreeSplit split, float[] centroids, int k,
        DistanceMetric metric, KMeansOptions options, ParallelOptions parallel)
    {
        int d = sample.Dimension;
        int rows = checked((int)sample.RowCount);
        var top = new Assignment(sample, split.FanOut, metric, options.RowsPerBlock, options.BytesPerRange);
        using (var packedTop = new PackedCentroids(split.FanOut, d))
        {
            packedTop.Pack(split.TopCentroids, metric);
            top.Run(packedTop, parallel);
        }

        // The rows of each node, in row order (a stable counting sort).
        var nodeStarts = new int[split.FanOut + 1];
        foreach (int label in top.Labels)
            nodeStarts[split.NodeOf[label] + 1]++;
        for (int node = 0; node < split.FanOut; node++)
            nodeStarts[node + 1] += nodeStarts[node];
        var rowsByNode = new int[rows];
        int[] next = nodeStarts[..^1];
        for (int row = 0; row < rows; row++)
            rowsByNode[next[split.NodeOf[top.Labels[row]]]++] = row;

        int blockRows = Math.Min(options.RowsPerBlock, sample.MaxRowsPerBlock);
        var work = new List<(int Node, int First, int Count)>();
        for (int node = 0; node < split.FanOut; node++)
        {
            for (int first = nodeStarts[node]; first < nodeStarts[node + 1]; first += blockRows)
                work.Add((node, first, Math.Min(blockRows, nodeStarts[node + 1] - first)));
        }
        var packed = new PackedCentroids?[split.FanOut];
        try
        {
            for (int node = 0; node < split.FanOut; node++)
            {
                if (split.Shares[node] == 0 || nodeStarts[node] == nodeStarts[node + 1])
                    continue;
                packed[node] = new PackedCentroids(split.Shares[node], d);
                packed[node]!.Pack(centroids.AsSpan(split.Offsets[node] * d, split.Shares[node] * d), metric);
            }
            var labels = new int[rows];
            Parallel.For(0, work.Count, parallel,
                () => new BlockScratch(blockRows, d),
                (item, _, scratch) =>
                {
                    (int node, int first, int count) = work[item];
                    for (int i = 0; i < count; i++)
                        sample.Rows(rowsByNode[first + i], 1).CopyTo(scratch.Rows.AsSpan(i * d, d));
                    AssignmentKernel.Assign(scratch.Rows.AsSpan(0, count * d), count, packed[node]!, scratch.Labels,
                        scratch.Scores, scratch.Kernel);
                    for (int i = 0; i < count; i++)
                        labels[rowsByNode[first + i]] = split.Offsets[node] + scratch.Labels[i];
                    return scratch;
                },
                _ => { });
            var sizes = new long[k];
            foreach (int label in labels)
                sizes[label]++;
            return (labels, sizes);
        }
        finally
        {
            foreach (PackedCentroids? pack in packed)
                pack?.Dispose();
        }
    }

    private sealed class BlockScratch(int rows, int dimension)
    {
        public float[] Rows { get; } = new float[rows * dimension];

        public int[] Labels { get; } = new int[rows];

        public float[] Scores { get; } = new float[rows];

        public AssignmentKernel.Scratch Kernel { get; } = new(rows);
    }
}
