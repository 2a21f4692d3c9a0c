using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Sampling;
using KMeans.Core.Tests.Training;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Pipeline;

/// <summary>Pipeline input sampled as it arrives: a buffer bounded by the sample, a uniform seeded reservoir beyond it.</summary>
public sealed class PipelineSampleTests
{
    private static readonly float[][] Blobs = TestData.Blobs(clusters: 6, perCluster: 200, dimension: 8, spread: 4, seed: 11).Rows;

    [Fact]
    public void TheFirstVectorFixesTheDimensionAndARejectedItemKeepsItsIndex()
    {
        using var sample = new PipelineSample(new KMeansOptions { K = 1 }, seed: 1);

        Assert.Null(sample.Add([1f, 2f]));
        KMeansException? mismatch = sample.Add([1f, 2f, 3f]);
        sample.AddRejected();
        Assert.Null(sample.Add([5f, 6f]));

        Assert.NotNull(mismatch);
        Assert.Equal(KMeansErrorKind.DimensionMismatch, mismatch.Kind);
        Assert.Equal("Input item 1 has 3 values, but every vector must have 2, like the first vector.", mismatch.Message);
        Assert.Equal(1L, mismatch.Target);
        Assert.Equal(2, sample.Dimension);
        Assert.Equal(4, sample.NextIndex);
        Assert.Equal(2, sample.AcceptedCount);
        using ProjectedSample sealedSample = sample.Seal(out SamplingSummary summary);
        Assert.Equal([1f, 2f, 5f, 6f], sealedSample.Full!.Rows(0, 2).ToArray());
        Assert.Equal(new SamplingSummary(RowsRead: 4, RowsSampled: 2, NullRowsSkipped: 2, NonFiniteRowsSkipped: 0), summary);
    }

