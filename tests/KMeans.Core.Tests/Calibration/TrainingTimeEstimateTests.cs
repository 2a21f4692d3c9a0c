using KMeans.Core.Calibration;

namespace KMeans.Core.Tests.Calibration;

/// <summary>The model's arithmetic, on fixed rates so that every expected time can be worked out by hand.</summary>
public class TrainingTimeEstimateTests
{
    private static readonly CalibrationResult Rates = new(Dimension: 128, Threads: 2, KernelGflops: 100,
        UpdateValuesPerSecond: 1e9, SeedingValuesPerSecond: 5e8, CentroidGroup: 64, Elapsed: TimeSpan.FromSeconds(1));

    [Fact]
    public void AFlatIterationIsTheAssignmentToWholeKernelGroupsPlusTheUpdate()
    {
        TrainingTimeEstimate estimate = TrainingTimeEstimate.Predict(Rates, sampleRows: 1_000_000, k: 1000, dimension: 128,
            hierarchicalK: 16, maxIterations: 50);

        // K = 1,000 is scored as 16 groups of 64 = 1,024 centroids.
        double assignment = 2.0 * 1_000_000 * 1024 * 128 / 100e9;
        double update = 1_000_000.0 * 128 / 1e9;
        Assert.Equal(assignment + update, estimate.FlatIteration.TotalSeconds, 1e-6);
        Assert.Equal(50, estimate.MaxIterations);
        Assert.Equal(2, estimate.Threads);
    }

    [Fact]
    public void AFlatRunWithSmallKIsGreedySeedingTheFirstAssignmentAndEveryIteration()
    {
        TrainingTimeEstimate estimate = TrainingTimeEstimate.Predict(Rates, sampleRows: 10_000, k: 16, dimension: 8,
            hierarchicalK: 4, maxIterations: 20);

        // Greedy k-means++ for 16 centroids: 1 + 15 × (2 + ⌊ln 16⌋ + 1) = 76 passes over the rows.
        double seeding = 76 * 10_000.0 * 8 / 5e8;
        double assignment = 2.0 * 10_000 * 64 * 8 / 100e9;
        double iteration = assignment + 10_000.0 * 8 / 1e9;
        Assert.Equal(iteration, estimate.FlatIteration.TotalSeconds, 1e-6);
        Assert.Equal(seeding + assignment + 20 * iteration, estimate.FlatTraining.TotalSeconds, 1e-6);
        Assert.Null(estimate.HierarchicalIteration);
    }

    [Fact]
    public void ATrainingInAReducedDimensionIteratesThereAndAddsTheFinalFullDimensionPass()
    {
        TrainingTimeEstimate estimate = TrainingTimeEstimate.Predict(Rates, sampleRows: 10_000, k: 16, dimension: 128,
            hierarchicalK: 4, maxIterations: 20, trainDimension: 8);

        // Seeding and iterations as for 8-dimensional rows (the case above), then one assignment to the 16 centroids
        // in 8 dimensions and two adds per value of the 128-dimensional rows (sums and spreads).
        double seeding = 76 * 10_000.0 * 8 / 5e8;
        double assignment = 2.0 * 10_000 * 64 * 8 / 100e9;
        double iteration = assignment + 10_000.0 * 8 / 1e9;
        double finalPass = assignment + 2 * 10_000.0 * 128 / 1e9;
        Assert.Equal(iteration, estimate.FlatIteration.TotalSeconds, 1e-6);
        Assert.Equal(seeding + assignment + 20 * iteration + finalPass, estimate.FlatTraining.TotalSeconds, 1e-6);
    }

    /// <summary>Rows read again from the input are summed on one thread as they arrive, kept ones on both (Rates: 2).</summary>
    [Fact]
    public void AFinalPassThatReadsTheInputAgainSumsOnOneThread()
    {
        TrainingTimeEstimate kept = TrainingTimeEstimate.Predict(Rates, sampleRows: 10_000, k: 16, dimension: 128,
            hierarchicalK: 4, maxIterations: 20, trainDimension: 8);
        TrainingTimeEstimate reread = TrainingTimeEstimate.Predict(Rates, sampleRows: 10_000, k: 16, dimension: 128,
            hierarchicalK: 4, maxIterations: 20, trainDimension: 8, readsInput: true);

        double sums = 2 * 10_000.0 * 128 / 1e9;
        Assert.Equal(kept.FlatTraining.TotalSeconds + sums, reread.FlatTraining.TotalSeconds, 1e-6);
    }

