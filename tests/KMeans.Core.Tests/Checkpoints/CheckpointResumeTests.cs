using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using KMeans.Core.Buffers;
using KMeans.Core.Sampling;
using KMeans.Core.Training;
using KMeans.Core.Training.Checkpoints;

namespace KMeans.Core.Tests.Checkpoints;

public class CheckpointResumeTests
{
    private static readonly float[][] Rows = TestData.Blobs(clusters: 24, perCluster: 120, dimension: 6, spread: 3, seed: 5).Rows;

    private static readonly float[][] TreeRows = TestData.Blobs(clusters: 96, perCluster: 30, dimension: 5, spread: 1, seed: 9).Rows;

    private static KMeansOptions Flat => new()
    {
        K = 20, Seed = 11, MaxIterations = 25, Tolerance = 0, Redos = 2, Init = InitMethod.KMeansPlusPlus,
    };

    private static KMeansOptions Tree => new()
    {
        K = 96, Seed = 4, MaxIterations = 12, Tolerance = 0, Hierarchical = HierarchicalMode.On, HierarchicalK = 6,
        RefineIterations = 4,
    };

    private static CheckpointOptions Every(string path) => new() { Path = path, Interval = TimeSpan.Zero, Resume = true };

    public static TheoryData<bool, int, int> FlatStops => new()
    {
        // on disk, threads of the interrupted run, threads of the resumed run
        { false, 1, 2 },
        { true, 2, 1 },
        { false, -1, -1 },
    };

    [Theory]
    [MemberData(nameof(FlatStops))]
    public void AFlatTrainingStoppedSeveralTimesResumesBitIdentically(bool onDisk, int threadsBefore, int threadsAfter)
    {
        using var temp = new TempDirectory();
        KMeansOptions options = Flat with { OnDisk = onDisk, TempDirectory = temp.Path };
        KMeansResult uninterrupted = KMeansTrainer.Train(TestData.Source(Rows), options);
        string path = temp.File("state.kmc");

        // Stops: redo 0 at iteration 3, redo 0 at iteration 17, redo 1 at iteration 1, then runs to the end.
        StopAfter(options with { MaxDegreeOfParallelism = threadsBefore }, path, report => report is IterationReport { Redo: 0, Iteration: 3 });
        StopAfter(options with { MaxDegreeOfParallelism = threadsAfter }, path, report => report is IterationReport { Redo: 0, Iteration: 17 });
        StopAfter(options with { MaxDegreeOfParallelism = threadsBefore }, path, report => report is IterationReport { Redo: 1, Iteration: 1 });
        var reports = new StopAt(_ => false, new CancellationTokenSource());
        KMeansResult resumed = KMeansTrainer.Train(TestData.Source(Rows), options with { MaxDegreeOfParallelism = threadsAfter },
            Every(path), reports);

        CheckpointAssert.BitIdentical(uninterrupted, resumed);
        Assert.Equal(new ResumeProgress(path, "iteration 1 of redo 2", Finished: false), reports.Reports.OfType<ResumeProgress>().Single());
        Assert.Equal(2, reports.Reports.OfType<IterationReport>().First().Iteration);
        Assert.Equal(["state.kmc"], temp.FileNames());
    }

    [Fact]
    public void BoundSkippingAndTheFoldedUpdateContinueExactly()
    {
        using var temp = new TempDirectory();
        KMeansOptions options = Flat with { Redos = 1, MaxIterations = 30, OnDisk = true, TempDirectory = temp.Path, FoldUpdate = true, BytesPerRange = 4096 };
        KMeansResult uninterrupted = KMeansTrainer.Train(TestData.Source(Rows), options);
        Assert.Contains(uninterrupted.History, report => report.SkippedRows > 0);
        string path = temp.File("state.kmc");

        foreach (int stop in new[] { 1, 2, 5, 9 })
            StopAfter(options, path, report => report is IterationReport { Iteration: var iteration } && iteration == stop);
        KMeansResult resumed = KMeansTrainer.Train(TestData.Source(Rows), options, Every(path));

        CheckpointAssert.BitIdentical(uninterrupted, resumed);
    }

    public static TheoryData<string> TreeStops => new() { "top", "node", "refine" };

