using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Planning;
using KMeans.Core.Sampling;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

/// <summary>
/// Training on projected rows (<see cref="KMeansOptions.TrainDimension"/>): full-dimension centroids, sizes and loss;
/// deterministic across buffers, threads and whether the projection is taken while sampling or from a built sample.
/// </summary>
public class TrainDimensionTests
{
    internal const int Dimension = 96;
    internal static readonly float[][] Rows = TestData.Blobs(clusters: 10, perCluster: 120, dimension: Dimension, spread: 4, seed: 8).Rows;

    internal static KMeansOptions Options(DistanceMetric distance) =>
        new() { K = 10, Seed = 5, Distance = distance, MaxIterations = 12, TrainDimension = 16 };

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Dot)]
    public void InMemoryOnDiskAndThreadCountsAreBitIdentical(DistanceMetric distance)
    {
        KMeansOptions options = Options(distance) with { MeasureNearestCentroidAgreement = true };

        KMeansResult inMemory = KMeansTrainer.Train(TestData.Source(Rows), options with { MaxDegreeOfParallelism = 1 });
        KMeansResult onDisk = KMeansTrainer.Train(TestData.Source(Rows), options with { OnDisk = true, MaxDegreeOfParallelism = 3 });

        DeterminismTests.AssertIdentical(inMemory, onDisk);
        Assert.Equal(inMemory.TrainDimensionLoss, onDisk.TrainDimensionLoss);
        Assert.Equal(inMemory.NearestCentroidAgreement, onDisk.NearestCentroidAgreement);
        Assert.Equal(Dimension, inMemory.Dimension);
        Assert.Equal(16, inMemory.TrainDimension);
    }

    /// <summary>
    /// Rows that repeat (two vectors, 60 copies each, fewer distinct rows than K) give each distinct row its own
    /// centroid (exactly under L2, to rounding under Cosine, whose mean is normalised again) and leave the other
    /// clusters empty copies, as at full dimension: no repair moves a centroid off its rows.
    /// </summary>
    [Theory]
    [InlineData(DistanceMetric.L2, true)]
    [InlineData(DistanceMetric.L2, false)]
    [InlineData(DistanceMetric.Cosine, true)]
    public void RepeatedRowsKeepTheirOwnCentroidsAsAtFullDimension(DistanceMetric distance, bool fromFile)
    {
        float[][] rows = Enumerable.Range(0, 120).Select(i => i % 2 == 0 ? Rows[0] : Rows[500]).ToArray();
        var options = new KMeansOptions { K = 8, Seed = 3, Distance = distance, TrainDimension = 4 };
        using var temp = new TempDirectory();
        string path = temp.File("repeated.npy");
        VectorFileWriter.Write(TestData.Source(rows), path, VectorFileFormat.Npy, CancellationToken.None);

        KMeansResult full = KMeansTrainer.Train(TestData.Source(rows), options with { TrainDimension = null });
        KMeansResult reduced;
        using (IVectorSource source = fromFile ? VectorFile.Open(path) : TestData.Source(rows))
            reduced = KMeansTrainer.Train(source, options);

        Assert.Equal(2, reduced.DistinctRows);
        Assert.False(reduced.ProjectionMergedRows);
        Assert.Equal(full.ClusterSizes, reduced.ClusterSizes);
        for (int i = 0; i < full.Centroids.Length; i++)
            Assert.Equal(full.Centroids[i], reduced.Centroids[i], distance == DistanceMetric.L2 ? 0 : 1e-7f);
        Assert.Equal(0, full.Loss, distance == DistanceMetric.L2 ? 0 : 1e-4);
        Assert.Equal(0, reduced.Loss, distance == DistanceMetric.L2 ? 0 : 1e-4);
    }

    /// <summary>Under Cosine in 1 dimension every row projects to +1 or −1: rows the projection merged, not the input.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RowsMergedByTheProjectionAreToldFromRepeatedRows(bool fromFile)
    {
        var options = new KMeansOptions { K = 8, Seed = 3, Distance = DistanceMetric.Cosine, TrainDimension = 1 };
        using var temp = new TempDirectory();
        string path = temp.File("rows.npy");
        VectorFileWriter.Write(TestData.Source(Rows), path, VectorFileFormat.Npy, CancellationToken.None);

        KMeansResult reduced;
        using (IVectorSource source = fromFile ? VectorFile.Open(path) : TestData.Source(Rows))
            reduced = KMeansTrainer.Train(source, options);

        Assert.Equal(2, reduced.DistinctRows);
        Assert.True(reduced.ProjectionMergedRows);
        Assert.Null(KMeansTrainer.Train(TestData.Source(Rows), options with { TrainDimension = 16 }).ProjectionMergedRows);
    }

    [Fact]
    public void ProjectingWhileSamplingEqualsProjectingABuiltSample()
    {
        KMeansOptions options = Options(DistanceMetric.L2);
        using TrainingBuffer sample = Sample(Rows, onDisk: true);

        KMeansResult fromSource = KMeansTrainer.Train(TestData.Source(Rows), options);
        KMeansResult fromBuffer = KMeansTrainer.Train(sample, options);

        DeterminismTests.AssertIdentical(fromSource, fromBuffer);
    }

    /// <summary>
    /// Not Dot: an inner product is not a distance, and 16 dimensions keep it only to about ‖x‖·‖c‖/4, so rows of a
    /// blob far from the origin can prefer another centroid in the full dimension.
    /// </summary>
    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    public void WellSeparatedBlobsKeepTheirPartition(DistanceMetric distance)
    {
        KMeansOptions options = Options(distance) with { MeasureNearestCentroidAgreement = true };

        KMeansResult reduced = KMeansTrainer.Train(TestData.Source(Rows), options);
        KMeansResult full = KMeansTrainer.Train(TestData.Source(Rows), options with { TrainDimension = null });

        Assert.Equal(1.0, reduced.NearestCentroidAgreement);
        Assert.Null(full.TrainDimension);
        Assert.Null(full.NearestCentroidAgreement);
        Assert.InRange(reduced.Loss, full.Loss * (1 - 1e-4), full.Loss * (1 + 1e-4) + 1e-6);
        Assert.Equal(full.ClusterSizes.Order(), reduced.ClusterSizes.Order());
    }

    [Fact]
    public void CentroidsAreTheMeansOfTheirRowsAndTheLossIsTheFullDimensionInertia()
    {
        KMeansResult result = KMeansTrainer.Train(TestData.Source(Rows), Options(DistanceMetric.L2));
        KMeansResult measured = KMeansTrainer.Train(TestData.Source(Rows),
            Options(DistanceMetric.L2) with { MeasureNearestCentroidAgreement = true });

        Assert.Null(result.NearestCentroidAgreement);
        Assert.Equal(1.0, measured.NearestCentroidAgreement);
        DeterminismTests.AssertIdentical(result, measured);
        var sums = new double[result.K * Dimension];
        var sizes = new long[result.K];
        double inertia = 0;
        foreach (float[] row in Rows)
        {
            (int nearest, double distance) = Nearest(result, row);
            inertia += distance;
            sizes[nearest]++;
            for (int j = 0; j < Dimension; j++)
                sums[nearest * Dimension + j] += row[j];
        }

        // Every row's nearest centroid is the one it was trained into (agreement 1), so the means are of these rows.
        Assert.Equal(sizes, result.ClusterSizes);
        for (int c = 0; c < result.K; c++)
        {
            for (int j = 0; j < Dimension; j++)
                Assert.Equal((float)(sums[c * Dimension + j] / sizes[c]), result.Centroids[c * Dimension + j]);
        }
        Assert.InRange(result.Loss, inertia * (1 - 1e-5), inertia * (1 + 1e-5));
        Assert.InRange(measured.NearestCentroidLoss!.Value, inertia * (1 - 1e-5), inertia * (1 + 1e-5));
        Assert.NotEqual(result.Loss, result.TrainDimensionLoss);
    }

    /// <summary>
    /// On overlapping rows, and with the best of three redos kept, the final pass partitions the rows by their nearest
    /// trained centroid in the training dimension (those of a plain training on the projected rows, same seed); the
    /// centroids are the partition's means and the loss its row-by-row loss, to double precision.
    /// </summary>
    [Fact]
    public void TheFinalPartitionIsEveryRowsNearestTrainedCentroid()
    {
        const int d = 40, m = 8;
        float[][] rows = TestData.Uniform(600, d, seed: 21);
        var options = new KMeansOptions { K = 12, Seed = 9, MaxIterations = 4, Redos = 3, TrainDimension = m };
        RandomizedHadamardProjection projection = RandomizedHadamardProjection.Create(d, m, seed: 9);
        float[][] projected = rows.Select(row =>
        {
            var values = new float[m];
            projection.Project(row, values, projection.NewScratch());
            return values;
        }).ToArray();

        KMeansResult reduced = KMeansTrainer.Train(TestData.Source(rows), options);
        KMeansResult trained = KMeansTrainer.Train(TestData.Source(projected), options with { TrainDimension = null });

        var sizes = new long[options.K];
        var sums = new double[options.K * d];
        int[] labels = projected.Select(row => Nearest(trained, row, m).Cluster).ToArray();
        for (int row = 0; row < rows.Length; row++)
        {
            sizes[labels[row]]++;
            for (int j = 0; j < d; j++)
                sums[labels[row] * d + j] += rows[row][j];
        }
        Assert.False(reduced.Converged);
        Assert.Equal(sizes, reduced.ClusterSizes);
        double loss = 0;
        for (int row = 0; row < rows.Length; row++)
        {
            for (int j = 0; j < d; j++)
            {
                float mean = (float)(sums[labels[row] * d + j] / sizes[labels[row]]);
                Assert.Equal(mean, reduced.Centroids[labels[row] * d + j]);
                loss += ((double)rows[row][j] - mean) * ((double)rows[row][j] - mean);
            }
        }
        Assert.InRange(reduced.Loss, loss * (1 - 1e-12), loss * (1 + 1e-12));
    }

    [Fact]
    public void HierarchicalTrainingInTheReducedDimensionIsDeterministic()
    {
        KMeansOptions options = Options(DistanceMetric.L2) with
        {
            K = 30, Hierarchical = HierarchicalMode.On, HierarchicalK = 4, MeasureNearestCentroidAgreement = true,
        };

        KMeansResult inMemory = KMeansTrainer.Train(TestData.Source(Rows), options);
        KMeansResult onDisk = KMeansTrainer.Train(TestData.Source(Rows), options with { OnDisk = true, MaxDegreeOfParallelism = 1 });

        DeterminismTests.AssertIdentical(inMemory, onDisk);
        Assert.Equal(30, inMemory.ClusterSizes.Length);
        Assert.Equal(Rows.Length, inMemory.ClusterSizes.Sum());
        Assert.InRange(inMemory.NearestCentroidAgreement!.Value, 0.5, 1);
        Assert.InRange(inMemory.NearestCentroidLoss!.Value, 0, inMemory.Loss * (1 + 1e-6));
        Assert.Equal(inMemory.NearestCentroidLoss, onDisk.NearestCentroidLoss);
        // The tree's levels describe the training in the reduced dimension; the final pass keeps them.
        Assert.True(inMemory.Levels.Count >= 2, $"{inMemory.Levels.Count} levels");
        // Gathering passes depend on where the sample lies, not on what was trained.
        Assert.Equal(inMemory.Levels.Select(level => level with { GatheringPasses = 0 }),
            onDisk.Levels.Select(level => level with { GatheringPasses = 0 }));
    }

    [Fact]
    public void FullDimensionInitialCentroidsAreProjected()
    {
        float[][] initial = Enumerable.Range(0, 10).Select(c => Rows[c]).ToArray();
        KMeansOptions options = Options(DistanceMetric.L2) with { InitialCentroids = initial, MeasureNearestCentroidAgreement = true };

        KMeansResult result = KMeansTrainer.Train(TestData.Source(Rows), options);

        Assert.Equal(Dimension, result.Dimension);
        Assert.Equal(1.0, result.NearestCentroidAgreement);
    }

    [Theory]
    [InlineData(0, "TrainDimension must be at least 1")]
    [InlineData(Dimension, "less than the vectors' 96 dimensions")]
    public void ABadTrainingDimensionIsRefusedBeforeSampling(int trainDimension, string message)
    {
        var error = Assert.Throws<KMeansException>(() =>
            KMeansTrainer.Train(TestData.Source(Rows), Options(DistanceMetric.L2) with { TrainDimension = trainDimension }));

        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void CancellationStopsTrainingOrTheFinalPassAndLeavesNoFile(int cancelAtIteration)
    {
        // Iteration 3 is the last: cancelling there leaves only the final full-dimension pass to notice it.
        using var temp = new TempDirectory();
        using var cancel = new CancellationTokenSource();
        int iterationsSeen = 0;
        var progress = new SynchronousProgress(report =>
        {
            if (report is IterationReport && ++iterationsSeen == cancelAtIteration)
                cancel.Cancel();
        });
        KMeansOptions options = Options(DistanceMetric.L2) with
        {
            OnDisk = true, TempDirectory = temp.Path, MaxIterations = 3, Tolerance = 0,
        };

        Assert.ThrowsAny<OperationCanceledException>(() =>
            KMeansTrainer.Train(TestData.Source(Rows), options, progress, cancel.Token));

        Assert.Equal(cancelAtIteration, iterationsSeen);
        Assert.Empty(temp.Entries());
    }

    [Fact]
    public void AnInMemorySampleWhoseProjectionDoesNotFitBesideItIsRefusedBeforeAnythingIsAllocated()
    {
        // The full sample alone takes 70 % of the memory available and fits; with its 15-of-16-dimension projection it
        // needs 136 %. The resource plan counts both before either buffer is created, where both are kept (measuring
        // the agreement keeps the full rows; balancing and pipeline input do too).
        float[][] rows = TestData.Uniform(50, 16, seed: 1);
        long available = AvailableMemory.Bytes();
        int sampleRate = (int)Math.Min(int.MaxValue, available * 7 / 10 / (16 * sizeof(float)) / 10);
        long needed = 10L * sampleRate * (16 + 15) * sizeof(float);

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(new UnknownLengthSource(TestData.Source(rows)),
            new KMeansOptions { K = 10, SampleRate = sampleRate, TrainDimension = 15, Seed = 1, MeasureNearestCentroidAgreement = true }));

        Assert.Equal(KMeansErrorKind.InsufficientMemory, error.Kind);
        Assert.StartsWith("The in-memory run needs ", error.Message);
        Assert.Contains($"(sample {needed:N0}, working set ", error.Message);
    }

    private static TrainingBuffer Sample(float[][] rows, bool onDisk)
    {
        TrainingBuffer sample = TrainingBuffer.Create(onDisk, rows.Length, Dimension, Path.GetTempPath());
        sample.WriteRows(0, rows.SelectMany(row => row).ToArray());
        sample.Seal(rows.Length);
        return sample;
    }

    private static (int Cluster, double SquaredDistance) Nearest(KMeansResult result, float[] row, int dimension = Dimension)
    {
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int c = 0; c < result.K; c++)
        {
            ReadOnlySpan<float> centroid = result.Centroid(c);
            double distance = 0;
            for (int j = 0; j < dimension; j++)
                distance += (double)(row[j] - centroid[j]) * (row[j] - centroid[j]);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = c;
            }
        }
        return (best, bestDistance);
    }

    /// <summary>Reports on the trainer's thread, so that a cancellation lands where the test asks for it.</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> onReport) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => onReport(value);
    }
}
