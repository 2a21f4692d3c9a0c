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
        // Centroids about the origin (no common offset): a zero coordinate is pushed by the centroid's mean magnitude.
        float[] centroids = [4f, 0f, 2f, 2f, -3f, -1f];
        long[] sizes = [9, 0, 1];

        int repaired = EmptyClusterRepair.Repair(centroids, sizes, dimension: 2, DistanceMetric.L2);

        Assert.Equal(1, repaired);
        Assert.Equal([4f - 4f / 1024, 0f + 2f / 1024, 4f + 4f / 1024, 0f - 2f / 1024, -3f, -1f], centroids);
        Assert.Equal([5L, 4L, 1L], sizes);
    }

    /// <summary>
    /// Far from the origin the push is relative to the centroids' common offset, so the split is the one at the
    /// origin, moved: relative to the origin, 1e4 ± 1 centroids moved about 10 per coordinate, beyond every row.
    /// </summary>
    [Fact]
    public void TheSplitFarFromTheOriginIsTheSplitAtTheOriginMoved()
    {
        const float shift = 10_000f;
        float[] near = [4f, 0f, 2f, 2f, -3f, -1f];
        float[] far = near.Select(value => value + shift).ToArray();

        EmptyClusterRepair.Repair(near, [9, 0, 1], dimension: 2, DistanceMetric.L2);
        EmptyClusterRepair.Repair(far, [9, 0, 1], dimension: 2, DistanceMetric.L2);

        for (int i = 0; i < near.Length; i++)
            Assert.Equal(near[i] + shift, far[i], 0.002f);
    }

    /// <summary>
    /// Identical centroids far from the origin (the offset is the centroid itself, and 1/1024 of anything near it is
    /// below float's resolution at 2e4 or 1e5): the split still gives distinct centroids.
    /// </summary>
    [Theory]
    [InlineData(20_001f)]
    [InlineData(100_000f)]
    public void IdenticalCentroidsFarFromTheOriginSplitIntoDistinctOnes(float at)
    {
        float[] centroids = Enumerable.Repeat(at, 3 * 4).ToArray();

        EmptyClusterRepair.Repair(centroids, [9, 0, 0], dimension: 4, DistanceMetric.L2);

        float[][] split = centroids.Chunk(4).ToArray();
        Assert.Equal(3, split.Select(centroid => string.Join(",", centroid)).Distinct().Count());
    }

    /// <summary>
    /// Training that starts with duplicated centroids on blobs 1e4 from the origin repairs its empty clusters at least
    /// as well as about the origin: a helper found 14 of 20 clusters left empty there, the loss five times that at the
    /// origin.
    /// </summary>
    [Fact]
    public void DuplicatedStartingCentroidsFarFromTheOriginEndAsAtTheOrigin()
    {
        // Blobs centred on the origin (their centres in [−50, 50)), so that there they have no common offset.
        float[][] Shifted(float[][] vectors, float by) => vectors.Select(row => row.Select(v => v + by).ToArray()).ToArray();
        (float[][] blobs, float[][] centres) = TestData.Blobs(20, 200, 16, 1.0, seed: 5);
        float[][] near = Shifted(blobs, -50f);
        float[][] start = Shifted(Enumerable.Range(0, 20).Select(c => centres[c / 4 * 4]).ToArray(), -50f);
        var options = new KMeansOptions { K = 20, MaxIterations = 50, Tolerance = 0 };

        KMeansResult atOrigin = KMeansTrainer.Train(TestData.Source(near), options with { InitialCentroids = start });
        KMeansResult far = KMeansTrainer.Train(TestData.Source(Shifted(near, 10_000f)), options with { InitialCentroids = Shifted(start, 10_000f) });

        Assert.Equal(0, far.EmptyClusters);
        Assert.InRange(far.Loss, 0, 1.02 * atOrigin.Loss);
    }
}
