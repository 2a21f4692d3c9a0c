using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Planning;
using KMeans.Core.Sampling;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

public class BadInputTests
{
    private static readonly float[][] Rows = TestData.Uniform(rows: 50, dimension: 4, seed: 1);

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void KBelowOneIsRejected(int k)
    {
        var error = Train(Rows, new KMeansOptions { K = k });
        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.Contains($"K must be at least 1, but was {k}", error.Message);
    }

    [Fact]
    public void KAboveTheRowCountIsRejectedBeforeAnythingIsWritten()
    {
        using var temp = new TempDirectory();
        var error = Train(Rows, new KMeansOptions { K = 51, OnDisk = true, TempDirectory = temp.Path });
        Assert.Equal(KMeansErrorKind.NotEnoughRows, error.Kind);
        Assert.Contains("K is 51", error.Message);
        Assert.Contains("only 50 usable rows", error.Message);
        Assert.Empty(temp.Entries());
    }

    [Fact]
    public void KAboveTheUsableRowsOfAnUnknownLengthSourceIsRejectedAfterSampling()
    {
        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(new UnknownLengthSource(TestData.Source(Rows)), new KMeansOptions { K = 60 }));
        Assert.Equal(KMeansErrorKind.NotEnoughRows, error.Kind);
    }

    [Theory]
    [InlineData(nameof(KMeansOptions.MaxIterations), "MaxIterations must be at least 1, but was 0")]
    [InlineData(nameof(KMeansOptions.Tolerance), "Tolerance must be a finite number ≥ 0, but was -1")]
    [InlineData(nameof(KMeansOptions.Redos), "Redos must be at least 1, but was 0")]
    [InlineData(nameof(KMeansOptions.SampleRate), "SampleRate must be at least 1, but was 0")]
    [InlineData(nameof(KMeansOptions.MaxDegreeOfParallelism), "MaxDegreeOfParallelism must be -1 (all cores) or at least 1, but was 0")]
    public void EveryBadOptionIsNamed(string option, string message)
    {
        var options = new KMeansOptions { K = 2 };
        options = option switch
        {
            nameof(KMeansOptions.MaxIterations) => options with { MaxIterations = 0 },
            nameof(KMeansOptions.Tolerance) => options with { Tolerance = -1 },
            nameof(KMeansOptions.Redos) => options with { Redos = 0 },
            nameof(KMeansOptions.SampleRate) => options with { SampleRate = 0 },
            _ => options with { MaxDegreeOfParallelism = 0 },
        };
        var error = Train(Rows, options);
        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void DimensionZeroIsRejected()
    {
        var error = Assert.Throws<KMeansException>(() => new InMemoryVectorSource([[], []]));
        Assert.Equal(KMeansErrorKind.DimensionMismatch, error.Kind);
        Assert.Contains("dimension must be at least 1", error.Message);
    }

    [Fact]
    public void RowsOfUnequalLengthAreRejectedNamingTheRow()
    {
        var error = Assert.Throws<KMeansException>(() => new InMemoryVectorSource([[1f, 2f], [3f, 4f], [5f]]));
        Assert.Equal(KMeansErrorKind.DimensionMismatch, error.Kind);
        Assert.Contains("Row 2", error.Message);
        Assert.Contains("has 1 values, but row 0 has 2", error.Message);
    }

    /// <summary>
    /// Values of 1e-30 are finite, but their squares underflow float: under L2 and Dot every row would score 0 against
    /// every centroid (one cluster, loss 0). Refused with the remedy; Cosine, which normalises first, trains them, and
    /// one row of ordinary scale among them, or rows of zeros, are no reason to refuse.
    /// </summary>
    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Dot)]
    public void ASampleOfValuesWhoseSquaresUnderflowIsRefused(DistanceMetric metric)
    {
        float[][] tiny = [.. TestData.Blobs(clusters: 2, perCluster: 50, dimension: 8, spread: 0.1, seed: 3).Rows
            .Select(row => row.Select(value => value * 1e-30f).ToArray())];
        var options = new KMeansOptions { K = 2, Seed = 1, Distance = metric };

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source(tiny), options));
        Assert.Equal(KMeansErrorKind.ValueOutOfRange, error.Kind);
        Assert.Equal($"Every value sampled from test rows is below 8.67E-19 in magnitude: under {metric} distance their squares " +
            "and products underflow float32, so every row would look alike. Multiply the vectors by a common factor (k-means " +
            "does not depend on one), or use Cosine distance.", error.Message);
        var onDisk = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source(tiny), options with { OnDisk = true }));
        Assert.Equal(error.Message, onDisk.Message);

        KMeansResult cosine = KMeansTrainer.Train(TestData.Source(tiny), options with { Distance = DistanceMetric.Cosine });
        Assert.Equal([50L, 50L], cosine.ClusterSizes.Order());
        KMeansTrainer.Train(TestData.Source([.. tiny, [1, 0, 0, 0, 0, 0, 0, 0]]), options);
        KMeansTrainer.Train(TestData.Source([.. Enumerable.Range(0, 10).Select(_ => new float[8])]), options);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void NonFiniteValuesAreRejectedNamingRowAndColumn(float bad, string shown)
    {
        float[][] rows = Rows.Select(r => (float[])r.Clone()).ToArray();
        rows[37][3] = bad;
        var error = Train(rows, new KMeansOptions { K = 2 });
        Assert.Equal(KMeansErrorKind.NonFiniteValue, error.Kind);
        Assert.Contains($"Row 37 of test rows holds {shown} at column 3", error.Message);
        Assert.Equal(37L, error.Target);
    }

    [Fact]
    public void SkipNonFiniteDropsAndCountsSuchRows()
    {
        float[][] rows = Rows.Select(r => (float[])r.Clone()).ToArray();
        rows[4][0] = float.NaN;
        rows[9][1] = float.PositiveInfinity;

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions { K = 2, Seed = 1, SkipNonFinite = true });

        Assert.Equal(2, result.Sampling!.NonFiniteRowsSkipped);
        Assert.Equal(48, result.SampleRows);
        Assert.Equal(50, result.Sampling.RowsRead);
    }

    [Fact]
    public void SkippedRowsDoNotShrinkTheSampleBelowTheUsableRows()
    {
        // Half the rows, all at the end, are unusable: the sample must still hold min(SampleRate × K, usable) rows.
        float[][] rows = TestData.Uniform(rows: 300, dimension: 3, seed: 2);
        for (int i = 150; i < 300; i++)
            rows[i][0] = float.NaN;

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows),
            new KMeansOptions { K = 100, SampleRate = 1, Seed = 4, SkipNonFinite = true, MaxIterations = 1 });

        Assert.Equal(100, result.SampleRows);
        Assert.Equal(150, result.Sampling!.NonFiniteRowsSkipped);
    }

    [Fact]
    public void NullRowsDoNotShrinkTheSampleBelowTheUsableRows()
    {
        float[][] rows = TestData.Uniform(rows: 300, dimension: 3, seed: 2);
        var source = new NullTailSource(TestData.Source(rows), firstNull: 150);

        using TrainingBuffer sample = SampleBuilder.Build(source,
            new KMeansOptions { K = 100, SampleRate = 1 }, seed: 4, null, default, out SamplingSummary summary);

        Assert.Equal(100, sample.RowCount);
        Assert.Equal(150, summary.NullRowsSkipped);
        for (long r = 0; r < sample.RowCount; r++)
            Assert.Contains(rows.Take(150), row => row.AsSpan().SequenceEqual(sample.Rows(r, 1)));
    }

    /// <summary>Marks every row from <c>firstNull</c> on as null, as an Arrow or Parquet file with null vectors does.</summary>
    private sealed class NullTailSource(IVectorSource inner, long firstNull) : IVectorSource
    {
        public string Description => inner.Description;

        public int Dimension => inner.Dimension;

        public long? RowCount => inner.RowCount;

        public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken) =>
            inner.ReadBatches(cancellationToken).Select(batch => new VectorBatch(batch.FirstRow, batch.RowCount, batch.Values,
                Enumerable.Range(0, batch.RowCount).Select(i => batch.FirstRow + i >= firstNull).ToArray()));

        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void NoRowsIsRejected()
    {
        var error = Assert.Throws<KMeansException>(() => new InMemoryVectorSource([]));
        Assert.Equal(KMeansErrorKind.NoRows, error.Kind);

        float[][] allBad = [[float.NaN, 1f], [1f, float.NaN]];
        var skipped = Train(allBad, new KMeansOptions { K = 1, SkipNonFinite = true });
        Assert.Equal(KMeansErrorKind.NoRows, skipped.Kind);
        Assert.Contains("2 non-finite", skipped.Message);
    }

    [Fact]
    public void MissingTempDirectoryIsNamed()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"));
        var error = Train(Rows, new KMeansOptions { K = 2, OnDisk = true, TempDirectory = missing });
        Assert.Equal(KMeansErrorKind.TempDirectoryMissing, error.Kind);
        Assert.Contains(missing, error.Message);
    }

    [GatedFact(Gate.Linux)]
    public void UnwritableTempDirectoryIsNamed()
    {
        using var temp = new TempDirectory();
        string deep = temp.NestedBeyondAnyFileName();

        var error = Train(Rows, new KMeansOptions { K = 2, OnDisk = true, TempDirectory = deep });

        Assert.Equal(KMeansErrorKind.TempDirectoryNotWritable, error.Kind);
        Assert.Contains($"Cannot create the on-disk sample in '{deep}': the system reported", error.Message);
        Assert.DoesNotContain(".kmeans-probe", error.Message);
    }

    [Fact]
    public void NotEnoughDiskSpaceFailsBeforeWritingAndNamesDirectoryNeededAndFree()
    {
        using var temp = new TempDirectory();
        long free = new DriveInfo(temp.Path).AvailableFreeSpace;
        // With the row count unknown the sample may hold SampleRate × K rows: far more than any disk here.
        var source = new UnknownLengthSource(TestData.Source(Rows));
        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(source,
            new KMeansOptions { K = 1000, SampleRate = int.MaxValue, OnDisk = true, TempDirectory = temp.Path }));
        Assert.Equal(KMeansErrorKind.InsufficientDiskSpace, error.Kind);
        long needed = 1000L * int.MaxValue * 4 * sizeof(float);
        Assert.Contains($"needs {needed:N0} bytes in '{temp.Path}'", error.Message);
        Assert.Contains("bytes are free", error.Message);
        Assert.True(free < needed);
        Assert.Empty(temp.Entries());
    }

    [Fact]
    public void AnInMemorySampleLargerThanTheAvailableMemoryIsRefusedBeforeAnythingIsAllocated()
    {
        // With the row count unknown the sample may hold SampleRate × K rows: far more memory than any machine here.
        var source = new UnknownLengthSource(TestData.Source(Rows));
        long needed = 1000L * int.MaxValue * 4 * sizeof(float);
        Assert.True(needed > AvailableMemory.Bytes());

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(source,
            new KMeansOptions { K = 1000, SampleRate = int.MaxValue }));

        Assert.Equal(KMeansErrorKind.InsufficientMemory, error.Kind);
        Assert.StartsWith("The in-memory run needs ", error.Message);
        Assert.Contains($"(sample {needed:N0}, working set ", error.Message);
        Assert.Contains("bytes of memory are available. Train with OnDisk", error.Message);
    }

    [Fact]
    public void CentroidsTooManyForOneArrayAreRejectedBeforeSampling()
    {
        long rowsRead = 0;
        var source = new UnknownLengthSource(TestData.Source(TestData.Uniform(rows: 10, dimension: 4096, seed: 1)), rows => rowsRead = rows);

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(source, new KMeansOptions { K = 600_000, OnDisk = true }));

        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.StartsWith("K = 600,000 centroids of 4,096 dimensions are 2,457,600,000 values, more than the 2,147,483,591", error.Message);
        Assert.Equal(0, rowsRead);
    }

    [Fact]
    public void InitialCentroidsOfTheWrongShapeAreRejected()
    {
        var count = Train(Rows, new KMeansOptions { K = 3, InitialCentroids = [[0f, 0f, 0f, 0f]] });
        Assert.Equal(KMeansErrorKind.InitialCentroidsShape, count.Kind);
        Assert.Contains("1 initial centroids were given, but K is 3", count.Message);

        var width = Train(Rows, new KMeansOptions { K = 2, InitialCentroids = [[0f, 0f, 0f, 0f], [1f, 1f]] });
        Assert.Equal(KMeansErrorKind.InitialCentroidsShape, width.Kind);
        Assert.Contains("Initial centroid 1 has 2 values, but the vectors have 4 dimensions", width.Message);
    }

    [Fact]
    public void AZeroRowUnderCosineIsRejectedNamingTheRow()
    {
        float[][] rows = Rows.Select(r => (float[])r.Clone()).ToArray();
        rows[12] = new float[4];
        var error = Train(rows, new KMeansOptions { K = 2, Distance = DistanceMetric.Cosine });
        Assert.Equal(KMeansErrorKind.ZeroVector, error.Kind);
        Assert.Contains("Row 12 of test rows is the zero vector", error.Message);
    }

    [Fact]
    public void AZeroInitialCentroidUnderCosineIsRejected()
    {
        var error = Train(Rows, new KMeansOptions { K = 1, Distance = DistanceMetric.Cosine, InitialCentroids = [new float[4]] });
        Assert.Equal(KMeansErrorKind.ZeroVector, error.Kind);
    }

    private static KMeansException Train(float[][] rows, KMeansOptions options) =>
        Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source(rows), options));
}
