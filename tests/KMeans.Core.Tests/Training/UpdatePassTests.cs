using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

/// <summary>
/// The update's pass of its own (each thread sums its run of clusters from a list of their rows) gives, bit for bit,
/// the plain definition: each centroid the float of its rows' double sum taken in row order, divided by its size,
/// normalised under Cosine; whatever the thread count and whether the sample is in memory or on disk.
/// </summary>
public class UpdatePassTests
{
    private const int K = 13;
    private const int Dimension = 37;
    private static readonly float[][] Rows = TestData.Blobs(clusters: 7, perCluster: 150, dimension: Dimension, spread: 9, seed: 5).Rows;

    [Theory]
    [InlineData(DistanceMetric.L2, 1, false)]
    [InlineData(DistanceMetric.L2, 3, true)]
    [InlineData(DistanceMetric.Cosine, 2, false)]
    [InlineData(DistanceMetric.Cosine, 5, true)]
    [InlineData(DistanceMetric.Dot, 4, false)]
    [InlineData(DistanceMetric.Dot, 16, true)]
    public void MeansAreThePlainRowOrderMeans(DistanceMetric metric, int threads, bool onDisk)
    {
        using var directory = new TempDirectory();
        using TrainingBuffer sample = TrainingBuffer.Create(onDisk, Rows.Length, Dimension, directory.Path);
        sample.WriteRows(0, Rows.SelectMany(row => row).ToArray());
        sample.Seal(Rows.Length);
        int[] labels = SkewedLabels(Rows.Length);
        long[] sizes = new long[K];
        foreach (int label in labels)
            sizes[label]++;
        var update = new CentroidUpdate(K, Dimension, metric);
        var centroids = new float[K * Dimension];
        Array.Fill(centroids, -1f);

        for (int pass = 0; pass < 2; pass++)
        {
            update.Run(sample, labels, sizes, centroids, new ParallelOptions { MaxDegreeOfParallelism = threads });

            Assert.Equal(PlainMeans(labels, sizes, metric), centroids);
        }
    }

    [Fact]
    public void ACancelledPassThrows()
    {
        using TrainingBuffer sample = TrainingBuffer.Create(false, Rows.Length, Dimension, Path.GetTempPath());
        sample.WriteRows(0, Rows.SelectMany(row => row).ToArray());
        sample.Seal(Rows.Length);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var update = new CentroidUpdate(K, Dimension, DistanceMetric.L2);

        Assert.ThrowsAny<OperationCanceledException>(() => update.AddAll(sample, SkewedLabels(Rows.Length),
            new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancelled.Token }));
    }

    /// <summary>Clusters of very different sizes, interleaved, and two clusters (4 and 11) left empty.</summary>
    private static int[] SkewedLabels(int rows)
    {
        var random = new Random(17);
        var labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            int label = random.Next(4) == 0 ? random.Next(K) : (int)Math.Sqrt(random.Next(K * K));
            labels[i] = label is 4 or 11 ? 0 : label;
        }
        return labels;
    }

    /// <summary>The definition, element by element; an empty cluster keeps the centroid it had (-1 everywhere here).</summary>
    private static float[] PlainMeans(int[] labels, long[] sizes, DistanceMetric metric)
    {
        var sums = new double[K * Dimension];
        for (int i = 0; i < Rows.Length; i++)
        {
            for (int j = 0; j < Dimension; j++)
                sums[labels[i] * Dimension + j] += Rows[i][j];
        }
        var means = new float[K * Dimension];
        Array.Fill(means, -1f);
        for (int c = 0; c < K; c++)
        {
            if (sizes[c] == 0)
                continue;
            for (int j = 0; j < Dimension; j++)
                means[c * Dimension + j] = (float)(sums[c * Dimension + j] / sizes[c]);
            if (metric == DistanceMetric.Cosine)
                KMeans.Core.Numerics.VectorMath.Normalize(means.AsSpan(c * Dimension, Dimension));
        }
        return means;
    }
}
