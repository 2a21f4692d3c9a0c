using KMeans.Core.Distance;
using KMeans.Core.Numerics;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Bounds;

/// <summary>
/// Skipping rows by bounds must change nothing: every iteration's labels, row losses, sizes and loss, and the final
/// centroids, are bit-identical to plain Lloyd's, on data chosen to make the bounds' float margin matter.
/// </summary>
public class SkipExactnessTests
{
    public static TheoryData<string> Cases => new()
    {
        "blobs", "uniform", "ties", "large offsets", "near ties at large offsets", "one cluster", "every row a cluster",
        "duplicated rows, every row a cluster", "cosine", "dot", "tiny blocks",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SkippingGivesExactlyThePlainLloydRun(string name)
    {
        (float[][] rows, int k, DistanceMetric metric, int rowsPerBlock) = Case(name);
        var options = new KMeansOptions
        {
            K = k, Distance = metric, MaxIterations = 12, Tolerance = 0, MaxDegreeOfParallelism = 2, RowsPerBlock = rowsPerBlock,
        };
        int[] initialRows = Shuffled(rows.Length, seed: k).Take(k).ToArray();

        LloydTrace plain = LloydTrace.Run(rows, initialRows, options with { SkipByBounds = false });
        LloydTrace skipping = LloydTrace.Run(rows, initialRows, options with { SkipByBounds = true });

        LloydTrace.AssertIdentical(plain, skipping);
        Assert.All(plain.Reports, report => Assert.Equal(0, report.SkippedRows));
        Assert.True(skipping.Reports.Sum(report => report.SkippedRows) > 0, "the bounds never kept a label, so nothing was compared");
    }

    [Theory]
    [InlineData(HierarchicalMode.Off)]
    [InlineData(HierarchicalMode.On)]
    public void TrainerResultsMatchPlainLloydInMemoryOnDiskAndOnAnyThreadCount(HierarchicalMode hierarchical)
    {
        float[][] rows = TestData.Blobs(clusters: 40, perCluster: 40, dimension: 16, spread: 5, seed: 12).Rows;
        var options = new KMeansOptions
        {
            K = 40, Seed = 4, MaxIterations = 10, Redos = 2, Hierarchical = hierarchical, HierarchicalK = 8, RefineIterations = 3,
        };

        KMeansResult plain = KMeansTrainer.Train(TestData.Source(rows), options with { SkipByBounds = false, MaxDegreeOfParallelism = 1 });
        KMeansResult inMemory = KMeansTrainer.Train(TestData.Source(rows), options with { MaxDegreeOfParallelism = 1 });
        KMeansResult onDisk = KMeansTrainer.Train(TestData.Source(rows), options with { OnDisk = true, MaxDegreeOfParallelism = 3 });

        Training.DeterminismTests.AssertIdentical(plain, inMemory);
        Training.DeterminismTests.AssertIdentical(plain, onDisk);
        Assert.Equal(plain.History.Select(report => report.Reassigned), onDisk.History.Select(report => report.Reassigned));
        Assert.Equal(inMemory.History.Select(report => report.SkippedRows), onDisk.History.Select(report => report.SkippedRows));
        Assert.Contains(inMemory.History, report => report.SkippedRows > 0);
    }

    /// <summary>The large-offset case above compares both paths: some rows kept, some scored by the kernel.</summary>
    [Fact]
    public void AtLargeOffsetsSomeRowsAreKeptAndSomeAreScored()
    {
        (float[][] rows, int k, _, _) = Case("near ties at large offsets");
        var options = new KMeansOptions { K = k, MaxIterations = 6, Tolerance = 0, MaxDegreeOfParallelism = 1 };

        LloydTrace trace = LloydTrace.Run(rows, Shuffled(rows.Length, seed: k).Take(k).ToArray(), options);

        long skipped = trace.Reports.Sum(report => report.SkippedRows);
        Assert.InRange(skipped, 1, trace.Reports.Count * (long)rows.Length - 1);
    }

    /// <summary>
    /// On 6-d uniform rows the bounds would keep 0–11 % of the labels, less than is worth a pass with bounds, so a probe
    /// of the rows refuses every attempt and each pass runs without them.
    /// </summary>
    [Fact]
    public void AttemptsWhoseProbeKeepsTooFewLabelsRunWithoutBounds()
    {
        float[][] rows = TestData.Uniform(1500, 6, seed: 2);
        var options = new KMeansOptions { K = 30, MaxIterations = 12, Tolerance = 0, MaxDegreeOfParallelism = 2 };
        int[] initialRows = Shuffled(rows.Length, seed: 30).Take(30).ToArray();

        LloydTrace plain = LloydTrace.Run(rows, initialRows, options with { SkipByBounds = false });
        LloydTrace probed = LloydTrace.Run(rows, initialRows, options);

        LloydTrace.AssertIdentical(plain, probed);
        Assert.All(probed.Reports, report => Assert.Equal(0, report.SkippedRows));
    }

    [Fact]
    public void AfterConvergenceOnBlobsNearlyEveryRowIsSkipped()
    {
        (float[][] rows, float[][] centres) = TestData.Blobs(clusters: 100, perCluster: 50, dimension: 32, spread: 4, seed: 5);
        var options = new KMeansOptions { K = 100, Seed = 3, MaxIterations = 15, Tolerance = 0 };

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), options);

