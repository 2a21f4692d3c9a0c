using KMeans.Core.Assigning;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Distance;

/// <summary>
/// Assignment of many rows through the training kernel: on every kernel path the machine runs, for one thread and
/// several, the labels are the training kernel's and a double-precision argmin's, and the n nearest are in order.
/// </summary>
public class BatchAssignmentTests
{
    /// <summary>Kernel paths by name (the enum is internal), each with one thread and all of them.</summary>
    public static TheoryData<string, int> PathsAndThreads()
    {
        var data = new TheoryData<string, int>();
        foreach (KernelPath path in RunnableKernelPaths.All())
        {
            data.Add(path.ToString(), 1);
            data.Add(path.ToString(), Math.Max(2, Environment.ProcessorCount));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndThreads))]
    public void LabelsAreTheTrainingKernelsAndADoubleArgmin(string pathName, int threads)
    {
        KernelPath path = Enum.Parse<KernelPath>(pathName);
        const int rows = 1500, k = 150, dimension = 37;
        float[][] x = TestData.Uniform(rows, dimension, seed: 11);
        float[][] c = TestData.Uniform(k, dimension, seed: 12);
        using var search = new NearestCentroidSearch(c, DistanceMetric.L2) { Path = path };

        AssignedRows[] chunks = new StreamingAssignment(search, threads).Run(new SmallBatchSource(x), 0, default).ToArray();
        int[] labels = chunks.SelectMany(chunk => chunk.ClusterIds.ToArray()).ToArray();
        float[] distances = chunks.SelectMany(chunk => chunk.Distances.ToArray()).ToArray();

        var kernelLabels = new int[rows];
        KernelPaths.Assign(path, x.SelectMany(v => v).ToArray(), rows, search.Packed, kernelLabels, new float[rows],
            new AssignmentKernel.Scratch(rows));
        Assert.Equal(kernelLabels, labels);
        Assert.Equal(Enumerable.Range(0, rows).Select(i => (long)i), chunks.SelectMany(chunk => Enumerable.Range(0, chunk.RowCount).Select(i => chunk.FirstIndex + i)));
        for (int i = 0; i < rows; i++)
        {
            double[] exact = c.Select(centroid => Training.KnownAnswerTests.Distance(x[i], centroid)).ToArray();
            int argmin = Array.IndexOf(exact, exact.Min());
            // Ties aside: a different label is allowed only where float rounding cannot tell the two centroids apart.
            if (labels[i] != argmin)
                Assert.True(exact[labels[i]] - exact[argmin] <= 1e-5 * exact[argmin], $"row {i}: {labels[i]} instead of {argmin}");
            Assert.Equal(exact[labels[i]], distances[i], 1e-4);
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndThreads))]
    public void TheNNearestAreInOrderAndStartWithTheKernelsLabel(string pathName, int threads)
    {
        KernelPath path = Enum.Parse<KernelPath>(pathName);
        const int rows = 400, k = 70, dimension = 19, nearest = 5;
        float[][] x = TestData.Uniform(rows, dimension, seed: 21);
        float[][] c = TestData.Uniform(k, dimension, seed: 22);
        using var search = new NearestCentroidSearch(c, DistanceMetric.L2) { Path = path };

        AssignedRows[] top = new StreamingAssignment(search, threads, nearest).Run(new SmallBatchSource(x), 0, default).ToArray();
        AssignedRows[] one = new StreamingAssignment(search, threads).Run(new SmallBatchSource(x), 0, default).ToArray();
        int[] ids = top.SelectMany(chunk => chunk.ClusterIds.ToArray()).ToArray();
        int[] labels = one.SelectMany(chunk => chunk.ClusterIds.ToArray()).ToArray();

        for (int i = 0; i < rows; i++)
        {
            Assert.Equal(labels[i], ids[i * nearest]);
            double[] exact = c.Select(centroid => Training.KnownAnswerTests.Distance(x[i], centroid)).ToArray();
            int[] order = Enumerable.Range(0, k).OrderBy(j => exact[j]).ThenBy(j => j).Take(nearest).ToArray();
            for (int r = 0; r < nearest; r++)
            {
                int id = ids[i * nearest + r];
                if (id != order[r])
                    Assert.True(Math.Abs(exact[id] - exact[order[r]]) <= 1e-5 * exact[order[r]], $"row {i} rank {r}: {id} instead of {order[r]}");
            }
            Assert.Equal(nearest, ids.Skip(i * nearest).Take(nearest).Distinct().Count());
        }
    }

    public static TheoryData<string, int> PathsAndListLengths()
    {
        var data = new TheoryData<string, int>();
        foreach (KernelPath path in RunnableKernelPaths.All())
        {
            foreach (int nearest in new[] { 1, 2, 3, 4, 5, 8, 9, 16, 17, 40 })
                data.Add(path.ToString(), nearest);
        }
        return data;
    }

    /// <summary>
    /// Small integers make every score exact on every path and give many equal scores: the n nearest must be exactly
    /// the n lowest (score, index) pairs, whichever way the kernel keeps its lists.
    /// </summary>
    [Theory]
    [MemberData(nameof(PathsAndListLengths))]
    public void AmongEqualScoresTheNNearestAreTheLowestIndices(string pathName, int nearest)
    {
        var random = new Random(71);
        const int rows = 300, k = 150, dimension = 5;
        float[][] x = Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)random.Next(3)).ToArray()).ToArray();
        float[][] c = Enumerable.Range(0, k).Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)random.Next(2)).ToArray()).ToArray();
        using var search = new NearestCentroidSearch(c, DistanceMetric.L2) { Path = Enum.Parse<KernelPath>(pathName) };
        var ids = new int[rows * nearest];

        search.AssignNearest(x.SelectMany(v => v).ToArray(), nearest, ids, new float[rows * nearest], search.CreateWorkspace());

        for (int i = 0; i < rows; i++)
        {
            float[] row = x[i];
            int[] expected = Enumerable.Range(0, k)
                .OrderBy(j => c[j].Sum(v => v * v) - 2 * c[j].Select((v, m) => v * row[m]).Sum()).ThenBy(j => j)
                .Take(nearest).ToArray();
            Assert.Equal(expected, ids.Skip(i * nearest).Take(nearest));
        }
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Dot)]
    public void AssigningTheSampleInBatchesReproducesTheTrainedSizesAndLoss(DistanceMetric metric)
    {
        float[][] rows = TestData.Uniform(rows: 1700, dimension: 9, seed: 5); // below 256 × K: the whole input is the sample
        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions { K = 7, Seed = 3, Distance = metric, MaxIterations = 4, Tolerance = 0 });
        float[][] centroids = Enumerable.Range(0, 7).Select(c => result.Centroid(c).ToArray()).ToArray();
        using var search = new NearestCentroidSearch(centroids, metric);

        var sizes = new long[7];
        double loss = 0;
        foreach (AssignedRows chunk in new StreamingAssignment(search, Environment.ProcessorCount).Run(TestData.Source(rows), 0, default))
        {
            for (int i = 0; i < chunk.RowCount; i++)
            {
                sizes[chunk.ClusterIds.Span[i]]++;
                loss += chunk.Distances.Span[i];
            }
        }

        Assert.Equal(result.ClusterSizes, sizes);
        Assert.Equal(result.Loss, loss, Math.Abs(result.Loss) * 1e-6);
    }

    [Fact]
    public void NullAndNonFiniteRowsKeepTheirIndexAndSayWhy()
    {
        float[][] x = TestData.Uniform(700, 4, seed: 1);
        x[3][2] = float.NaN;
        using var search = new NearestCentroidSearch(TestData.Uniform(5, 4, seed: 2), DistanceMetric.L2);
        var source = new SmallBatchSource(x, nullRows: [5, 699]);

        AssignedRows[] chunks = new StreamingAssignment(search, 2).Run(source, firstIndex: 1000, default).ToArray();

        Assert.Equal(700, chunks.Sum(chunk => chunk.RowCount));
        AssignedRows first = chunks[0];
        Assert.Equal(1000, first.FirstIndex);
        Assert.False(first.ClusterIds.Span[3] >= 0);
        Assert.Equal(KMeansErrorKind.NonFiniteValue, first.Problem(3)!.Kind);
        Assert.Contains("Row 3 of small batches (Index 1003)", first.Problem(3)!.Message);
        Assert.False(first.ClusterIds.Span[5] >= 0);
        Assert.Null(first.Problem(5));
        Assert.True(first.ClusterIds.Span[4] >= 0);
        Assert.Equal(search.Assign(x[4]).ClusterId, first.ClusterIds.Span[4]);
        Assert.Equal(search.Assign(x[6]).ClusterId, first.ClusterIds.Span[6]);
        AssignedRows last = chunks[^1];
        Assert.False(last.ClusterIds.Span[last.RowCount - 1] >= 0);
    }

    [Fact]
    public void StoppingEarlyStopsTheReaderAndCancellingThrows()
    {
        float[][] x = TestData.Uniform(20_000, 8, seed: 1);
        using var search = new NearestCentroidSearch(TestData.Uniform(5, 8, seed: 2), DistanceMetric.L2);
        var assignment = new StreamingAssignment(search, 2);

        Assert.Single(assignment.Run(new SmallBatchSource(x), 0, default).Take(1));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => assignment.Run(new SmallBatchSource(x), 0, cancelled.Token).ToArray());
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Dot)]
    public void ARowBeyondTheMetricsRangeInAChunkWithoutNullsIsTheOnlyOneRefused(DistanceMetric metric)
    {
        float[][] x = TestData.Uniform(300, 4, seed: 61);
        x[120][1] = 1e30f;
        x[250][3] = float.NegativeInfinity;
        using var search = new NearestCentroidSearch(TestData.Uniform(5, 4, seed: 62), metric);

        AssignedRows[] chunks = new StreamingAssignment(search, 2, 1, rowsPerChunk: 100).Run(new SmallBatchSource(x), 0, default).ToArray();

        Assert.Equal(KMeansErrorKind.ValueOutOfRange, chunks[1].Problem(20)!.Kind);
        Assert.Equal(KMeansErrorKind.NonFiniteValue, chunks[2].Problem(50)!.Kind);
        int[] ids = chunks.SelectMany(chunk => chunk.ClusterIds.ToArray()).ToArray();
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(i is 120 or 250 ? -1 : search.Assign(x[i]).ClusterId, ids[i]);
        Assert.All(chunks, chunk => Assert.All(Enumerable.Range(0, chunk.RowCount), row =>
            Assert.Equal(chunk.FirstIndex + row is 120 or 250, chunk.Problem(row) is not null)));
    }

    [Fact]
    public void ManyChunksOnMoreWorkersThanCoresComeBackInInputOrder()
    {
        float[][] x = TestData.Uniform(5000, 6, seed: 31);
        using var search = new NearestCentroidSearch(TestData.Uniform(40, 6, seed: 32), DistanceMetric.L2);
        var expected = new int[x.Length];
        search.Assign(x.SelectMany(v => v).ToArray(), expected, new float[x.Length], search.CreateWorkspace());

        AssignedRows[] chunks = new StreamingAssignment(search, threads: 5, nearest: 1, rowsPerChunk: 83)
            .Run(new SmallBatchSource(x), firstIndex: 7, default).ToArray();

        Assert.Equal(expected, chunks.SelectMany(chunk => chunk.ClusterIds.ToArray()));
        Assert.Equal(Enumerable.Range(0, 61).Select(c => 7L + 83 * c), chunks.Select(chunk => chunk.FirstIndex));
        Assert.Equal(Enumerable.Range(0, 61).Select(c => 83L * c), chunks.Select(chunk => chunk.FirstSourceRow));
        Assert.All(chunks[..^1], chunk => Assert.Equal(83, chunk.RowCount));
        Assert.Equal(5000 - 60 * 83, chunks[^1].RowCount);
    }

    [Fact]
    public void AReadErrorComesAfterEveryRowReadBeforeIt()
    {
        float[][] x = TestData.Uniform(1000, 4, seed: 41);
        using var search = new NearestCentroidSearch(TestData.Uniform(9, 4, seed: 42), DistanceMetric.L2);
        var received = new List<AssignedRows>();

        var error = Assert.Throws<IOException>(() =>
        {
            foreach (AssignedRows chunk in new StreamingAssignment(search, 2, 1, rowsPerChunk: 100).Run(new SmallBatchSource(x, failAfterBatches: 10), 0, default))
                received.Add(chunk);
        });

        Assert.Equal("the disk went away", error.Message);
        Assert.Equal([100, 100, 100, 70], received.Select(chunk => chunk.RowCount));
        Assert.Equal(x.Take(370).Select(row => search.Assign(row).ClusterId), received.SelectMany(chunk => chunk.ClusterIds.ToArray()));
    }

    [Fact]
    public void AConsumerThatStopsToThinkHoldsTheWorkersBack()
    {
        float[][] x = TestData.Uniform(20_000, 4, seed: 51);
        using var search = new NearestCentroidSearch(TestData.Uniform(9, 4, seed: 52), DistanceMetric.L2);
        var source = new SmallBatchSource(x);
        var assignment = new StreamingAssignment(search, 2, 1, rowsPerChunk: 100);

        foreach (AssignedRows _ in assignment.Run(source, 0, default))
        {
            // Time enough for the workers to fill all the room they have.
            Thread.Sleep(500);
            break;
        }

        // The chunks in flight, and the batch of 37 rows the last of them was cut from.
        Assert.InRange(source.RowsRead, 100, assignment.ChunksInFlight * 100 + 37);
    }

    [Fact]
    public void ARowCountBeyondTheCentroidsIsRefused()
    {
        using var search = new NearestCentroidSearch(TestData.Uniform(3, 2, seed: 2), DistanceMetric.L2);

        Assert.Equal(KMeansErrorKind.InvalidOption, Assert.Throws<KMeansException>(() => new StreamingAssignment(search, 1, nearest: 4)).Kind);
    }

    /// <summary>Batches of 37 rows (chunks then straddle batches), some rows null; optionally an I/O error after some batches.</summary>
    private sealed class SmallBatchSource(float[][] rows, int[]? nullRows = null, int? failAfterBatches = null) : IVectorSource
    {
        private long _rowsRead;

        public long RowsRead => Interlocked.Read(ref _rowsRead);

        public string Description => "small batches";

        public int Dimension => rows[0].Length;

        public long? RowCount => rows.Length;

        public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
        {
            for (int first = 0; first < rows.Length; first += 37)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (first == 37 * failAfterBatches)
                    throw new IOException("the disk went away");
                int count = Math.Min(37, rows.Length - first);
                float[] values = rows.Skip(first).Take(count).SelectMany(v => v).ToArray();
                bool[] nulls = Enumerable.Range(first, count).Select(i => nullRows?.Contains(i) == true).ToArray();
                Interlocked.Add(ref _rowsRead, count);
                yield return new VectorBatch(first, count, values, nullRows is null ? default : nulls);
            }
        }

        public void Dispose()
        {
        }
    }
}
