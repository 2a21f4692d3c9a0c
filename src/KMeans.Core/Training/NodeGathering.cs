using KMeans.Core.Buffers;
using KMeans.Core.Sampling;

namespace KMeans.Core.Training;

/// <summary>
/// Copies the rows of several tree nodes out of their parent's buffer in one sequential pass: each node gets a child
/// buffer of the parent's kind (an on-disk parent keeps its children on disk) holding its rows in the parent's order,
/// so a child holds the same bytes however many nodes share the pass.
/// </summary>
internal static class NodeGathering
{
    /// <summary>The writers of one pass stage at most this much together (a level's 16 children: 256 KiB each).</summary>
    private const int StagingBytesPerPass = 4 << 20;

    /// <summary>
    /// The child buffers of <paramref name="nodes"/>, in that order, from one pass over <paramref name="parent"/>;
    /// <paramref name="labels"/> gives each parent row's node and <paramref name="sizes"/> each node's row count.
    /// </summary>
    public static TrainingBuffer[] Gather(TrainingBuffer parent, int[] labels, IReadOnlyList<int> nodes, long[] sizes,
        KMeansOptions options, CancellationToken cancellationToken)
    {
        int d = parent.Dimension;
        var childOf = new int[sizes.Length];
        Array.Fill(childOf, -1);
        var children = new TrainingBuffer[nodes.Count];
        try
        {
            var writers = new SampleWriter[nodes.Count];
            var written = new long[nodes.Count];
            int stagingBytes = Math.Min(SampleWriter.DefaultStagingBytes, StagingBytesPerPass / nodes.Count);
            for (int child = 0; child < nodes.Count; child++)
            {
                childOf[nodes[child]] = child;
                children[child] = TrainingBuffer.Create(parent.IsOnDisk, sizes[nodes[child]], d, options.EffectiveTempDirectory);
                writers[child] = new SampleWriter(children[child],
                    (int)Math.Min(stagingBytes, children[child].ByteCount(sizes[nodes[child]])));
            }
            var blocks = new RowBlocks(parent.RowCount, Math.Min(options.RowsPerBlock, parent.MaxRowsPerBlock));
            for (long block = 0; block < blocks.Count; block++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                blocks.ReadAhead(parent, block);
                long first = blocks.First(block);
                int count = blocks.Length(block);
                ReadOnlySpan<float> values = parent.Rows(first, count);
                for (int i = 0; i < count; i++)
                {
                    int child = childOf[labels[first + i]];
                    if (child >= 0)
                        writers[child].Write(written[child]++, values.Slice(i * d, d));
                }
            }
            for (int child = 0; child < nodes.Count; child++)
            {
                writers[child].Flush();
                children[child].Seal(written[child]);
            }
            return children;
        }
        catch
        {
            foreach (TrainingBuffer? child in children)
                child?.Dispose();
            throw;
        }
    }
}
