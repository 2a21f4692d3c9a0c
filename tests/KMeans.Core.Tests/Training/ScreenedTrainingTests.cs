using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Numerics;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

/// <summary>
/// Lloyd's passes with the 8-bit screen (<see cref="ScreenedAssignment"/>) train the same centroids, sizes, losses and
/// skipped rows, bit for bit, as without it: with the update folded into the passes (labels only from the screen) and
/// taken by a pass of its own, on every metric, in memory and on disk, on one thread and two.
/// </summary>
public class ScreenedTrainingTests
{
    private const int K = 300;
    private const int Dimension = 40;

    /// <summary>2,400 rows in 200 blobs against 300 centroids: later passes leave most rows one or two candidates.</summary>
    private static readonly float[][] Rows = TestData.Blobs(clusters: 200, perCluster: 12, dimension: Dimension, spread: 4, seed: 31).Rows;

    [Theory]
    [InlineData(DistanceMetric.L2, 1, false, true, false)]
    [InlineData(DistanceMetric.L2, 2, true, true, false)]
    [InlineData(DistanceMetric.L2, 2, false, false, false)]
    [InlineData(DistanceMetric.L2, 2, true, true, true)]
    [InlineData(DistanceMetric.Cosine, 2, false, true, false)]
    [InlineData(DistanceMetric.Dot, 2, true, false, false)]
    public void LloydRunsWithAndWithoutTheScreenAreBitIdentical(DistanceMetric metric, int threads, bool onDisk, bool foldUpdate,
        bool skipByBounds)
    {
        // The screen runs beside the AVX-512 kernel only: elsewhere there is nothing to compare.
        if (!ScreenedAssignment.Runs)
            return;
        var options = new KMeansOptions
        {
            K = K, Distance = metric, MaxIterations = 12, Tolerance = 0, MaxDegreeOfParallelism = threads, FoldUpdate = foldUpdate,
            BytesPerRange = 4 * 192 * Dimension, SkipByBounds = skipByBounds,
        };
        float[] rows = Rows.SelectMany(row => row).ToArray();
        if (metric == DistanceMetric.Cosine)
            TestData.NormalizeRows(rows, Dimension);
        float[] initial = Enumerable.Range(0, K).SelectMany(c => rows.AsSpan(c * 8 * Dimension, Dimension).ToArray()).ToArray();

        (LloydRun.Outcome plain, _) = Run(rows, options, initial, screens: false, onDisk);
        (LloydRun.Outcome screened, long rowsScreened) = Run(rows, options, initial, screens: true, onDisk);

        Assert.Equal(plain.Centroids, screened.Centroids);
        Assert.Equal(plain.Sizes, screened.Sizes);
        Assert.Equal(plain.Loss, screened.Loss);
        Assert.Equal(plain.Iterations, screened.Iterations);
        Assert.Equal(plain.History.Select(report => report.Loss), screened.History.Select(report => report.Loss));
        Assert.Equal(plain.History.Select(report => report.SkippedRows), screened.History.Select(report => report.SkippedRows));
        // Passes that skip rows by bounds score the rest without hints, unscreened; and the screen pauses after a block
        // whose exact scores cost too much (the first pass's, hinted by no labels yet): the later whole passes screen.
        Assert.True(rowsScreened >= (skipByBounds ? 1 : Rows.Length), $"the screen assigned only {rowsScreened} rows");
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    public void TrainingsWithTheScreenForcedOnOffOrByShapeAreBitIdentical(DistanceMetric metric)
    {
        var options = new KMeansOptions { K = K, Seed = 5, Distance = metric, MaxIterations = 10, Tolerance = 0, Redos = 1 };

        KMeansResult off = KMeansTrainer.Train(TestData.Source(Rows), options with { Screen = false });
        KMeansResult on = KMeansTrainer.Train(TestData.Source(Rows), options with { Screen = true, OnDisk = true });
        KMeansResult byShape = KMeansTrainer.Train(TestData.Source(Rows), options);

        DeterminismTests.AssertIdentical(off, on);
        DeterminismTests.AssertIdentical(off, byShape);
    }

    [Fact]
    public void TreesAndReducedDimensionTrainingsWithAndWithoutTheScreenAreBitIdentical()
    {
        // Every node of the tree and the reduced-dimension run screen when forced, whatever their K and dimension.
        var tree = new KMeansOptions { K = K, Seed = 5, Hierarchical = HierarchicalMode.On, HierarchicalK = 8, MaxIterations = 8, Tolerance = 0 };
        var reduced = new KMeansOptions { K = 64, Seed = 5, TrainDimension = 16, MaxIterations = 8, Tolerance = 0 };

        foreach (KMeansOptions options in new[] { tree, reduced })
        {
            KMeansResult off = KMeansTrainer.Train(TestData.Source(Rows), options with { Screen = false });
            KMeansResult on = KMeansTrainer.Train(TestData.Source(Rows), options with { Screen = true });

            DeterminismTests.AssertIdentical(off, on);
        }
    }

    [Fact]
    public void ScreensWhereItPaysOrWhereForcedOnlyWithinItsDimensions()
    {
        Assert.Equal(ScreenedAssignment.Accelerated, ScreenedAssignment.Screens(null, 512, 128));
        Assert.Equal(ScreenedAssignment.Accelerated, ScreenedAssignment.Screens(null, 256, 256));
        Assert.Equal(ScreenedAssignment.Accelerated, ScreenedAssignment.Screens(null, 4_096, 1_536));
        Assert.False(ScreenedAssignment.Screens(null, 255, 1_024));
        Assert.False(ScreenedAssignment.Screens(null, 4_096, 127));
        Assert.False(ScreenedAssignment.Screens(null, 256, 128));
        Assert.Equal(ScreenedAssignment.Runs, ScreenedAssignment.Screens(true, 2, 1));
        Assert.Equal(ScreenedAssignment.Runs, ScreenedAssignment.Screens(true, 2, ScreenedAssignment.MostDimensions));
        Assert.False(ScreenedAssignment.Screens(true, 256, ScreenedAssignment.MostDimensions + 1));
        Assert.False(ScreenedAssignment.Screens(false, 4_096, 1_024));
    }

    [Fact]
    public void CountsTheQuantisedCentroidsAndEachThreadsScratch()
    {
        // Grouped and row-major bytes 2 × 256 × 1,024, row-major floats 256 × 1,024 × 4, four floats per centroid;
        // per thread 192 rows × (12 floats, 3 doubles, 4 ints, 32 candidates × 5 values, 1,024 bytes, 1,024 floats).
        Assert.Equal(2 * 262_144 + 1_048_576 + 4_096 + 2 * 192 * (48 + 24 + 16 + 640 + 1_024 + 4_096),
            ScreenedAssignment.Bytes(256, 1_024, threads: 2, rowsPerBlock: 192));
        // d = 37 takes ten steps of four bytes; K = 17 two groups of 16 for the grouped bytes and per-centroid values.
        Assert.Equal(32 * 40 + 17 * 40 + 17 * 37 * 4 + 4 * 32 * 4 + 1 * 6 * (88 + 640 + 40 + 37 * 4),
            ScreenedAssignment.Bytes(17, 37, threads: 1, rowsPerBlock: 6));
    }

    private static (LloydRun.Outcome Outcome, long RowsScreened) Run(float[] rows, KMeansOptions options, float[] initial, bool screens,
        bool onDisk)
    {
        using var directory = new TempDirectory();
        using TrainingBuffer sample = TrainingBuffer.Create(onDisk, Rows.Length, Dimension, directory.Path);
        sample.WriteRows(0, rows);
        sample.Seal(Rows.Length);
        using var packed = new PackedCentroids(K, Dimension, screens);
        var assignment = new Assignment(sample, K, options.Distance, options.RowsPerBlock, options.BytesPerRange);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        var run = new LloydRun(sample, options, assignment, packed, parallel);
        LloydRun.Outcome outcome = run.Run((float[])initial.Clone(), redo: 0, progress: null);
        Assert.Equal(screens, packed.Screen is not null);
        return (outcome, packed.Screen?.RowsScreened ?? 0);
    }
}