    [Theory]
    [MemberData(nameof(TreeStops))]
    public void AHierarchicalTrainingStoppedMidTreeResumesBitIdentically(string where)
    {
        using var temp = new TempDirectory();
        KMeansResult uninterrupted = KMeansTrainer.Train(TestData.Source(TreeRows), Tree);
        string path = temp.File("tree.kmc");
        int nodes = 0;
        int refineIterations = 0;
        Func<TrainingProgress, bool> stop = where switch
        {
            "top" => report => report is IterationReport { Iteration: 2 } && nodes == 0,
            "node" => report => report is NodeProgress && Interlocked.Increment(ref nodes) == 3,
            _ => report => report is IterationReport { MaxIterations: 4 } && ++refineIterations == 2,
        };

        StopAfter(Tree with { MaxDegreeOfParallelism = 2 }, path, stop, TreeRows);
        var reports = new StopAt(_ => false, new CancellationTokenSource());
        KMeansResult resumed = KMeansTrainer.Train(TestData.Source(TreeRows), Tree with { MaxDegreeOfParallelism = 1 }, Every(path), reports);

        CheckpointAssert.BitIdentical(uninterrupted, resumed);
        string position = reports.Reports.OfType<ResumeProgress>().Single().Position;
        Assert.Matches(where switch { "top" => "^iteration 2$", "node" => "^the tree with [0-9]+ nodes finished$", _ => "^refinement iteration 2$" }, position);
        if (where == "node")
            Assert.InRange(int.Parse(position.Split(' ')[3]), 3, 5);
    }

    [Fact]
    public void AHierarchicalTrainingOnDiskStoppedAfterSomeNodesResumesBitIdenticallyInOneGatheringPass()
    {
        // On disk one pass gathers every node of a level; the resumed run gathers, in one pass, the nodes the
        // checkpoint had not finished, and must still end on the uninterrupted run's bits.
        using var temp = new TempDirectory();
        KMeansOptions options = Tree with { OnDisk = true, TempDirectory = temp.Path, RefineIterations = 0 };
        KMeansResult uninterrupted = KMeansTrainer.Train(TestData.Source(TreeRows), options);
        string path = temp.File("tree.kmc");
        int nodes = 0;

        StopAfter(options with { MaxDegreeOfParallelism = 1 }, path,
            report => report is NodeProgress && Interlocked.Increment(ref nodes) == 2, TreeRows);
        var reports = new StopAt(_ => false, new CancellationTokenSource());
        KMeansResult resumed = KMeansTrainer.Train(TestData.Source(TreeRows), options with { MaxDegreeOfParallelism = 2 }, Every(path), reports);

        CheckpointAssert.BitIdentical(uninterrupted, resumed);
        Assert.Equal("the tree with 2 nodes finished", reports.Reports.OfType<ResumeProgress>().Single().Position);
        Assert.Equal(1, resumed.Levels[1].GatheringPasses);
        Assert.Equal(["tree.kmc"], temp.FileNames());
    }

    [Fact]
    public void AFinishedCheckpointReturnsItsResultWithoutTraining()
    {
        using var temp = new TempDirectory();
        string path = temp.File("done.kmc");
        KMeansResult first = KMeansTrainer.Train(TestData.Source(Rows), Flat, new CheckpointOptions { Path = path });

        var reports = new StopAt(_ => false, new CancellationTokenSource());
        KMeansResult again = KMeansTrainer.Train(TestData.Source(Rows), Flat with { Seed = null }, Every(path), reports);

        CheckpointAssert.BitIdentical(first, again);
        Assert.Equal(first.Sampling, again.Sampling);
        // The options the model reports (sample rate, tolerance, initialisation...) are the run's, seed included.
        Assert.Equal(first.Options, again.Options);
        // The sample is drawn again to check it against the checkpoint, and nothing is trained.
        Assert.Equal([new ResumeProgress(path, "finished after 25 iterations", Finished: true)],
            reports.Reports.Where(report => report is not SamplingProgress));
    }