    [Fact]
    public void AReducedTreeAddsTheFinalPassOverItsLeavesToItsTotalOnly()
    {
        TrainingTimeEstimate full = TrainingTimeEstimate.Predict(Rates, 16 * 4096, 1024, 16, 16, 10);
        TrainingTimeEstimate reduced = TrainingTimeEstimate.Predict(Rates, 16 * 4096, 1024, 64, 16, 10, trainDimension: 16);

        // Each row's leaf: its node among 16 (one kernel group of 64), then among the node's 64 of the 1,024 centroids.
        double finalPass = 2.0 * 16 * 4096 * (64 + 64) * 16 / 100e9 + 2 * 16 * 4096 * 64.0 / 1e9;
        Assert.Equal(full.HierarchicalIteration, reduced.HierarchicalIteration);
        Assert.Equal(full.HierarchicalTraining!.Value.TotalSeconds + finalPass, reduced.HierarchicalTraining!.Value.TotalSeconds, 1e-6);
    }

    [Fact]
    public void BalancingAddsTheCacheListsAndOneWholeAssignmentToBothTotals()
    {
        TrainingTimeEstimate plain = TrainingTimeEstimate.Predict(Rates, 4_194_304, 16_384, 128, 16, 10);
        TrainingTimeEstimate balanced = TrainingTimeEstimate.Predict(Rates, 4_194_304, 16_384, 128, 16, 10, balanced: true);

        // The cache holds 96 MiB / (8 × 8 + 5 × 4 bytes) = 1,198,372 rows; their lists of 8 cost their assignment at 0.7
        // of the kernel's rate. Then every row is assigned under the prices, and read once more for the loss.
        long cached = (96L << 20) / 84;
        double lists = 2.0 * cached * 16_384 * 128 / 100e9 / 0.7;
        double assignment = 2.0 * 4_194_304 * 16_384 * 128 / 100e9;
        double loss = 4_194_304.0 * 128 / 1e9;
        Assert.Equal(lists + assignment + loss, balanced.Balancing!.Value.TotalSeconds, 1e-6);
        Assert.Equal(plain.FlatTraining.TotalSeconds + lists + assignment + loss, balanced.FlatTraining.TotalSeconds, 1e-6);
        Assert.Equal(plain.HierarchicalTraining!.Value.TotalSeconds + lists + assignment + loss,
            balanced.HierarchicalTraining!.Value.TotalSeconds, 1e-6);
        Assert.Equal(plain.FlatIteration, balanced.FlatIteration);
        Assert.Null(plain.Balancing);
    }

    [Fact]
    public void ABalancedSmallSampleIsCachedWholeAndAReducedOneIsBalancedInBothDimensions()
    {
        TrainingTimeEstimate full = TrainingTimeEstimate.Predict(Rates, 10_000, 16, 128, 4, 20, balanced: true);
        TrainingTimeEstimate reduced = TrainingTimeEstimate.Predict(Rates, 10_000, 16, 128, 4, 20, trainDimension: 8,
            balanced: true);

        // All 10,000 rows are cached; K = 16 is scored as one group of 64.
        double In(int dimension) => 2.0 * 10_000 * 64 * dimension / 100e9 / 0.7 + 2.0 * 10_000 * 64 * dimension / 100e9
            + 10_000.0 * dimension / 1e9;
        Assert.Equal(In(128), full.Balancing!.Value.TotalSeconds, 1e-6);
        Assert.Equal(In(8) + In(128), reduced.Balancing!.Value.TotalSeconds, 1e-6);
    }

    [Fact]
    public void ATrainingDimensionNotBelowTheDimensionIsRefused()
    {
        var error = Assert.Throws<KMeansException>(() => TrainingTimeEstimate.Predict(Rates, 10_000, 16, 8, 4, 20, trainDimension: 8));

        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
    }

    [Fact]
    public void TwiceTheThreadsHalveTheTimes()
    {
        TrainingTimeEstimate calibrated = TrainingTimeEstimate.Predict(Rates, 65_536, 1024, 64, 16, 10);
        TrainingTimeEstimate doubled = TrainingTimeEstimate.Predict(Rates, 65_536, 1024, 64, 16, 10, threads: 4);

        Assert.Equal(calibrated.FlatTraining.TotalSeconds / 2, doubled.FlatTraining.TotalSeconds, 1e-6);
        Assert.Equal(calibrated.HierarchicalTraining!.Value.TotalSeconds / 2, doubled.HierarchicalTraining!.Value.TotalSeconds, 1e-6);
    }

