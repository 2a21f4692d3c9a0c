using KMeans.Core.Buffers;
using KMeans.Core.Planning;
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
                children[child] = NodeBuffer(parent, sizes[nodes[child]], options.EffectiveTempDirectory);
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

    /// <summary>Whether a node of an on-disk sample goes on disk: unless only memory has room for it.</summary>
    internal static bool OnDisk(long bytes, long freeBytes, long availableMemory) => !(bytes > freeBytes && bytes <= availableMemory);

    /// <summary>
    /// A node's buffer, on disk as its parent's. A node whose file the temporary directory can no longer hold (the
    /// sample took the room) is gathered in memory where it fits there: both buffers give the same rows to the same
    /// code, so the centroids are the same. One that fits neither stops the training, saying so.
    /// </summary>
    private static TrainingBuffer NodeBuffer(TrainingBuffer parent, long rows, string directory)
    {
        long bytes = parent.ByteCount(rows);
        bool onDisk = parent.IsOnDisk && OnDisk(bytes, FreeSpace.Bytes(directory), AvailableMemory.Bytes());
        try
        {
            return TrainingBuffer.Create(onDisk, rows, parent.Dimension, directory);
        }
        catch (KMeansException e) when (e.Kind == KMeansErrorKind.InsufficientDiskSpace)
        {
            throw new KMeansException(KMeansErrorKind.InsufficientDiskSpace,
                new OptionMessage($"A node of the hierarchical tree needs {bytes:N0} bytes in '{OptionMessage.Literal(directory)}' beside the on-disk sample, " +
                    $"but only {FreeSpace.Bytes(directory):N0} bytes are free, and it does not fit in memory either. Choose another {{0}} with room for the sample and its largest node, or a smaller {{1}} or K.",
                    KMeansOption.TempDirectory, KMeansOption.SampleRate),
                directory, e);
        }
    }
}
