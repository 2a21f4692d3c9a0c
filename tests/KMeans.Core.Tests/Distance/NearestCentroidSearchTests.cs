using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Distance;

public class NearestCentroidSearchTests
{
    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Dot)]
    public void AssigningTheSampleReproducesTheTrainedSizesAndLoss(DistanceMetric metric)
    {
        float[][] rows = TestData.Uniform(rows: 700, dimension: 9, seed: 5);
        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions { K = 7, Seed = 3, Distance = metric, MaxIterations = 4, Tolerance = 0 });
        float[][] centroids = Enumerable.Range(0, 7).Select(c => result.Centroid(c).ToArray()).ToArray();
        using var search = new NearestCentroidSearch(centroids, metric);

        var sizes = new long[7];
        double loss = 0;
        foreach (float[] row in rows)
        {
            (int cluster, float distance) = search.Assign(row);
            sizes[cluster]++;
            loss += distance;
        }

        Assert.Equal(result.ClusterSizes, sizes);
        Assert.Equal(result.Loss, loss, Math.Abs(result.Loss) * 1e-6);
    }

    [Fact]
    public void ReturnsTheSquaredDistanceAndBreaksTiesToTheLowestIndex()
    {
        using var search = new NearestCentroidSearch([[0f, 0f], [3f, 4f], [3f, 4f]], DistanceMetric.L2);

        Assert.Equal((1, 0f), search.Assign([3f, 4f]));
        Assert.Equal((0, 1f), search.Assign([0f, 1f]));
        Assert.Equal(1, search.Assign([3f, 5f]).ClusterId);
    }

    [Fact]
    public void RejectsAZeroVectorUnderCosineAndAWrongLength()
    {
        using var search = new NearestCentroidSearch([[1f, 0f]], DistanceMetric.Cosine);

        Assert.Equal(KMeansErrorKind.ZeroVector, Assert.Throws<KMeansException>(() => search.Assign([0f, 0f])).Kind);
        Assert.Throws<ArgumentException>(() => search.Assign([1f, 0f, 0f]));
    }
}
