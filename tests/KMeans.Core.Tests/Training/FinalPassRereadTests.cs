using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Sampling;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

/// <summary>
/// A reduced-dimension training from files keeps only the projected sample and reads the sampled rows again for its
/// final pass (<see cref="KMeansOptions.RereadsInputForFinalPass"/>): the same bits as keeping them, a row rewritten
/// meanwhile refused.
/// </summary>
/// <remarks>The rows and options of <see cref="TrainDimensionTests"/>.</remarks>
public class FinalPassRereadTests
{
    private const int Dimension = TrainDimensionTests.Dimension;
    private static readonly float[][] Rows = TrainDimensionTests.Rows;

    private static KMeansOptions Options(DistanceMetric distance) => TrainDimensionTests.Options(distance);

    [Fact]
    public void ASampleFromFilesKeepsOnlyItsProjectedRowsUnlessBalancingNeedsThem()
    {
        KMeansOptions options = Options(DistanceMetric.L2) with { OnDisk = true };
        var projection = RandomizedHadamardProjection.Create(Dimension, 16, seed: 5);

        using ProjectedSample reread = SampleBuilder.BuildProjected(TestData.Source(Rows), options, 5, projection, null,
            CancellationToken.None, out _);
        using ProjectedSample kept = SampleBuilder.BuildProjected(TestData.Source(Rows), options with { MaxSizeRatio = 1.5 }, 5,
            projection, null, CancellationToken.None, out _);

        Assert.Null(reread.Full);
        Assert.Equal(16, reread.Projected!.Dimension);
        Assert.True(reread.Projected.IsOnDisk);
        Assert.Equal(Rows.Length, reread.RowCount);
        Assert.Equal(Dimension, reread.Dimension);
        Assert.Equal(Dimension, kept.Full!.Dimension);
        Assert.Null(kept.Rereading);
        Assert.Equal(kept.Projected!.Rows(0, Rows.Length).ToArray(), reread.Projected.Rows(0, Rows.Length).ToArray());
    }

    public static TheoryData<DistanceMetric, bool, bool> Runs => new()
    {
        // metric, on disk, hierarchical
        { DistanceMetric.L2, false, false },
        { DistanceMetric.L2, true, true },
        { DistanceMetric.Cosine, false, false },
        { DistanceMetric.Cosine, true, true },
        { DistanceMetric.Dot, true, false },
    };

    /// <summary>Rows sampled by selection arrive in input order, so the re-read sums take them as the kept sample does.</summary>
    [Theory]
    [MemberData(nameof(Runs))]
    public void ReadingTheInputAgainGivesTheBitsOfKeepingTheFullRows(DistanceMetric distance, bool onDisk, bool hierarchical)
    {
        KMeansOptions options = Options(distance) with
        {
            OnDisk = onDisk,
            Hierarchical = hierarchical ? HierarchicalMode.On : HierarchicalMode.Off,
            HierarchicalK = 3,
        };

        KMeansResult reread = KMeansTrainer.Train(TestData.Source(Rows), options with { MaxDegreeOfParallelism = 1 });
        // Measuring the agreement keeps the full-dimension rows (and assigns them once more, which changes nothing else).
        KMeansResult kept = KMeansTrainer.Train(TestData.Source(Rows),
            options with { MeasureNearestCentroidAgreement = true, MaxDegreeOfParallelism = 3 });

        DeterminismTests.AssertIdentical(kept, reread);
        Assert.Equal(kept.TrainDimensionLoss, reread.TrainDimensionLoss);
        Assert.Equal(onDisk, reread.OnDisk);
        Assert.Equal(Rows.Length, reread.SampleRows);
    }

