using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

/// <summary>
/// The update's sums, taken range by range during the assignment, are those of the labels that assignment gave: each
/// centroid is exactly the float of its rows' double sum taken in row order, divided by its size.
/// </summary>
public class CentroidUpdateTests
{
    private const int K = 9;
    private static readonly float[][] Rows = TestData.Blobs(clusters: K, perCluster: 120, dimension: 20, spread: 6, seed: 3).Rows;

    [Theory]
    [InlineData(1L, 1, false)]
    [InlineData(1L, 7, true)]
    [InlineData(20 * 4 * 64L, 16, true)]
    [InlineData(KMeansOptions.DefaultBytesPerRange, KMeansOptions.DefaultRowsPerBlock, false)]
    public void SumsTakenDuringTheAssignmentGiveTheMeansOfItsLabels(long bytesPerRange, int rowsPerBlock, bool skipByBounds)
    {
        int d = Rows[0].Length;
        using TrainingBuffer sample = TrainingBuffer.Create(false, Rows.Length, d, Path.GetTempPath());
        sample.WriteRows(0, Rows.SelectMany(row => row).ToArray());
        sample.Seal(Rows.Length);
        using var packed = new PackedCentroids(K, d);
        var assignment = new Assignment(sample, K, DistanceMetric.L2, rowsPerBlock, bytesPerRange);
        var update = new CentroidUpdate(K, d, DistanceMetric.L2);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 2 };
        float[] centroids = Enumerable.Range(0, K).SelectMany(c => Rows[c * 37]).ToArray();
        SkipBounds? bounds = skipByBounds ? new SkipBounds(K, d, DistanceMetric.L2) : null;

        for (int iteration = 0; iteration < 3; iteration++)
        {
            packed.Pack(centroids, DistanceMetric.L2);
            bounds?.Update(packed, parallel);
            assignment.Run(packed, parallel, iteration == 0 ? null : bounds, update);
            update.Apply(assignment.Sizes, centroids);

            Assert.Equal(MeansOf(assignment.Labels, centroids), centroids);
        }
    }

    /// <summary>The plain definition, with empty clusters keeping their centroid.</summary>
    private static float[] MeansOf(int[] labels, float[] previous)
    {
        int d = Rows[0].Length;
        var sums = new double[K * d];
        var sizes = new long[K];
        for (int i = 0; i < Rows.Length; i++)
        {
            sizes[labels[i]]++;
            for (int j = 0; j < d; j++)
                sums[labels[i] * d + j] += Rows[i][j];
        }
        var means = (float[])previous.Clone();
        for (int c = 0; c < K; c++)
        {
            for (int j = 0; sizes[c] > 0 && j < d; j++)
                means[c * d + j] = (float)(sums[c * d + j] / sizes[c]);
        }
        return means;
    }
}
