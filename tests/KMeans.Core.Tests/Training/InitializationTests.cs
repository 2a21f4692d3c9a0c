using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

public class InitializationTests
{
    [Theory]
    [InlineData(InitMethod.KMeansPlusPlus)]
    [InlineData(InitMethod.KMeansParallel)]
    public void SeedingFindsEveryBlobBeforeAnyLloydIteration(InitMethod init)
    {
        // 40 tight, far apart blobs: a D²-seeding puts one centroid in each with overwhelming probability,
        // while uniform random seeding almost surely doubles up somewhere (birthday bound).
        var (rows, centres) = TestData.Blobs(clusters: 40, perCluster: 30, dimension: 8, spread: 0.05, seed: 17);

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions { K = 40, Seed = 4, Init = init, MaxIterations = 1 });

        Assert.All(result.ClusterSizes, size => Assert.Equal(30, size));
        foreach (float[] centre in centres)
            Assert.True(Enumerable.Range(0, 40).Min(c => KnownAnswerTests.Distance(result.Centroid(c).ToArray(), centre)) < 0.1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void KMeansParallelEndsWithinAFewPercentOfKMeansPlusPlus(bool blobs)
    {
        float[][] rows = blobs
            ? TestData.Blobs(clusters: 100, perCluster: 40, dimension: 16, spread: 2, seed: 3).Rows
            : TestData.Uniform(rows: 4000, dimension: 16, seed: 3);
        var options = new KMeansOptions { K = 100, Seed = 9, MaxIterations = 10, Tolerance = 0 };

        double plusPlus = KMeansTrainer.Train(TestData.Source(rows), options with { Init = InitMethod.KMeansPlusPlus }).Loss;
        double parallel = KMeansTrainer.Train(TestData.Source(rows), options with { Init = InitMethod.KMeansParallel }).Loss;

        Assert.True(parallel < plusPlus * 1.03, $"k-means‖ {parallel} vs k-means++ {plusPlus}");
    }

    [Fact]
    public void AutoUsesKMeansPlusPlusForSmallKAndKMeansParallelForLargeK()
    {
        Assert.Equal(InitMethod.KMeansPlusPlus, new KMeansOptions { K = KMeansOptions.ParallelInitThreshold - 1 }.EffectiveInit);
        Assert.Equal(InitMethod.KMeansParallel, new KMeansOptions { K = KMeansOptions.ParallelInitThreshold }.EffectiveInit);
        Assert.Equal(InitMethod.Random, new KMeansOptions { K = 1000, Init = InitMethod.Random }.EffectiveInit);
    }

    [Fact]
    public void RandomInitPicksDistinctRows()
    {
        float[][] rows = Enumerable.Range(0, 30).Select(i => new[] { (float)i }).ToArray();

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions { K = 30, Seed = 2, Init = InitMethod.Random, MaxIterations = 1 });

        Assert.Equal(30, result.Centroids.Distinct().Count());
    }

    [Fact]
    public void InitializationProgressIsReported()
    {
        var (rows, _) = TestData.Blobs(clusters: 10, perCluster: 20, dimension: 2, spread: 1, seed: 1);
        var reports = new List<TrainingProgress>();

        KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions { K = 10, Seed = 1, Init = InitMethod.KMeansPlusPlus }, new Collect(reports));

        var init = reports.OfType<InitializationProgress>().ToList();
        Assert.Equal(Enumerable.Range(1, 10), init.Select(r => r.CentroidsChosen));
        Assert.NotEmpty(reports.OfType<SamplingProgress>());
        Assert.Equal(reports.OfType<IterationReport>().Select(r => r.Iteration), Enumerable.Range(1, reports.OfType<IterationReport>().Count()));
    }

    private sealed class Collect(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }
}