    /// <summary>
    /// A .npy file of float32 rows is read again by row ranges, only the sampled rows: dense samples in pieces with the
    /// rows between, sparse ones (here 10 rows of 20,000, about 2,000 apart) a row at a time.
    /// </summary>
    [Theory]
    [InlineData(10, 120, 1)]
    [InlineData(10, 2_000, 1)]
    [InlineData(10, 120, 64)]
    public void AFileReadByRowRangesIsReadAgainOnlyWhereSampled(int clusters, int perCluster, int sampleRate)
    {
        float[][] rows = TestData.Blobs(clusters, perCluster, Dimension, spread: 4, seed: 3).Rows;
        using var temp = new TempDirectory();
        string path = temp.File("rows.npy");
        VectorFileWriter.Write(TestData.Source(rows), path, VectorFileFormat.Npy, CancellationToken.None);
        KMeansOptions options = Options(DistanceMetric.L2) with { SampleRate = sampleRate };
        var passes = new List<FinalPassProgress>();

        KMeansResult reread;
        using var counting = new CountingRangeSource(VectorFile.Open(path));
        reread = KMeansTrainer.Train(counting, options, new Progress(report => { if (report is FinalPassProgress pass) passes.Add(pass); }));
        KMeansResult kept;
        using (IVectorSource file = VectorFile.Open(path))
            kept = KMeansTrainer.Train(file, options with { MeasureNearestCentroidAgreement = true });

        DeterminismTests.AssertIdentical(kept, reread);
        Assert.Equal(Math.Min(rows.Length, 10 * sampleRate), reread.SampleRows);
        Assert.Equal(1, counting.BatchReads);
        Assert.InRange(counting.RowsReadByRange, reread.SampleRows, rows.Length);
        // Gaps up to 64 KiB (170 rows of 96 floats) are read through: at most 10 + 9 × 170 rows of the 20,000.
        if (perCluster == 2_000)
            Assert.True(counting.RowsReadByRange <= 10 + 9 * 170, $"{counting.RowsReadByRange} rows read for 10 sampled");
        Assert.Equal(rows.Length, passes[^1].TotalRows);
        Assert.True(passes[^1].RowsRead <= rows.Length);
    }

    /// <summary>
    /// A .npy source trained on again after its file was replaced (renamed over, same shape) reads the new file in its
    /// final pass as sampling did, not the old one through a handle kept from the first training.
    /// </summary>
    [Fact]
    public void ASourceTrainedAgainAfterItsFileWasReplacedReadsTheNewFile()
    {
        float[][] other = TestData.Blobs(clusters: 10, perCluster: 120, dimension: Dimension, spread: 4, seed: 21).Rows;
        using var temp = new TempDirectory();
        string path = temp.File("rows.npy");
        string replacement = temp.File("next.npy");
        VectorFileWriter.Write(TestData.Source(Rows), path, VectorFileFormat.Npy, CancellationToken.None);
        VectorFileWriter.Write(TestData.Source(other), replacement, VectorFileFormat.Npy, CancellationToken.None);
        KMeansOptions options = Options(DistanceMetric.L2);
        KMeansResult expected;
        using (IVectorSource fresh = VectorFile.Open(replacement))
            expected = KMeansTrainer.Train(fresh, options);

        using IVectorSource source = VectorFile.Open(path);
        KMeansTrainer.Train(source, options);
        File.Move(replacement, path, overwrite: true);
        KMeansResult again = KMeansTrainer.Train(source, options);

        DeterminismTests.AssertIdentical(expected, again);
    }

    [Fact]
    public void ARowOfAFileRewrittenDuringTrainingIsInputChanged()
    {
        using var temp = new TempDirectory();
        string path = temp.File("rows.npy");
        VectorFileWriter.Write(TestData.Source(Rows), path, VectorFileFormat.Npy, CancellationToken.None);
        long dataOffset = new FileInfo(path).Length - (long)Rows.Length * Dimension * sizeof(float);
        var rewrite = new Progress(report =>
        {
            if (report is not IterationReport { Iteration: 1 })
                return;
            using FileStream file = File.OpenWrite(path);
            file.Position = dataOffset + (1000L * Dimension + 5) * sizeof(float);
            file.Write(BitConverter.GetBytes(123.5f));
        });

        using IVectorSource source = VectorFile.Open(path);
        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(source, Options(DistanceMetric.L2), rewrite));