    /// <summary>
    /// A finished training's checkpoint is checked by nothing but its sample: every row's hash goes into the probe, so
    /// one changed value anywhere (here in row 1, which 64 evenly spaced probe rows would miss) is refused.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFinishedCheckpointRefusesASampleWithOneValueChanged(bool reduced)
    {
        using var temp = new TempDirectory();
        string path = temp.File("done.kmc");
        KMeansOptions options = reduced ? Flat with { TrainDimension = 3 } : Flat;
        KMeansTrainer.Train(TestData.Source(Rows), options, new CheckpointOptions { Path = path });
        float[][] changed = Rows.Select(row => (float[])row.Clone()).ToArray();
        changed[1][2] += 0.5f;

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source(changed), options, Every(path)));

        Assert.Equal(KMeansErrorKind.CheckpointMismatch, error.Kind);
        Assert.Contains("the sample holds other values than when the checkpoint was written", error.Message);
    }

    [Fact]
    public void AFinishedHierarchicalCheckpointKeepsTheLevelsOfItsTree()
    {
        using var temp = new TempDirectory();
        string path = temp.File("tree.kmc");
        KMeansResult first = KMeansTrainer.Train(TestData.Source(TreeRows), Tree, new CheckpointOptions { Path = path });

        KMeansResult again = KMeansTrainer.Train(TestData.Source(TreeRows), Tree, Every(path));

        CheckpointAssert.BitIdentical(first, again);
        Assert.True(first.Levels.Count >= 2, $"{first.Levels.Count} levels");
        Assert.Equal(first.Levels, again.Levels);
    }

    /// <summary>
    /// Format version 1 had nothing after the finished result, version 2 the tree's levels and the distinct rows; such
    /// checkpoints (here made from a version 3 one, whose flat full-dimension result adds no levels, no distinct rows
    /// and no loss in a training dimension: 6 zero bytes, of which version 2 keeps 5) are still read.
    /// </summary>
    [Theory]
    [InlineData(1u, 6)]
    [InlineData(2u, 1)]
    public void AnOlderVersionCheckpointIsStillRead(uint version, int bytesItLacks)
    {
        using var temp = new TempDirectory();
        string path = temp.File("old.kmc");
        KMeansResult first = KMeansTrainer.Train(TestData.Source(Rows), Flat, new CheckpointOptions { Path = path });
        byte[] file = File.ReadAllBytes(path);
        WriteProbe(file, Rows, ValuesProbe(Rows, Flat));
        Assert.Equal(new byte[6], file[^(8 + 6)..^8]);
        byte[] payload = file[24..^(8 + bytesItLacks)];
        var header = file[..24];
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), version);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), payload.Length);
        var trailer = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, XxHash3.HashToUInt64(payload));
        File.WriteAllBytes(path, [.. header, .. payload, .. trailer]);

        KMeansResult again = KMeansTrainer.Train(TestData.Source(Rows), Flat, Every(path));

        CheckpointAssert.BitIdentical(first, again);
        Assert.Empty(again.Levels);
        Assert.Null(again.TrainDimensionLoss);
    }

    /// <summary>
    /// A checkpoint of format 3 or earlier summed its L2 losses otherwise (squared TensorPrimitives.Distance), one of
    /// format 4 scored centroids about the origin rather than their common offset, and one of format 5 or 6 kept the
    /// float choice where rounding could not tell two centroids apart, so a resumed run's recomputed loss may differ
    /// from the saved one: such a checkpoint stopped mid-training still resumes, to the uninterrupted run's bits.
    /// </summary>
    [Theory]
    [InlineData(3u)]
    [InlineData(4u)]
    [InlineData(5u)]
    [InlineData(6u)]
    public void AnUnfinishedCheckpointOfAnEarlierArithmeticStillResumes(uint version)
    {
        using var temp = new TempDirectory();
        KMeansResult uninterrupted = KMeansTrainer.Train(TestData.Source(Rows), Flat);
        string path = temp.File("earlier.kmc");
        StopAfter(Flat, path, report => report is IterationReport { Redo: 0, Iteration: 5 });
        byte[] file = File.ReadAllBytes(path);
        if (version < CheckpointFile.RowHashProbeVersion)
            WriteProbe(file, Rows, ValuesProbe(Rows, Flat));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), version);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(file.Length - 8), XxHash3.HashToUInt64(file.AsSpan(24, file.Length - 32)));
        File.WriteAllBytes(path, file);

        KMeansResult resumed = KMeansTrainer.Train(TestData.Source(Rows), Flat, Every(path));

        CheckpointAssert.BitIdentical(uninterrupted, resumed);
    }

    /// <summary>A finished reduced tree (refined) finishes again from its nodes and refinement, to the fresh run's bits.</summary>
    [Fact]
    public void AFinishedReducedTreeResumesBitIdentically()
    {
        using var temp = new TempDirectory();
        KMeansOptions options = Tree with { TrainDimension = 3 };
        string path = temp.File("tree.kmc");
        KMeansResult first = KMeansTrainer.Train(TestData.Source(TreeRows), options, new CheckpointOptions { Path = path });

        var reports = new StopAt(_ => false, new CancellationTokenSource());
        KMeansResult again = KMeansTrainer.Train(TestData.Source(TreeRows), options, Every(path), reports);

        CheckpointAssert.BitIdentical(first, again);
        // The levels' losses and sizes; a resumed tree gathers no rows for the nodes it restores.
        Assert.Equal(first.Levels.Select(level => (level.Loss, level.Nodes, level.Centroids)),
            again.Levels.Select(level => (level.Loss, level.Nodes, level.Centroids)));
        Assert.Equal("the end of the training in its training dimension, after 4 iterations",
            reports.Reports.OfType<ResumeProgress>().Single().Position);
    }

    /// <summary>
    /// The final pass reads the input again and may take as long as sampling: the state is written before it, so a
    /// training stopped there resumes from the iterations it had (here with the default interval, which would not
    /// have written before the end).
    /// </summary>
    [Fact]
    public void AReducedTrainingStoppedInItsFinalPassResumesFromItsIterations()
    {
        using var temp = new TempDirectory();
        KMeansOptions options = Flat with { TrainDimension = 3 };
        KMeansResult uninterrupted = KMeansTrainer.Train(TestData.Source(Rows), options);
        string path = temp.File("final.kmc");

        StopAfter(options, path, report => report is FinalPassProgress, interval: TimeSpan.FromMinutes(5));
        var reports = new StopAt(_ => false, new CancellationTokenSource());
        KMeansResult resumed = KMeansTrainer.Train(TestData.Source(Rows), options, Every(path), reports);

        CheckpointAssert.BitIdentical(uninterrupted, resumed);
        Assert.DoesNotContain(reports.Reports, report => report is IterationReport);
        Assert.Equal($"the end of the training in its training dimension, after {uninterrupted.Iterations} iterations",
            reports.Reports.OfType<ResumeProgress>().Single().Position);
    }

    /// <summary>
    /// Format 5 and earlier probed the sample's rows by their values, which a reduced-dimension training that reads its
    /// input again does not keep: resuming such a checkpoint reads the probed rows again, and resumes (stopped or
    /// finished) bit-identically when they are the same; a probe of other values is refused in either format.
    /// </summary>
    [Theory]
    [InlineData(5u, false, false)]
    [InlineData(5u, true, false)]
    [InlineData(5u, false, true)]
    [InlineData(5u, true, true)]
    [InlineData(6u, false, true)]
    public void AReducedTrainingsCheckpointOfFormat5IsCheckedByItsProbedRowsValues(uint version, bool finished, bool otherProbe)
    {
        using var temp = new TempDirectory();
        KMeansOptions options = Flat with { TrainDimension = 3 };
        KMeansResult uninterrupted = KMeansTrainer.Train(TestData.Source(Rows), options);
        string path = temp.File("probe.kmc");
        if (finished)
            KMeansTrainer.Train(TestData.Source(Rows), options, new CheckpointOptions { Path = path });
        else
            StopAfter(options, path, report => report is IterationReport { Redo: 1, Iteration: 4 });
        byte[] file = File.ReadAllBytes(path);
        ulong written = version == 5 ? ValuesProbe(Rows, options) : ReadProbe(file, Rows);
        WriteProbe(file, Rows, otherProbe ? ~written : written);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), version);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(file.Length - 8), XxHash3.HashToUInt64(file.AsSpan(24, file.Length - 32)));
        File.WriteAllBytes(path, file);

        if (otherProbe)
        {
            var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source(Rows), options, Every(path)));
            Assert.Contains("the sample holds other values than when the checkpoint was written", error.Message);
            return;
        }
        KMeansResult resumed = KMeansTrainer.Train(TestData.Source(Rows), options, Every(path));
        CheckpointAssert.BitIdentical(uninterrupted, resumed);
    }

    /// <summary>
    /// Size bounds may differ on resuming, and decide whether a reduced training keeps its full rows or reads them
    /// again: the probe is the same either way. A finished reduced training was balanced in the training dimension with
    /// the first run's bounds, so it finishes again from its progress there, as a fresh training with the new bounds.
    /// </summary>
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void AReducedTrainingResumesWithOrWithoutSizeBounds(bool balancedFirst, bool finished)
    {
        using var temp = new TempDirectory();
        KMeansOptions unbalanced = Flat with { TrainDimension = 3 };
        KMeansOptions balanced = unbalanced with { MaxSizeRatio = 1.5 };
        string path = temp.File("bounds.kmc");
        KMeansOptions first = balancedFirst ? balanced : unbalanced;
        if (finished)
            KMeansTrainer.Train(TestData.Source(Rows), first, new CheckpointOptions { Path = path });
        else
            StopAfter(first, path, report => report is IterationReport { Redo: 1, Iteration: 4 });

        KMeansOptions then = balancedFirst ? unbalanced : balanced;
        KMeansResult resumed = KMeansTrainer.Train(TestData.Source(Rows), then, Every(path));

        CheckpointAssert.BitIdentical(KMeansTrainer.Train(TestData.Source(Rows), then), resumed);
    }

    /// <summary>
    /// An earlier arithmetic's saved loss may be undercut by any amount (its float32 choices at near ties, a helper's
    /// rows moving from a loss of 35,662 to 0) but not exceeded beyond its last digits; the current one's is exact.
    /// </summary>
    [Fact]
    public void AnEarlierArithmeticsLossMustNotBeExceededAndTheCurrentOnesMustAgreeBitForBit()
    {
        const double saved = 12345.678901234;
        double lastBits = saved * (1 + 1e-7);

        CheckpointFingerprint.VerifyLoss("a.kmc", saved, lastBits, exact: false);
        CheckpointFingerprint.VerifyLoss("a.kmc", 35_662, 0, exact: false);
        Assert.Equal(KMeansErrorKind.CheckpointMismatch,
            Assert.Throws<KMeansException>(() => CheckpointFingerprint.VerifyLoss("a.kmc", 35_662, 0, exact: true)).Kind);
        CheckpointFingerprint.VerifyLoss("a.kmc", saved, saved, exact: true);
        Assert.Equal(KMeansErrorKind.CheckpointMismatch,
            Assert.Throws<KMeansException>(() => CheckpointFingerprint.VerifyLoss("a.kmc", saved, lastBits, exact: true)).Kind);
        Assert.Equal(KMeansErrorKind.CheckpointMismatch,
            Assert.Throws<KMeansException>(() => CheckpointFingerprint.VerifyLoss("a.kmc", saved, saved * (1 + 1e-5), exact: false)).Kind);
    }

    public static TheoryData<bool, bool> ReducedDimensionStops => new()
    {
        // hierarchical, on disk
        { false, false },
        { false, true },
        { true, false },
    };

    /// <summary>
    /// A training in a reduced dimension saves its progress in that dimension and its finished result in the full
    /// one: stopped mid-iteration (or mid-tree), it resumes to the uninterrupted run's bits, its loss in the training
    /// dimension included.
    /// </summary>
    [Theory]
    [MemberData(nameof(ReducedDimensionStops))]
    public void ATrainingInAReducedDimensionStoppedMidwayResumesBitIdentically(bool hierarchical, bool onDisk)
    {
        using var temp = new TempDirectory();
        (KMeansOptions options, float[][] rows) = hierarchical
            ? (Tree with { TrainDimension = 3 }, TreeRows)
            : (Flat with { TrainDimension = 3, OnDisk = onDisk, TempDirectory = temp.Path }, Rows);
        KMeansResult uninterrupted = KMeansTrainer.Train(TestData.Source(rows), options);
        string path = temp.File("reduced.kmc");
        int nodes = 0;

        StopAfter(options with { MaxDegreeOfParallelism = 2 }, path, hierarchical
            ? report => report is NodeProgress && Interlocked.Increment(ref nodes) == 3
            : report => report is IterationReport { Redo: 1, Iteration: 4 }, rows);
        var reports = new StopAt(_ => false, new CancellationTokenSource());
        KMeansResult resumed = KMeansTrainer.Train(TestData.Source(rows), options with { MaxDegreeOfParallelism = 1 },
            Every(path), reports);

        CheckpointAssert.BitIdentical(uninterrupted, resumed);
        Assert.Equal(3, resumed.TrainDimension);
        Assert.Equal(BitConverter.DoubleToInt64Bits(uninterrupted.TrainDimensionLoss!.Value),
            BitConverter.DoubleToInt64Bits(resumed.TrainDimensionLoss!.Value));
        Assert.Matches(hierarchical ? "^the tree with [0-9]+ nodes finished$" : "^iteration 4 of redo 2$",
            reports.Reports.OfType<ResumeProgress>().Single().Position);
        Assert.Equal(["reduced.kmc"], temp.FileNames());
    }

    /// <summary>
    /// A finished training in a reduced dimension returns its full-dimension result again, with the loss in the
    /// training dimension; balanced, it is balanced again on the sample drawn anew, as the first run was.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFinishedTrainingInAReducedDimensionReturnsItsResultAgain(bool balanced)
    {
        using var temp = new TempDirectory();
        string path = temp.File("reduced.kmc");
        KMeansOptions options = Flat with { TrainDimension = 4, MaxSizeRatio = balanced ? 1.2 : null };
        KMeansResult first = KMeansTrainer.Train(TestData.Source(Rows), options, new CheckpointOptions { Path = path });

        KMeansResult again = KMeansTrainer.Train(TestData.Source(Rows), options, Every(path));

        CheckpointAssert.BitIdentical(first, again);
        Assert.Equal(first.Dimension, again.Dimension);
        Assert.Equal(4, again.TrainDimension);
        Assert.Equal(first.TrainDimensionLoss, again.TrainDimensionLoss);
        Assert.Equal(first.PartitionPrices, again.PartitionPrices);
        Assert.Equal(first.Options, again.Options);
    }

    /// <summary>
    /// The checkpoint keeps the training as it was before balancing: resuming a finished balanced training (what an
    /// ops script rerunning the same command with -Resume does) balances it again, on the same sample, as the first run
    /// did, instead of returning the unbalanced partition; stopped during balancing, it resumes the same way.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ResumingAFinishedBalancedTrainingGivesTheBalancedResultAgain(bool stoppedWhileBalancing)
    {
        using var temp = new TempDirectory();
        string path = temp.File("balanced.kmc");
        KMeansOptions balanced = Flat with { MaxSizeRatio = 1.1 };
        KMeansResult first = KMeansTrainer.Train(TestData.Source(Rows), balanced, new CheckpointOptions { Path = path });
        if (stoppedWhileBalancing)
        {
            File.Delete(path);
            using var cancel = new CancellationTokenSource();
            var stop = new StopAt(report => report is KMeans.Core.Training.Balancing.BalanceReport { Pass: 2 }, cancel);
            Assert.ThrowsAny<OperationCanceledException>(() =>
                KMeansTrainer.Train(TestData.Source(Rows), balanced, new CheckpointOptions { Path = path }, stop, cancel.Token));
        }

        KMeansResult again = KMeansTrainer.Train(TestData.Source(Rows), balanced with { Seed = null }, Every(path));

        Assert.True(first.BalanceHistory.Count > 1, "the data should need balancing");
        Assert.True(first.ClusterSizes.Max() <= first.MaxPartitionSizeBound);
        CheckpointAssert.BitIdentical(first, again);
        Assert.Equal(first.PartitionPrices, again.PartitionPrices);
        Assert.Equal(first.PricedPartitionSizes, again.PricedPartitionSizes);
        Assert.Equal(first.BalanceHistory.Select(pass => pass with { Elapsed = TimeSpan.Zero }),
            again.BalanceHistory.Select(pass => pass with { Elapsed = TimeSpan.Zero }));
        Assert.Equal(first.MaxPartitionSizeBound, again.MaxPartitionSizeBound);
    }

    [Fact]
    public void TheDefaultIntervalWritesOnlyTheFinishedTraining()
    {
        using var temp = new TempDirectory();
        string path = temp.File("state.kmc");
        StopAfter(Flat, path, report => report is IterationReport { Redo: 1, Iteration: 20 }, interval: CheckpointOptions.DefaultInterval);
        Assert.False(File.Exists(path));

        KMeansTrainer.Train(TestData.Source(Rows), Flat, new CheckpointOptions { Path = path, Resume = true });
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void AnExistingCheckpointIsNotReplacedWithoutResume()
    {
        using var temp = new TempDirectory();
        string path = temp.File("state.kmc");
        File.WriteAllText(path, "precious");

        var error = Assert.Throws<KMeansException>(() =>
            KMeansTrainer.Train(TestData.Source(Rows), Flat, new CheckpointOptions { Path = path }));

        Assert.Equal(KMeansErrorKind.FileExists, error.Kind);
        Assert.Contains(path, error.Message);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public void LeftoversOfAKilledWriteAreRemoved()
    {
        using var temp = new TempDirectory();
        string path = temp.File("state.kmc");
        string leftover = temp.File($".state.kmc.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(leftover, "half a checkpoint");
        // Left by a process killed before this one started: only such files can belong to no running write.
        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow.AddHours(-1));
        File.WriteAllText(temp.File(".state.kmc.notes.tmp"), "not ours");

        KMeansTrainer.Train(TestData.Source(Rows), Flat with { Redos = 1, MaxIterations = 2 }, Every(path));

        Assert.Equal([".state.kmc.notes.tmp", "state.kmc"], temp.FileNames());
    }

    /// <summary>
    /// The probe a checkpoint of format 1 to 5 holds, worked out here as those versions took it: the XXH3 hash of the
    /// values of rows 0, s, 2s, … (s = max(1, n / 64)) of the sample that <paramref name="options"/> draw from
    /// <paramref name="rows"/>, kept at full dimension.
    /// </summary>
    private static ulong ValuesProbe(float[][] rows, KMeansOptions options)
    {
        KMeansOptions keeping = options with { MeasureNearestCentroidAgreement = options.TrainDimension is not null };
        using ProjectedSample sample = options.TrainDimension is int trainDimension
            ? SampleBuilder.BuildProjected(TestData.Source(rows), keeping, options.Seed!.Value,
                RandomizedHadamardProjection.Create(rows[0].Length, trainDimension, options.Seed.Value), null, CancellationToken.None, out _)
            : new ProjectedSample(SampleBuilder.Build(TestData.Source(rows), options, options.Seed!.Value, null, CancellationToken.None, out _),
                projected: null);
        TrainingBuffer full = sample.Full!;
        var hash = new XxHash3();
        long step = Math.Max(1, full.RowCount / 64);
        for (long row = 0; row < full.RowCount; row += step)
            hash.Append(MemoryMarshal.AsBytes(full.Rows(row, 1)));
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>Sets the probe of the checkpoint <paramref name="file"/> (found after the sample's shape).</summary>
    private static void WriteProbe(byte[] file, float[][] rows, ulong probe)
    {
        byte[] shape = [.. BitConverter.GetBytes((long)rows.Length), .. BitConverter.GetBytes(rows[0].Length)];
        int at = file.AsSpan(24).IndexOf(shape) + 24 + shape.Length;
        Assert.Equal(-1, file.AsSpan(at).IndexOf(shape));
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at), probe);
    }

    private static ulong ReadProbe(byte[] file, float[][] rows)
    {
        byte[] shape = [.. BitConverter.GetBytes((long)rows.Length), .. BitConverter.GetBytes(rows[0].Length)];
        return BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(file.AsSpan(24).IndexOf(shape) + 24 + shape.Length));
    }

    internal static void StopAfter(KMeansOptions options, string path, Func<TrainingProgress, bool> stopHere,
        float[][]? rows = null, TimeSpan? interval = null)
    {
        using var cancel = new CancellationTokenSource();
        var progress = new StopAt(stopHere, cancel);
        var checkpoint = new CheckpointOptions { Path = path, Interval = interval ?? TimeSpan.Zero, Resume = true };
        Assert.ThrowsAny<OperationCanceledException>(() =>
            KMeansTrainer.Train(TestData.Source(rows ?? Rows), options, checkpoint, progress, cancel.Token));
    }
}
