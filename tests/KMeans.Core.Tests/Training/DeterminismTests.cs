using KMeans.Core.Distance;
using KMeans.Core.Numerics;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

/// <summary>Results depend only on the data, the options and the seed: not on the buffer, threads or block size.</summary>
public class DeterminismTests
{
    private static readonly float[][] Rows = TestData.Blobs(clusters: 12, perCluster: 150, dimension: 24, spread: 8, seed: 21).Rows;

    public static TheoryData<DistanceMetric, InitMethod> Cases => new()
    {
        { DistanceMetric.L2, InitMethod.KMeansPlusPlus },
        { DistanceMetric.L2, InitMethod.Random },
        { DistanceMetric.Cosine, InitMethod.KMeansPlusPlus },
        { DistanceMetric.Dot, InitMethod.Random },
        { DistanceMetric.L2, InitMethod.KMeansParallel },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void InMemoryAndOnDiskAreBitIdentical(DistanceMetric distance, InitMethod init)
    {
        var options = Options(distance, init);

        KMeansResult inMemory = KMeansTrainer.Train(TestData.Source(Rows), options);
        KMeansResult onDisk = KMeansTrainer.Train(TestData.Source(Rows), options with { OnDisk = true });

        Assert.False(inMemory.OnDisk);
        Assert.True(onDisk.OnDisk);
        AssertIdentical(inMemory, onDisk);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OneThreadAndAllThreadsAreBitIdentical(DistanceMetric distance, InitMethod init)
    {
        var options = Options(distance, init);

        KMeansResult single = KMeansTrainer.Train(TestData.Source(Rows), options with { MaxDegreeOfParallelism = 1 });
        KMeansResult three = KMeansTrainer.Train(TestData.Source(Rows), options with { MaxDegreeOfParallelism = 3 });
        KMeansResult all = KMeansTrainer.Train(TestData.Source(Rows), options with { MaxDegreeOfParallelism = -1 });

        AssertIdentical(single, three);
        AssertIdentical(single, all);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(7)]
    public void TinyBlocksGiveTheSameCentroids(int rowsPerBlock)
    {
        // Random init and a fixed iteration count: centroid sums are taken row by row, so block size cannot matter.
        var options = Options(DistanceMetric.L2, InitMethod.Random) with { Tolerance = 0, MaxIterations = 6 };

        KMeansResult standard = KMeansTrainer.Train(TestData.Source(Rows), options);
        KMeansResult tiny = KMeansTrainer.Train(TestData.Source(Rows), options with { RowsPerBlock = rowsPerBlock, OnDisk = true });

        AssertIdentical(standard, tiny);
    }

    [Theory]
    [InlineData(DistanceMetric.L2, 1, 192)]
    [InlineData(DistanceMetric.L2, 7 * 24 * 4 * 3, 7)]
    [InlineData(DistanceMetric.Cosine, 1, 5)]
    [InlineData(DistanceMetric.Dot, 24 * 4 * 100, 192)]
    [InlineData(DistanceMetric.L2, KMeansOptions.DefaultBytesPerRange, 192)]
    public void UpdatesTakenRangeByRangeDuringTheAssignmentEqualTheUpdatePass(DistanceMetric distance, long bytesPerRange,
        int rowsPerBlock)
    {
        // Ranges of 1, 3, several blocks, or the whole sample; bounds on (the default), so pending rows cross blocks.
        var options = Options(distance, InitMethod.Random) with { Tolerance = 0, MaxIterations = 8, RowsPerBlock = rowsPerBlock };

        KMeansResult updatePass = KMeansTrainer.Train(TestData.Source(Rows), options with { FoldUpdate = false });
        KMeansResult folded = KMeansTrainer.Train(TestData.Source(Rows),
            options with { FoldUpdate = true, BytesPerRange = bytesPerRange, OnDisk = true });

        AssertIdentical(updatePass, folded);
        Assert.Equal(updatePass.History.Select(report => report.SkippedRows), folded.History.Select(report => report.SkippedRows));
        Assert.Contains(folded.History, report => report.SkippedRows > 0);
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Dot)]
    public void TheDefaultMixOfFoldedAndSeparateUpdatesEqualsTheUpdatePassAlone(DistanceMetric distance)
    {
        // K = 32 on 2 threads, unit rows in 32 tight blobs: the first pass takes the next update's sums, and once an
        // attempt with bounds keeps at least half the rows the next one leaves them to the separate pass. On raw
        // blobs under Dot the centroids' norms differ too much for the bounds to keep labels, and with fewer blobs
        // than centroids no attempt keeps half the rows, so every pass would fold.
        float[][] unitRows = TestData.Blobs(clusters: 32, perCluster: 60, dimension: 24, spread: 8, seed: 21).Rows;
        foreach (float[] row in unitRows)
            VectorMath.Normalize(row);
        var options = Options(distance, InitMethod.Random) with { K = 32, Tolerance = 0, MaxIterations = 20, MaxDegreeOfParallelism = 2 };
        Assert.True(LloydRun.AddsKeepUp(options));

        KMeansResult updatePass = KMeansTrainer.Train(TestData.Source(unitRows), options with { FoldUpdate = false });
        KMeansResult byPolicy = KMeansTrainer.Train(TestData.Source(unitRows), options);

        AssertIdentical(updatePass, byPolicy);
        Assert.Contains(byPolicy.History.SkipLast(1), report => 2 * report.SkippedRows >= unitRows.Length);
    }

    [Theory]
    [InlineData(256, 2, true)]
    [InlineData(32, 2, true)]
    [InlineData(31, 2, false)]
    [InlineData(4096, 1, false)]
    public void TheAssignmentTakesTheUpdateInMemoryOnlyWhereTheAddsHideBehindOtherThreads(int k, int threads, bool folds) =>
        Assert.Equal(folds, LloydRun.AddsKeepUp(new KMeansOptions { K = k, MaxDegreeOfParallelism = threads }));

    [Fact]
    public void SameSeedSameResultOtherSeedOtherResult()
    {
        var options = Options(DistanceMetric.L2, InitMethod.KMeansPlusPlus) with { SampleRate = 50 };

        KMeansResult first = KMeansTrainer.Train(TestData.Source(Rows), options);
        KMeansResult again = KMeansTrainer.Train(TestData.Source(Rows), options);
        KMeansResult other = KMeansTrainer.Train(TestData.Source(Rows), options with { Seed = 99 });

        AssertIdentical(first, again);
        Assert.NotEqual(first.Centroids, other.Centroids);
    }

    [Fact]
    public void WithoutASeedTheDrawnSeedReproducesTheRun()
    {
        var options = Options(DistanceMetric.L2, InitMethod.KMeansPlusPlus) with { Seed = null };

        KMeansResult drawn = KMeansTrainer.Train(TestData.Source(Rows), options);
        KMeansResult replay = KMeansTrainer.Train(TestData.Source(Rows), options with { Seed = drawn.Seed });

        AssertIdentical(drawn, replay);
    }

    private static KMeansOptions Options(DistanceMetric distance, InitMethod init) =>
        new() { K = 12, Seed = 7, Distance = distance, Init = init, MaxIterations = 15, Redos = 2 };

    internal static void AssertIdentical(KMeansResult expected, KMeansResult actual)
    {
        Assert.Equal(expected.Centroids, actual.Centroids);
        Assert.Equal(expected.ClusterSizes, actual.ClusterSizes);
        Assert.Equal(expected.Loss, actual.Loss);
        Assert.Equal(expected.Iterations, actual.Iterations);
        Assert.Equal(expected.History.Select(h => h.Loss), actual.History.Select(h => h.Loss));
    }
}
