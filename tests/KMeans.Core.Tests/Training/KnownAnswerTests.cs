using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

public class KnownAnswerTests
{
    [Theory]
    [InlineData(InitMethod.KMeansPlusPlus, false)]
    [InlineData(InitMethod.KMeansPlusPlus, true)]
    public void WellSeparatedBlobsGiveBackTheirCentres(InitMethod init, bool onDisk)
    {
        var (rows, centres) = TestData.Blobs(clusters: 8, perCluster: 200, dimension: 16, spread: 0.5, seed: 11);
        var options = new KMeansOptions { K = 8, Seed = 5, Init = init, OnDisk = onDisk };

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), options);

        foreach (float[] centre in centres)
        {
            double nearest = Enumerable.Range(0, result.K).Min(c => Distance(result.Centroid(c).ToArray(), centre));
            // The mean of 200 points with σ = 0.5 per dimension lies within a few σ/√200 of the true centre.
            Assert.True(nearest < 0.3, $"no centroid within 0.3 of a true centre (nearest {nearest})");
        }
        Assert.All(result.ClusterSizes, size => Assert.Equal(200, size));
        Assert.True(result.Converged);
    }

    [Fact]
    public void KEqualToRowCountGivesThePoints()
    {
        float[][] rows = TestData.Uniform(rows: 40, dimension: 5, seed: 3);
        var options = new KMeansOptions { K = 40, Seed = 1, Init = InitMethod.Random };

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), options);

        var centroids = Enumerable.Range(0, 40).Select(c => result.Centroid(c).ToArray()).ToList();
        foreach (float[] row in rows)
            Assert.Contains(centroids, centroid => centroid.SequenceEqual(row));
        Assert.Equal(0, result.Loss);
        Assert.All(result.ClusterSizes, size => Assert.Equal(1, size));
    }

    [Fact]
    public void KEqualToOneGivesTheMean()
    {
        float[][] rows = TestData.Uniform(rows: 1000, dimension: 7, seed: 4);
        var options = new KMeansOptions { K = 1, Seed = 2, SampleRate = 1000 };

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), options);

        for (int j = 0; j < 7; j++)
        {
            double sum = 0;
            foreach (float[] row in rows)
                sum += row[j];
            Assert.Equal((float)(sum / rows.Length), result.Centroid(0)[j]);
        }
        double inertia = rows.Sum(row => Distance(row, result.Centroid(0).ToArray()));
        Assert.Equal(inertia, result.Loss, 1e-4 * inertia);
    }

    [Theory]
    [InlineData(InitMethod.Random)]
    [InlineData(InitMethod.KMeansPlusPlus)]
    public void L2LossNeverIncreases(InitMethod init)
    {
        float[][] rows = TestData.Uniform(rows: 3000, dimension: 8, seed: 9);
        var options = new KMeansOptions { K = 20, Seed = 3, Init = init, MaxIterations = 30, Tolerance = 0 };

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), options);

        Assert.Equal(30, result.History.Count);
        for (int i = 1; i < result.History.Count; i++)
        {
            if (result.History[i].RepairedClusters == 0)
                Assert.True(result.History[i].Loss <= result.History[i - 1].Loss * (1 + 1e-9),
                    $"loss rose from {result.History[i - 1].Loss} to {result.History[i].Loss} at iteration {i + 1}");
        }
        Assert.Equal(result.History[^1].Loss, result.Loss);
    }

    [Fact]
    public void ReportedLossIsTheInertiaOfTheReturnedCentroids()
    {
        var (rows, _) = TestData.Blobs(clusters: 5, perCluster: 100, dimension: 4, spread: 3, seed: 8);
        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions { K = 5, Seed = 1, MaxIterations = 3, Tolerance = 0 });

        double inertia = rows.Sum(row => Enumerable.Range(0, 5).Min(c => Distance(row, result.Centroid(c).ToArray())));
        Assert.Equal(inertia, result.Loss, 1e-5 * inertia);
        long[] sizes = new long[5];
        foreach (float[] row in rows)
            sizes[Enumerable.Range(0, 5).MinBy(c => Distance(row, result.Centroid(c).ToArray()))]++;
        Assert.Equal(sizes, result.ClusterSizes);
    }

    [Fact]
    public void ConvergesWhenTheRelativeChangeFallsBelowTheTolerance()
    {
        var (rows, _) = TestData.Blobs(clusters: 4, perCluster: 50, dimension: 3, spread: 1, seed: 2);
        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions { K = 4, Seed = 3, Tolerance = 1e-3 });

        Assert.True(result.Converged);
        Assert.True(result.History[^1].RelativeChange < 1e-3);
        Assert.All(result.History.Take(result.History.Count - 1), report => Assert.True(report.RelativeChange >= 1e-3));
    }

    [Fact]
    public void RedosKeepTheLowestLossRun()
    {
        float[][] rows = TestData.Uniform(rows: 500, dimension: 4, seed: 6);
        var single = new KMeansOptions { K = 10, Seed = 8, Init = InitMethod.Random, MaxIterations = 5, Tolerance = 0 };

        KMeansResult best = KMeansTrainer.Train(TestData.Source(rows), single with { Redos = 4 });
        KMeansResult first = KMeansTrainer.Train(TestData.Source(rows), single);

        Assert.True(best.Loss <= first.Loss);
        Assert.InRange(best.BestRedo, 0, 3);
        Assert.All(best.History, report => Assert.Equal(best.BestRedo, report.Redo));
    }

    [Fact]
    public void ImbalanceFactorIsOneForEvenClustersAndKForOne()
    {
        Assert.Equal(1.0, LloydRun.ImbalanceFactor([5, 5, 5, 5], 20));
        Assert.Equal(4.0, LloydRun.ImbalanceFactor([20, 0, 0, 0], 20));
    }

    [Fact]
    public void InitialCentroidsAreRefined()
    {
        var (rows, centres) = TestData.Blobs(clusters: 3, perCluster: 100, dimension: 2, spread: 0.1, seed: 4);
        var start = centres.Select(c => c.Select(v => v + 1f).ToArray()).ToArray();

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions { K = 3, InitialCentroids = start });

        for (int c = 0; c < 3; c++)
            Assert.True(Distance(result.Centroid(c).ToArray(), centres[c]) < 0.01);
    }

    internal static double Distance(float[] a, float[] b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
            sum += (double)(a[j] - b[j]) * (a[j] - b[j]);
        return sum;
    }
}