    [Fact]
    public void ATwoLevelTreeIterationIsAFlatIterationPerLevel()
    {
        // K = 1,024 over 16 equal nodes: the top level has 16 centroids, each node 64 (flat, as 64 ≤ 256); both levels
        // are scored as one group of 64 over all rows, the nodes on one thread each, 8 after another per thread.
        TrainingTimeEstimate tree = TrainingTimeEstimate.Predict(Rates, 16 * 4096, 1024, 64, 16, 10);
        TrainingTimeEstimate level = TrainingTimeEstimate.Predict(Rates, 16 * 4096, 64, 64, 16, 10);

        Assert.Equal(2 * level.FlatIteration.TotalSeconds, tree.HierarchicalIteration!.Value.TotalSeconds, 1e-6);
    }

    [Fact]
    public void ThreadsBeyondTheNodeCountDoNotSpeedUpTheNodes()
    {
        TrainingTimeEstimate sixteen = TrainingTimeEstimate.Predict(Rates, 16 * 4096, 1024, 64, 16, 10, threads: 16);
        TrainingTimeEstimate level = TrainingTimeEstimate.Predict(Rates, 16 * 4096, 64, 64, 16, 10, threads: 16);
        TrainingTimeEstimate thirtyTwo = TrainingTimeEstimate.Predict(Rates, 16 * 4096, 1024, 64, 16, 10, threads: 32);

        double nodesOn16 = sixteen.HierarchicalIteration!.Value.TotalSeconds - level.FlatIteration.TotalSeconds;
        double nodesOn32 = thirtyTwo.HierarchicalIteration!.Value.TotalSeconds - level.FlatIteration.TotalSeconds / 2;
        Assert.Equal(nodesOn16, nodesOn32, 1e-6);
    }

    [Fact]
    public void AtTheProductionSizeTheTreeIsHundredsOfTimesFasterThanFlat()
    {
        TrainingTimeEstimate estimate = TrainingTimeEstimate.Predict(Rates, 256L * 262_144, 262_144, 1024, 16, 50);

        Assert.True(estimate.HierarchicalIteration!.Value * 100 < estimate.FlatIteration,
            $"tree {estimate.HierarchicalIteration} vs flat {estimate.FlatIteration} per iteration");
        Assert.True(estimate.HierarchicalTraining!.Value * 100 < estimate.FlatTraining,
            $"tree {estimate.HierarchicalTraining} vs flat {estimate.FlatTraining}");
    }

    [Fact]
    public void RefinePassesAddFlatIterationsToTheTree()
    {
        TrainingTimeEstimate plain = TrainingTimeEstimate.Predict(Rates, 65_536, 1024, 64, 16, 10);
        TrainingTimeEstimate refined = TrainingTimeEstimate.Predict(Rates, 65_536, 1024, 64, 16, 10, refineIterations: 3);

        double firstAssignment = 2.0 * 65_536 * 1024 * 64 / 100e9;
        Assert.Equal(plain.HierarchicalTraining!.Value.TotalSeconds + firstAssignment + 3 * plain.FlatIteration.TotalSeconds,
            refined.HierarchicalTraining!.Value.TotalSeconds, 1e-6);
    }

    [Fact]
    public void MoreCentroidsThanRowsIsNotEnoughRows()
    {
        var error = Assert.Throws<KMeansException>(() => TrainingTimeEstimate.Predict(Rates, 100, 1000, 8, 16, 10));

        Assert.Equal(KMeansErrorKind.NotEnoughRows, error.Kind);
        Assert.Contains("only 100 rows", error.Message);
    }

    [Theory]
    [InlineData(0, 8, 16, 10)]
    [InlineData(4, 0, 16, 10)]
    [InlineData(4, 8, 1, 10)]
    [InlineData(4, 8, 16, 0)]
    public void InvalidShapesAreRejected(int k, int dimension, int hierarchicalK, int maxIterations)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            TrainingTimeEstimate.Predict(Rates, 1000, k, dimension, hierarchicalK, maxIterations));
    }
}
