using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

public class EmptyClusterRepairTests
{
    [Fact]
    public void AnEmptyClusterIsRepairedBySplittingTheLargestAndTheRepairIsCounted()
    {
        // Two tight groups; the initial centroids put two centroids on the first group and one far away from all rows.
        var rows = new List<float[]>();
        for (int i = 0; i < 60; i++)
            rows.Add([i % 3 * 0.01f, 0f]);
        for (int i = 0; i < 30; i++)
            rows.Add([10f + i % 3 * 0.01f, 10f]);
        float[][] start = [[0f, 0f], [10f, 10f], [1000f, -1000f]];

        KMeansResult result = KMeansTrainer.Train(new InMemoryVectorSource(rows),
            new KMeansOptions { K = 3, InitialCentroids = start, MaxIterations = 5, Tolerance = 0 });

        Assert.Equal(1, result.History[0].RepairedClusters);
        Assert.Equal(0, result.EmptyClusters);
        Assert.Equal(90, result.ClusterSizes.Sum());
        Assert.All(result.ClusterSizes, size => Assert.True(size > 0));
    }

    [Fact]
    public void SplitPushesTheTwoCentroidsApartSymmetrically()
    {
        float[] centroids = [4f, 0f, 2f, 2f];
        long[] sizes = [9, 0];

        int repaired = EmptyClusterRepair.Repair(centroids, sizes, dimension: 2, DistanceMetric.L2);

        Assert.Equal(1, repaired);
        Assert.Equal([4f - 4f / 1024, 0f + 2f / 1024, 4f + 4f / 1024, 0f - 2f / 1024], centroids);
        Assert.Equal([5L, 4L], sizes);
    }
}
