using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

public class TreeLeavesTests
{
    private const int Dimension = 12;

    private static readonly float[][] Rows = TestData.Uniform(3000, Dimension, seed: 21);

    /// <summary>Four nodes; node 1 trained no centroid, so its rows go to node 2 (as the tree merges them).</summary>
    private static TreeSplit Split => new(
        TopCentroids: Flat(Rows[..4]),
        NodeOf: [0, 2, 2, 3],
        Offsets: [0, 5, 5, 12],
        Shares: [5, 0, 7, 4]);

    private static float[] Centroids => Flat(Rows[100..116]);

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Dot)]
    public void EachRowGoesToTheNearestCentroidOfItsNodeAsADoubleArgminDoesTiesAside(DistanceMetric metric)
    {
        using TrainingBuffer sample = Sample(onDisk: false);

        (int[] labels, long[] sizes) = TreeLeaves.Of(sample, Split, Centroids, 16, metric, new KMeansOptions { K = 16 },
            new ParallelOptions());

        float[] centroids = Centroids;
        for (int row = 0; row < Rows.Length; row++)
        {
            int top = Argmin(Rows[row], Split.TopCentroids, 0, 4, metric, out bool topTie);
            int node = Split.NodeOf[top];
            int leaf = Argmin(Rows[row], centroids, Split.Offsets[node], Split.Shares[node], metric, out bool leafTie);
            if (!topTie && !leafTie)
                Assert.Equal(Split.Offsets[node] + leaf, labels[row]);
            Assert.InRange(labels[row], Split.Offsets[node], Split.Offsets[node] + Split.Shares[node] - 1);
        }
        Assert.Equal(Rows.Length, sizes.Sum());
        for (int c = 0; c < 16; c++)
            Assert.Equal(labels.Count(label => label == c), sizes[c]);
    }

    [Fact]
    public void TheLeavesAreTheSameOnDiskAndOnOneThread()
    {
        using var temp = new TempDirectory();
        using TrainingBuffer inMemory = Sample(onDisk: false);
        using TrainingBuffer onDisk = Sample(onDisk: true, temp.Path);
        var options = new KMeansOptions { K = 16, RowsPerBlock = 64 };

        (int[] expected, _) = TreeLeaves.Of(inMemory, Split, Centroids, 16, DistanceMetric.L2, options, new ParallelOptions());
        (int[] fromDisk, _) = TreeLeaves.Of(onDisk, Split, Centroids, 16, DistanceMetric.L2, options, new ParallelOptions());
        (int[] oneThread, _) = TreeLeaves.Of(inMemory, Split, Centroids, 16, DistanceMetric.L2, options,
            new ParallelOptions { MaxDegreeOfParallelism = 1 });

        Assert.Equal(expected, fromDisk);
        Assert.Equal(expected, oneThread);
    }

    /// <summary>
    /// The index of the best of <paramref name="count"/> centroids from <paramref name="first"/> in double precision
    /// (least squared distance, or greatest inner product), and whether the runner-up is within float rounding of it.
    /// </summary>
    private static int Argmin(float[] row, float[] centroids, int first, int count, DistanceMetric metric, out bool tie)
    {
        var scores = new double[count];
        for (int c = 0; c < count; c++)
        {
            double score = 0;
            for (int j = 0; j < Dimension; j++)
            {
                double value = centroids[(first + c) * Dimension + j];
                score += metric == DistanceMetric.L2 ? (row[j] - value) * (row[j] - value) : -row[j] * value;
            }
            scores[c] = score;
        }
        int best = Array.IndexOf(scores, scores.Min());
        double second = scores.Where((_, c) => c != best).DefaultIfEmpty(double.PositiveInfinity).Min();
        tie = second - scores[best] <= 1e-4 * Math.Max(1, Math.Abs(scores[best]));
        return best;
    }

    private static float[] Flat(float[][] rows) => rows.SelectMany(row => row).ToArray();

    private static TrainingBuffer Sample(bool onDisk, string? directory = null)
    {
        TrainingBuffer sample = TrainingBuffer.Create(onDisk, Rows.Length, Dimension, directory ?? Path.GetTempPath());
        sample.WriteRows(0, Flat(Rows));
        sample.Seal(Rows.Length);
        return sample;
    }
}
