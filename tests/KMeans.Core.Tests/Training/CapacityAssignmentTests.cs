using KMeans.Core.Training.Balancing;

namespace KMeans.Core.Tests.Training;

/// <summary>
/// Rows whose candidates are all full take the nearest partition with room: first from a wider list drawn from the
/// partitions with room, then, when the rows placed before them filled that list too, from the costs to every partition.
/// </summary>
public sealed class CapacityAssignmentTests
{
    [Fact]
    public void WaitingRowsTakeTheWiderListAndThenAnyPartitionWithRoom()
    {
        const int k = 4;
        const int rows = 8;
        SizeBounds bounds = SizeBounds.For(rows, k, 1.0, null);
        Assert.Equal(2, bounds.Max);
        int[] candidates = new int[rows];
        float[] costs = Enumerable.Range(0, rows).Select(row => 1f + row / 100f).ToArray();
        var widerCalls = new List<(int[] Rows, int Width, int[] Open)>();
        (int[] Ids, float[] Costs) Wider(int[] waiting, int width, int[] open)
        {
            widerCalls.Add((waiting, width, open));
            int[] ids = waiting.SelectMany(_ => open.Take(width)).ToArray();
            float[] widerCosts = waiting.SelectMany(_ => open.Take(width).Select(c => 2f + c)).ToArray();
            return (ids, widerCosts);
        }
        var allCostRows = new List<int>();
        void AllCosts(int row, Span<float> all)
        {
            allCostRows.Add(row);
            for (int c = 0; c < all.Length; c++)
                all[c] = 2f + c;
        }
        var labels = new int[rows];
        var sizes = new long[k];

        new CapacityAssignment(k, 1, bounds).Assign(candidates, costs, labels, sizes, Wider, AllCosts, (_, c) => 2f + c);

        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3], labels);
        Assert.Equal([2L, 2, 2, 2], sizes);
        (int[] waitingRows, int width, int[] openPartitions) = Assert.Single(widerCalls);
        Assert.Equal([2, 3, 4, 5, 6, 7], waitingRows);
        Assert.Equal([1, 2, 3], openPartitions);
        Assert.Equal(CapacityAssignment.Widening, width);
        Assert.Equal([6, 7], allCostRows);
    }
}
