using System.Numerics.Tensors;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

public class DistanceMetricTests
{
    [Fact]
    public void CosineClustersByDirectionAndReturnsUnitCentroids()
    {
        // Two directions, with lengths varying over two orders of magnitude: L2 would split by length.
        var random = new Random(3);
        var rows = new List<float[]>();
        for (int i = 0; i < 200; i++)
        {
            float scale = (float)Math.Pow(10, random.NextDouble() * 2);
            float jitter = (float)(random.NextDouble() - 0.5) * 0.1f;
            rows.Add(i % 2 == 0 ? [scale, scale * jitter] : [scale * jitter, scale]);
        }

        KMeansResult result = KMeansTrainer.Train(new InMemoryVectorSource(rows), new KMeansOptions { K = 2, Seed = 1, Distance = DistanceMetric.Cosine });

        Assert.Equal([100L, 100L], result.ClusterSizes);
        for (int c = 0; c < 2; c++)
            Assert.Equal(1f, TensorPrimitives.Norm(result.Centroid(c)), 1e-5f);
        var directions = Enumerable.Range(0, 2).Select(c => Math.Abs(result.Centroid(c)[0]) > Math.Abs(result.Centroid(c)[1])).ToHashSet();
        Assert.Equal(2, directions.Count);
        double expectedLoss = rows.Sum(row => 1 - Enumerable.Range(0, 2).Max(c =>
            TensorPrimitives.Dot(row, result.Centroid(c)) / TensorPrimitives.Norm<float>(row)));
        Assert.Equal(expectedLoss, result.Loss, 1e-4);
    }

    [Fact]
    public void DotAssignsEachRowToTheLargestInnerProductAndReportsItsNegatedSum()
    {
        float[][] rows = TestData.Uniform(rows: 400, dimension: 6, seed: 12);

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions { K = 4, Seed = 2, Distance = DistanceMetric.Dot, MaxIterations = 4, Tolerance = 0 });

        double expectedLoss = 0;
        long[] sizes = new long[4];
        foreach (float[] row in rows)
        {
            int best = Enumerable.Range(0, 4).MaxBy(c => TensorPrimitives.Dot(row, result.Centroid(c)));
            sizes[best]++;
            expectedLoss -= TensorPrimitives.Dot(row, result.Centroid(best));
        }
        Assert.Equal(sizes, result.ClusterSizes);
        Assert.Equal(expectedLoss, result.Loss, 1e-3);
        Assert.True(result.Loss < 0);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(4)]
    public void ACosineClusterWhoseRowsCancelKeepsAUnitCentroid(int? trainDimension)
    {
        // x and −x: the mean is the zero vector, which has no direction; every unit vector is at the same loss. With a
        // training dimension, the final full-dimension pass has no centroid of its own to keep.
        float[][] half = TestData.Uniform(50, 8, seed: 4);
        float[][] rows = [.. half, .. half.Select(row => row.Select(value => -value).ToArray())];

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows),
            new KMeansOptions { K = 1, Seed = 1, Distance = DistanceMetric.Cosine, MaxDegreeOfParallelism = 1, TrainDimension = trainDimension });

        Assert.Equal(1.0, TensorPrimitives.Norm(result.Centroid(0)), 5);
        Assert.Equal(100, result.Loss, 4);
        using var search = new NearestCentroidSearch([result.Centroid(0).ToArray()], DistanceMetric.Cosine);
        Assert.Equal(0, search.Assign(rows[0]).ClusterId);
    }
}
