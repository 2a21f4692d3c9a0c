namespace KMeans.Core.Training;

/// <summary>
/// Splits the nodes of a tree level, in gathering order, into the batches that one gathering pass each fills
/// (<see cref="NodeGathering"/>). Every node is in exactly one batch, batches keep the nodes' order, and a batch holds
/// at least one node.
/// </summary>
internal static class NodeBatches
{
    /// <summary>
    /// The share of the temporary directory's free space that the node files of one pass may take; the rest stays free
    /// for the levels below (whose files replace their parent's only once gathered) and for other programs.
    /// </summary>
    public const double FreeSpaceShare = 0.5;

    /// <summary>In memory: as many nodes per pass as train at once, so no more children are alive than threads.</summary>
    public static List<int[]> InMemory(IReadOnlyList<int> nodes, int nodesPerPass)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodesPerPass, 1);
        var batches = new List<int[]>();
        for (int first = 0; first < nodes.Count; first += nodesPerPass)
            batches.Add(nodes.Skip(first).Take(nodesPerPass).ToArray());
        return batches;
    }

    /// <summary>
    /// On disk: as many consecutive nodes as fit in <paramref name="budgetBytes"/> of node files
    /// (<paramref name="sizes"/> rows of <paramref name="bytesPerRow"/> each), usually the whole level in one pass; a
    /// node larger than the budget has a pass of its own. So a tree never needs more free space than a flat run to
    /// start, and reads its parent as few times as the free space allows.
    /// </summary>
    public static List<int[]> OnDisk(IReadOnlyList<int> nodes, long[] sizes, long bytesPerRow, long budgetBytes)
    {
        var batches = new List<int[]>();
        var batch = new List<int>();
        long batchBytes = 0;
        foreach (int node in nodes)
        {
            long bytes = sizes[node] * bytesPerRow;
            if (batch.Count > 0 && batchBytes + bytes > budgetBytes)
            {
                batches.Add([.. batch]);
                batch.Clear();
                batchBytes = 0;
            }
            batch.Add(node);
            batchBytes += bytes;
        }
        if (batch.Count > 0)
            batches.Add([.. batch]);
        return batches;
    }
}