        IterationReport last = result.History[^1];
        Assert.Equal(0, last.Reassigned);
        Assert.True(last.SkippedRows > 0.9 * rows.Length, $"only {last.SkippedRows} of {rows.Length} rows skipped");
    }

    private static (float[][] Rows, int K, DistanceMetric Metric, int RowsPerBlock) Case(string name)
    {
        const int block = KMeansOptions.DefaultRowsPerBlock;
        return name switch
        {
            "blobs" => (TestData.Blobs(100, 50, 32, spread: 4, seed: 1).Rows, 100, DistanceMetric.L2, block),
            "uniform" => (TestData.Uniform(1500, 4, seed: 2), 30, DistanceMetric.L2, block),
            "ties" => (IntegerGrid(900, 3, levels: 3, seed: 3), 12, DistanceMetric.L2, block),
            "large offsets" => (Offset(TestData.Blobs(40, 30, 16, spread: 6, seed: 4).Rows, 1e4f), 40, DistanceMetric.L2, block),
            "near ties at large offsets" => (Offset(TestData.Blobs(8, 150, 4, spread: 30, seed: 5).Rows, 1e4f), 8, DistanceMetric.L2, block),
            "one cluster" => (TestData.Blobs(3, 100, 8, spread: 2, seed: 6).Rows, 1, DistanceMetric.L2, block),
            "every row a cluster" => (TestData.Uniform(70, 5, seed: 7), 70, DistanceMetric.L2, block),
            "duplicated rows, every row a cluster" => (IntegerGrid(60, 2, levels: 4, seed: 8), 60, DistanceMetric.L2, block),
            "cosine" => (Normalized(TestData.Blobs(30, 40, 12, spread: 5, seed: 9).Rows), 30, DistanceMetric.Cosine, block),
            "dot" => (DotFriendly(600, 8, seed: 10), 10, DistanceMetric.Dot, block),
            "tiny blocks" => (TestData.Blobs(20, 30, 10, spread: 4, seed: 11).Rows, 20, DistanceMetric.L2, 7),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown case"),
        };
    }

    /// <summary>Integer coordinates from a few levels: many exact duplicates and exactly tied distances.</summary>
    private static float[][] IntegerGrid(int rows, int dimension, int levels, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows)
            .Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)random.Next(levels)).ToArray())
            .ToArray();
    }

    private static float[][] Offset(float[][] rows, float offset) =>
        rows.Select(row => row.Select(value => value + offset).ToArray()).ToArray();

    private static float[][] Normalized(float[][] rows) => rows.Select(row =>
    {
        var unit = (float[])row.Clone();
        VectorMath.Normalize(unit);
        return unit;
    }).ToArray();

    /// <summary>Rows of similar length around a few directions, so that some inner-product rankings are clear-cut.</summary>
    private static float[][] DotFriendly(int rows, int dimension, int seed)
    {
        float[][] directions = Normalized(TestData.Uniform(10, dimension, seed).Select(row => row.Select(v => v - 0.5f).ToArray()).ToArray());
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(i =>
        {
            float[] direction = directions[i % directions.Length];
            return direction.Select(v => v * 10 + (float)(random.NextDouble() - 0.5) * 0.2f).ToArray();
        }).ToArray();
    }

    private static int[] Shuffled(int count, int seed)
    {
        var random = new Random(seed);
        int[] order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        return order;
    }
}