    [Fact]
    public void APipelineWithoutVectorsIsNoRows()
    {
        using var sample = new PipelineSample(new KMeansOptions { K = 1 }, seed: 1);
        sample.AddRejected();

        Assert.Equal(KMeansErrorKind.NoRows, Assert.Throws<KMeansException>(() => sample.Dimension).Kind);
        Assert.Equal(KMeansErrorKind.NoRows, Assert.Throws<KMeansException>(() => sample.Seal(out _)).Kind);
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    public void UpToTheSampleSizeEveryRowIsTakenInOrderAsFromAFile(DistanceMetric distance)
    {
        var options = new KMeansOptions { K = 6, SampleRate = 256, Distance = distance };
        float[][] fromFile = FromFile(TestData.Source(Blobs), options, seed: 3);

        float[][] piped = Piped(Blobs, options, seed: 3, out SamplingSummary summary);

        Assert.Equal(Blobs.Length, piped.Length);
        Assert.Equal(fromFile, piped);
        Assert.Equal(new SamplingSummary(Blobs.Length, Blobs.Length, 0, 0), summary);
    }

    [Fact]
    public void ASmallPipelineTrainsToTheCentroidsOfTheSameRowsInAFile()
    {
        var options = new KMeansOptions { K = 6, Seed = 5 };
        KMeansResult fromFile = KMeansTrainer.Train(TestData.Source(Blobs), options);

        using PipelineSample sample = Fill(Blobs, options, seed: 5);
        KMeansResult piped = KMeansTrainer.Train(sample, options, checkpoint: null);

        DeterminismTests.AssertIdentical(fromFile, piped);
        Assert.Equal(5, piped.Seed);
    }

    [Fact]
    public void MoreRowsThanTheSampleLeaveTheBufferAtTheSampleSize()
    {
        var options = new KMeansOptions { K = 4, SampleRate = 8 };
        float[][] rows = TestData.Uniform(rows: 5000, dimension: 3, seed: 2);

        using PipelineSample sample = Fill(rows, options, seed: 9);
        Assert.Equal(32, sample.Capacity);
        Assert.Equal(32, sample.RowsSampled);
        using ProjectedSample sealedSample = sample.Seal(out SamplingSummary summary);

        Assert.Equal(32, sealedSample.Full!.CapacityRows);
        Assert.Equal(new SamplingSummary(5000, 32, 0, 0), summary);
        var offered = rows.Select(r => string.Join(',', r)).ToHashSet();
        for (int i = 0; i < 32; i++)
            Assert.Contains(string.Join(',', sealedSample.Full!.Rows(i, 1).ToArray()), offered);
    }

    [Fact]
    public void TheSameSeedKeepsTheSameRowsAndAnotherSeedOthers()
    {
        var options = new KMeansOptions { K = 2, SampleRate = 50 };
        float[][] rows = Indexed(3000);

        Assert.Equal(Piped(rows, options, 42, out _), Piped(rows, options, 42, out _));
        Assert.NotEqual(Piped(rows, options, 42, out _), Piped(rows, options, 43, out _));
    }

    /// <summary>
    /// Over 2,000 fixed seeds, a reservoir of 100 of 1,000 rows must take every row equally often: each position's
    /// count is then binomial (2,000 draws of p = 0.1: mean 200, variance 180), and the sum over the 1,000 positions of
    /// the squared standardised deviations follows a chi-square law with 999 degrees of freedom (one is lost because
    /// each seed takes exactly 100 rows). It stays below 1,142.8, the 0.1 % critical value (Wilson–Hilferty); a sampler
    /// that never took one row would add 220 on its own, and one that favoured the first rows thousands.
    /// </summary>
    [Fact]
    public void TheReservoirTakesEveryPositionEquallyOften()
    {
        const int rows = 1000, capacity = 100, seeds = 2000;
        var options = new KMeansOptions { K = 1, SampleRate = capacity };
        float[][] indexed = Indexed(rows);
        var counts = new long[rows];
        for (int seed = 0; seed < seeds; seed++)
        {
            int[] taken = Piped(indexed, options, seed, out _).Select(row => (int)row[0]).ToArray();
            Assert.Equal(capacity, taken.Distinct().Count());
            foreach (int index in taken)
                counts[index]++;
        }

        double statistic = ChiSquare(counts, (double)capacity / rows);
        Assert.True(statistic < 1142.8, $"chi-square {statistic:F1}; first counts [{string.Join(", ", counts.Take(12))}]");
    }

    [Fact]
    public void TheUniformityStatisticRejectsAReservoirThatNeverReplacesItsFirstRow()
    {
        var counts = Enumerable.Repeat(198L, 1000).ToArray();
        counts[0] = 2000;

        Assert.True(ChiSquare(counts, 0.1) > 1142.8);
    }

    [Fact]
    public void ANonFiniteValueFailsNamingItsItemIndexEvenBeyondTheSample()
    {
        var options = new KMeansOptions { K = 1, SampleRate = 2 };
        using var sample = new PipelineSample(options, seed: 1);
        sample.AddRejected();
        for (int i = 1; i < 40; i++)
            Assert.Null(sample.Add([i, i]));

        KMeansException error = Assert.Throws<KMeansException>(() => sample.Add([1f, float.NaN]));

        Assert.Equal(KMeansErrorKind.NonFiniteValue, error.Kind);
        Assert.StartsWith("Row 40 of pipeline input holds NaN at column 1", error.Message);
        Assert.Equal(40L, error.Target);
    }

    [Fact]
    public void PipedValuesWhoseSquaresUnderflowAreRefusedWhenTheInputEnds()
    {
        using var sample = new PipelineSample(new KMeansOptions { K = 2 }, seed: 1);
        for (int i = 1; i <= 10; i++)
            Assert.Null(sample.Add([i * 1e-25f, 0]));

        KMeansException error = Assert.Throws<KMeansException>(() => sample.Seal(out _));

        Assert.Equal(KMeansErrorKind.ValueOutOfRange, error.Kind);
        Assert.StartsWith("Every value sampled from pipeline input is below 8.67E-19 in magnitude: under L2 distance", error.Message);
    }

    [Fact]
    public void SkipNonFiniteDropsAndCountsSuchRows()
    {
        var options = new KMeansOptions { K = 1, SkipNonFinite = true };
        using var sample = new PipelineSample(options, seed: 1);
        sample.Add([1f, 2f]);
        sample.Add([float.PositiveInfinity, 2f]);
        sample.Add([3f, 4f]);

        using ProjectedSample sealedSample = sample.Seal(out SamplingSummary summary);

        Assert.Equal([1f, 2f, 3f, 4f], sealedSample.Full!.Rows(0, 2).ToArray());
        Assert.Equal(new SamplingSummary(3, 2, 0, 1), summary);
    }

    [Fact]
    public void AZeroVectorUnderCosineFailsNamingItsItemIndex()
    {
        using var sample = new PipelineSample(new KMeansOptions { K = 1, Distance = DistanceMetric.Cosine }, seed: 1);
        sample.Add([1f, 0f]);
        sample.Add([1f]);

        KMeansException error = Assert.Throws<KMeansException>(() => sample.Add([0f, 0f]));

        Assert.Equal(KMeansErrorKind.ZeroVector, error.Kind);
        Assert.StartsWith("Row 2 of pipeline input is the zero vector", error.Message);
        Assert.Equal(2L, error.Target);
    }

    [Fact]
    public void FewerUsableRowsThanKIsNotEnoughRows()
    {
        using var sample = new PipelineSample(new KMeansOptions { K = 3, SkipNonFinite = true }, seed: 1);
        sample.Add([1f]);
        sample.Add([float.NaN]);
        sample.Add([2f]);

        KMeansException error = Assert.Throws<KMeansException>(() => sample.Seal(out _));

        Assert.Equal(KMeansErrorKind.NotEnoughRows, error.Kind);
        Assert.Equal("K is 3, but pipeline input has only 2 usable rows (0 null and 1 non-finite rows skipped): K cannot exceed the number of rows.",
            error.Message);
    }

    [Fact]
    public void OnDiskHoldsTheSameSampleAndLeavesNoFile()
    {
        using var temp = new TempDirectory();
        var options = new KMeansOptions { K = 4, SampleRate = 16, Seed = 8 };
        float[][] rows = TestData.Uniform(rows: 2000, dimension: 5, seed: 4);

        float[][] inMemory = Piped(rows, options, 8, out _);
        float[][] onDisk = Piped(rows, options with { OnDisk = true, TempDirectory = temp.Path }, 8, out _);
        using (PipelineSample abandoned = Fill(rows, options with { OnDisk = true, TempDirectory = temp.Path }, seed: 8))
        {
        }

        Assert.Equal(inMemory, onDisk);
        Assert.Empty(temp.Entries());
    }

    [Fact]
    public void ALargePipelineTrainsToTheSameCentroidsOnOneThreadAndAll()
    {
        float[][] rows = TestData.Blobs(clusters: 5, perCluster: 800, dimension: 6, spread: 5, seed: 3).Rows;
        var options = new KMeansOptions { K = 5, SampleRate = 100, Seed = 12 };

        KMeansResult single = TrainPiped(rows, options with { MaxDegreeOfParallelism = 1 });
        KMeansResult all = TrainPiped(rows, options with { MaxDegreeOfParallelism = -1 });
        KMeansResult again = TrainPiped(rows, options with { MaxDegreeOfParallelism = -1 });

        Assert.Equal(500, single.SampleRows);
        Assert.Equal(4000, single.Sampling!.RowsRead);
        DeterminismTests.AssertIdentical(single, all);
        DeterminismTests.AssertIdentical(all, again);
    }

    [Fact]
    public void ATrainDimensionProjectsTheSampledRows()
    {
        float[][] rows = TestData.Blobs(clusters: 4, perCluster: 500, dimension: 16, spread: 3, seed: 6).Rows;
        var options = new KMeansOptions { K = 4, SampleRate = 64, Seed = 2, TrainDimension = 4 };

        KMeansResult first = TrainPiped(rows, options);
        KMeansResult second = TrainPiped(rows, options with { OnDisk = true });

        Assert.Equal(4, first.TrainDimension);
        Assert.Equal(256, first.SampleRows);
        DeterminismTests.AssertIdentical(first, second);
    }

    private static KMeansResult TrainPiped(float[][] rows, KMeansOptions options)
    {
        using PipelineSample sample = Fill(rows, options, options.Seed!.Value);
        return KMeansTrainer.Train(sample, options, checkpoint: null);
    }

    private static PipelineSample Fill(float[][] rows, KMeansOptions options, int seed)
    {
        var sample = new PipelineSample(options, seed);
        foreach (float[] row in rows)
            Assert.Null(sample.Add(row));
        return sample;
    }

    private static float[][] Piped(float[][] rows, KMeansOptions options, int seed, out SamplingSummary summary)
    {
        using PipelineSample sample = Fill(rows, options, seed);
        using ProjectedSample sealedSample = sample.Seal(out summary);
        return RowsOf(sealedSample.Full!);
    }

    private static float[][] FromFile(IVectorSource source, KMeansOptions options, int seed)
    {
        using (source)
        using (TrainingBuffer buffer = SampleBuilder.Build(source, options, seed, null, CancellationToken.None, out _))
            return RowsOf(buffer);
    }

    private static float[][] RowsOf(TrainingBuffer buffer) =>
        Enumerable.Range(0, checked((int)buffer.RowCount)).Select(i => buffer.Rows(i, 1).ToArray()).ToArray();

    /// <summary>Rows that carry their own index, so that a sampled row tells which row it was.</summary>
    private static float[][] Indexed(int rows) => Enumerable.Range(0, rows).Select(i => new[] { (float)i, 1f }).ToArray();

    /// <summary>Squared deviations from the mean count, each over the binomial variance of a position taken with probability <paramref name="taken"/>.</summary>
    private static double ChiSquare(long[] counts, double taken)
    {
        double expected = counts.Sum() / (double)counts.Length;
        double variance = expected * (1 - taken);
        return counts.Sum(c => (c - expected) * (c - expected) / variance);
    }
}