        Assert.Equal(KMeansErrorKind.InputChanged, error.Kind);
        Assert.StartsWith($"Row 1000 of {path} holds other values than when it was sampled", error.Message);
    }

    /// <summary>
    /// A reservoir (input of unknown length) fills slots out of input order; the re-read still gives each cluster the
    /// mean of its rows, now added in input order, so only the last bits may differ from the kept sample's.
    /// </summary>
    [Fact]
    public void AReservoirSampleIsReadAgainInInputOrder()
    {
        KMeansOptions options = Options(DistanceMetric.L2) with { SampleRate = 100 };
        KMeansResult reread = KMeansTrainer.Train(new UnknownLengthSource(TestData.Source(Rows)), options);
        KMeansResult kept = KMeansTrainer.Train(new UnknownLengthSource(TestData.Source(Rows)),
            options with { MeasureNearestCentroidAgreement = true });

        Assert.Equal(1000, reread.SampleRows);
        Assert.Equal(kept.ClusterSizes, reread.ClusterSizes);
        for (int i = 0; i < kept.Centroids.Length; i++)
            Assert.Equal(kept.Centroids[i], reread.Centroids[i], 1e-4f);
        Assert.Equal(kept.Loss, reread.Loss, kept.Loss * 1e-9);
    }

    [Fact]
    public void ARowRewrittenDuringTrainingIsInputChangedNamingIt()
    {
        float[][] rows = Rows.Select(row => (float[])row.Clone()).ToArray();
        var rewrite = new Progress(report =>
        {
            if (report is IterationReport { Iteration: 1 })
                rows[700][3] += 1;
        });

        var error = Assert.Throws<KMeansException>(() =>
            KMeansTrainer.Train(TestData.Source(rows), Options(DistanceMetric.Cosine), rewrite));

        Assert.Equal(KMeansErrorKind.InputChanged, error.Kind);
        Assert.StartsWith("Row 700 of test rows holds other values than when it was sampled: the input changed during training", error.Message);
        Assert.Contains("the sampled rows, read again in 96 dimensions, are no longer those that trained", error.Message);
    }

    [Fact]
    public void AnInputThatEndsEarlierWhenReadAgainIsInputChanged()
    {
        int reads = 0;
        var shrinking = new UnknownLengthSource(new TruncatedOnSecondRead(TestData.Source(Rows), keptRows: 1024, () => ++reads));

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(shrinking, Options(DistanceMetric.L2)));

        Assert.Equal(KMeansErrorKind.InputChanged, error.Kind);
        Assert.StartsWith("test rows ends before row 1024 of test rows, which was sampled", error.Message);
        Assert.Equal(2, reads);
    }

    /// <summary>
    /// One of several files that lost rows shifts the row numbers of the files after it: the error names that file,
    /// not the next one whose rows no longer match.
    /// </summary>
    [Fact]
    public void AFileOfSeveralThatLostRowsIsNamed()
    {
        int reads = 0;
        var first = new TruncatedOnSecondRead(new InMemoryVectorSource(Rows[..600], "first.npy"), keptRows: 512, () => ++reads);
        using var files = new ConcatenatedVectorSource([first, new InMemoryVectorSource(Rows[600..], "second.npy")]);

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(files, Options(DistanceMetric.L2)));

        Assert.Equal(KMeansErrorKind.InputChanged, error.Kind);
        Assert.Equal("first.npy held 600 rows when it was read before and holds 512 now: it changed during training. " +
                     "Train again once the input is final.", error.Message);
        Assert.Equal("first.npy", error.Target);
    }

    [Fact]
    public void ARowOfOneOfSeveralFilesRewrittenNamesThatFileAsTheTarget()
    {
        float[][] rows = Rows.Select(row => (float[])row.Clone()).ToArray();
        var rewrite = new Progress(report =>
        {
            if (report is IterationReport { Iteration: 1 })
                rows[700][3] += 1;
        });
        using var files = new ConcatenatedVectorSource(
            [new InMemoryVectorSource(rows[..600], "first.npy"), new InMemoryVectorSource(rows[600..], "second.npy")]);

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(files, Options(DistanceMetric.L2), rewrite));

        Assert.Equal(KMeansErrorKind.InputChanged, error.Kind);
        Assert.StartsWith("Row 100 of second.npy holds other values than when it was sampled", error.Message);
        Assert.Equal("second.npy", error.Target);
    }

    /// <summary>
    /// A failure that names no file (access denied where a file became a directory, a directory removed) is blamed
    /// on the file of the rows being read, not on the set.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OneOfSeveralFilesThatCannotBeOpenedAgainIsNamed(bool becomesDirectory)
    {
        using var temp = new TempDirectory();
        string first = temp.File("first.fvecs");
        string folder = temp.File("sub");
        Directory.CreateDirectory(folder);
        string second = Path.Combine(folder, "second.fvecs");
        VectorFileWriter.Write(TestData.Source(Rows[..600]), first, VectorFileFormat.Fvecs, CancellationToken.None);
        VectorFileWriter.Write(TestData.Source(Rows[600..]), second, VectorFileFormat.Fvecs, CancellationToken.None);
        var change = new Progress(report =>
        {
            if (report is not IterationReport { Iteration: 1 })
                return;
            if (becomesDirectory)
            {
                File.Delete(second);
                Directory.CreateDirectory(second);
            }
            else
            {
                Directory.Delete(folder, recursive: true);
            }
        });
        using var files = new ConcatenatedVectorSource([VectorFile.Open(first), VectorFile.Open(second)]);

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(files, Options(DistanceMetric.L2), change));

        Assert.Equal(KMeansErrorKind.InputChanged, error.Kind);
        Assert.Equal(second, error.Target);
        Assert.StartsWith($"{second} cannot be read again as it was sampled (", error.Message);
    }

    [Fact]
    public void AFileTruncatedDuringTrainingIsInputChangedWithTheReadErrorInside()
    {
        using var temp = new TempDirectory();
        string path = temp.File("rows.npy");
        VectorFileWriter.Write(TestData.Source(Rows), path, VectorFileFormat.Npy, CancellationToken.None);
        var truncate = new Progress(report =>
        {
            if (report is IterationReport { Iteration: 1 })
            {
                using FileStream file = File.OpenWrite(path);
                file.SetLength(file.Length - 4096);
            }
        });

        using IVectorSource source = VectorFile.Open(path);
        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(source, Options(DistanceMetric.L2), truncate));

        Assert.Equal(KMeansErrorKind.InputChanged, error.Kind);
        Assert.StartsWith($"{path} cannot be read again as it was sampled (", error.Message);
        Assert.Equal(path, error.Target);
        Assert.Equal(KMeansErrorKind.InvalidFile, Assert.IsType<KMeansException>(error.InnerException).Kind);
    }

    [Fact]
    public void AFileRemovedDuringTrainingIsInputChanged()
    {
        using var temp = new TempDirectory();
        string path = temp.File("rows.fvecs");
        VectorFileWriter.Write(TestData.Source(Rows), path, VectorFileFormat.Fvecs, CancellationToken.None);
        var remove = new Progress(report =>
        {
            if (report is IterationReport { Iteration: 1 })
                File.Delete(path);
        });

        using IVectorSource source = VectorFile.Open(path);
        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(source, Options(DistanceMetric.L2), remove));

        Assert.Equal(KMeansErrorKind.InputChanged, error.Kind);
        Assert.StartsWith($"{path} cannot be read again as it was sampled (", error.Message);
    }

    /// <summary>Each sampled row's origin is indexed by one array: a sample of more rows is refused before sampling.</summary>
    [Fact]
    public void ASampleTooLargeToIndexIsRefusedBeforeSampling()
    {
        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(new UnknownLengthSource(TestData.Source(Rows)),
            Options(DistanceMetric.L2) with { K = 2, SampleRate = int.MaxValue }));

        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.Equal($"A sample of {2L * int.MaxValue} rows is more than the {Array.MaxLength} supported. Lower SampleRate.", error.Message);
    }

    [Fact]
    public void TheFinalPassReportsItsProgressThroughTheInput()
    {
        var reports = new List<FinalPassProgress>();
        KMeansTrainer.Train(TestData.Source(Rows), Options(DistanceMetric.L2),
            new Progress(report => { if (report is FinalPassProgress pass) reports.Add(pass); }));

        Assert.Equal([new FinalPassProgress(1024, Rows.Length), new FinalPassProgress(Rows.Length, Rows.Length)], reports);
    }

    /// <summary>Synchronous, unlike System.Progress, which posts to the thread pool.</summary>
    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private sealed class CountingRangeSource(IVectorSource inner) : IVectorSource, IRowRangeSource
    {
        public int BatchReads { get; private set; }

        public long RowsReadByRange { get; private set; }

        public string Description => inner.Description;

        public int Dimension => inner.Dimension;

        public long? RowCount => inner.RowCount;

        public bool ReadsRowRanges => true;

        public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
        {
            BatchReads++;
            return inner.ReadBatches(cancellationToken);
        }

        public void ReadRows(long firstRow, int count, Span<float> destination)
        {
            RowsReadByRange += count;
            ((IRowRangeSource)inner).ReadRows(firstRow, count, destination);
        }

        public void Dispose() => inner.Dispose();
    }

    private sealed class TruncatedOnSecondRead(IVectorSource inner, long keptRows, Func<int> countRead) : IVectorSource
    {
        public string Description => inner.Description;

        public int Dimension => inner.Dimension;

        public long? RowCount => inner.RowCount;

        public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
        {
            bool truncated = countRead() > 1;
            foreach (VectorBatch batch in inner.ReadBatches(cancellationToken))
            {
                if (!truncated || batch.FirstRow + batch.RowCount <= keptRows)
                {
                    yield return batch;
                    continue;
                }
                int kept = (int)Math.Max(0, keptRows - batch.FirstRow);
                if (kept > 0)
                    yield return new VectorBatch(batch.FirstRow, kept, batch.Values[..(kept * Dimension)]);
                yield break;
            }
        }

        public void Dispose() => inner.Dispose();
    }
}
