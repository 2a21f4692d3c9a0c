using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

public class NodeBatchesTests
{
    private static readonly int[] Nodes = [3, 0, 2, 1, 4];
    private static readonly long[] Sizes = [40, 10, 30, 50, 20];

    [Fact]
    public void InMemoryPassesHoldAsManyNodesAsTrainAtOnceInTheirOrder()
    {
        List<int[]> batches = NodeBatches.InMemory(Nodes, nodesPerPass: 2);

        Assert.Equal([[3, 0], [2, 1], [4]], batches);
    }

    [Fact]
    public void OnDiskALevelWhoseFilesFitTheBudgetIsGatheredInOnePass()
    {
        // 150 rows of 8 bytes.
        List<int[]> batches = NodeBatches.OnDisk(Nodes, Sizes, bytesPerRow: 8, budgetBytes: 150 * 8);

        Assert.Equal([Nodes], batches);
    }

    [Fact]
    public void OnDiskAShortBudgetTakesMorePassesEachWithinItAndEveryNodeOnce()
    {
        List<int[]> batches = NodeBatches.OnDisk(Nodes, Sizes, bytesPerRow: 8, budgetBytes: 80 * 8);

        Assert.Equal([[3], [0, 2, 1], [4]], batches);
        Assert.Equal(Nodes, batches.SelectMany(b => b));
        Assert.All(batches, b => Assert.True(b.Sum(node => Sizes[node]) * 8 <= 80 * 8));
    }

    [Fact]
    public void OnDiskANodeLargerThanTheBudgetHasAPassOfItsOwn()
    {
        List<int[]> batches = NodeBatches.OnDisk(Nodes, Sizes, bytesPerRow: 8, budgetBytes: 35 * 8);

        Assert.Equal([[3], [0], [2], [1, 4]], batches);
    }

    [Theory]
    [InlineData(800_000, 9_000_000, 1L << 30, true)]
    [InlineData(800_000, 200_000, 1L << 30, false)]
    [InlineData(800_000, 200_000, 500_000, true)]
    [InlineData(800_000, 800_000, 1L << 30, true)]
    public void ANodeTheFreeSpaceCannotHoldIsGatheredInMemoryWhereItFits(long bytes, long free, long memory, bool onDisk)
    {
        // The third case fits neither: it stays on disk, whose buffer then says the free space is short.
        Assert.Equal(onDisk, NodeGathering.OnDisk(bytes, free, memory));
    }
}
