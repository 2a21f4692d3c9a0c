using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Numerics;

/// <summary>Fewer distinct rows than K: each distinct row is its own centroid exactly, the loss is 0, the rest stay empty.</summary>
public sealed class DegenerateDataTests
{
    private static readonly float[] Row = [0.3f, -1.7f, 2.5f, 1e-3f];

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Dot)]
    public void Identical_rows_give_that_row_as_every_centroid_one_full_cluster_and_no_loss(DistanceMetric metric)
    {
        float[][] rows = Enumerable.Repeat(Row, 200).ToArray();
        var options = new KMeansOptions { K = 4, Seed = 1, Distance = metric, Redos = 3 };

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), options);
        KMeansResult onDisk = KMeansTrainer.Train(TestData.Source(rows), options with { OnDisk = true, MaxDegreeOfParallelism = 1 });

        float[] expected = metric == DistanceMetric.Cosine ? Normalised(Row) : Row;
        Assert.Equal(1, result.DistinctRows);
        Assert.Equal([200L, 0, 0, 0], result.ClusterSizes);
        for (int c = 0; c < 4; c++)
            Assert.Equal(expected, result.Centroid(c).ToArray());
        if (metric == DistanceMetric.L2)
            Assert.Equal(0d, result.Loss);
        else if (metric == DistanceMetric.Cosine)
            Assert.InRange(result.Loss, 0, 200 * 1e-6);
        Assert.Equal(0, result.History.Sum(report => report.RepairedClusters));
        Assert.Equal(result.Centroids, onDisk.Centroids);
        Assert.Equal(result.Loss, onDisk.Loss);
    }

    [Fact]
    public void Zero_rows_give_zero_centroids_and_a_loss_of_zero()
    {
        KMeansResult result = KMeansTrainer.Train(TestData.Source(Enumerable.Range(0, 200).Select(_ => new float[8]).ToArray()),
            new KMeansOptions { K = 4, Seed = 9 });

        Assert.All(result.Centroids, value => Assert.Equal(0f, value));
        Assert.Equal(0d, result.Loss);
        Assert.Equal(1, result.DistinctRows);
        Assert.True(result.Converged);
        Assert.Equal(1, result.Iterations);
    }

    [Fact]
    public void Each_distinct_row_becomes_a_centroid_in_order_of_first_appearance_and_the_rest_copy_the_first()
    {
        float[][] distinct = [[1f, 2f], [-3f, 0.5f], [0f, 0f]];
        float[][] rows = Enumerable.Range(0, 90).Select(i => distinct[(i * 7 / 3) % 3]).ToArray();

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions { K = 5, Seed = 2 });

        Assert.Equal(3, result.DistinctRows);
        Assert.Equal(0d, result.Loss);
        float[] first = rows[0];
        float[][] order = rows.Distinct(new RowEquality()).ToArray();
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(order[c], result.Centroid(c).ToArray());
            Assert.Equal(rows.LongCount(row => row.SequenceEqual(order[c])), result.ClusterSizes[c]);
        }
        Assert.Equal(first, result.Centroid(3).ToArray());
        Assert.Equal(first, result.Centroid(4).ToArray());
        Assert.Equal([0L, 0L], result.ClusterSizes[3..]);
    }

    [Fact]
    public void Enough_distinct_rows_train_as_before()
    {
        KMeansResult result = KMeansTrainer.Train(TestData.Source(TestData.Uniform(100, 3, seed: 4)), new KMeansOptions { K = 5, Seed = 2 });
        Assert.Null(result.DistinctRows);
    }

    [Fact]
    public void A_hierarchical_run_with_K_equal_to_the_rows_reports_one_iteration_converged_at_loss_zero()
    {
        float[][] rows = TestData.Uniform(rows: 300, dimension: 4, seed: 11);
        var options = new KMeansOptions
        {
            K = 300, Seed = 4, SampleRate = 1, MaxIterations = 1, Hierarchical = HierarchicalMode.On, HierarchicalK = 4,
        };

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), options);

        Assert.Equal(1, result.Iterations);
        Assert.Equal(0d, result.Loss);
        Assert.True(result.Converged);
    }

    [Fact]
    public void A_hierarchical_run_never_reports_more_iterations_than_MaxIterations()
    {
        (float[][] rows, _) = TestData.Blobs(clusters: 40, perCluster: 30, dimension: 6, spread: 3, seed: 8);
        var options = new KMeansOptions { K = 40, Seed = 4, MaxIterations = 3, Tolerance = 0, Hierarchical = HierarchicalMode.On, HierarchicalK = 4 };

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), options);

        Assert.Equal(3, result.Iterations);
        Assert.False(result.Converged);
    }

    [Theory]
    [InlineData(double.NaN, 0.0, 1e-4, false)]
    [InlineData(double.PositiveInfinity, 0.0, 1e-4, false)]
    [InlineData(0.0, double.PositiveInfinity, 1e-4, true)]
    [InlineData(0.0, double.PositiveInfinity, 0.0, true)]
    [InlineData(5.0, 1e-5, 1e-4, true)]
    [InlineData(5.0, 1e-5, 0.0, false)]
    [InlineData(5.0, 1e-3, 1e-4, false)]
    public void Converged_means_loss_zero_or_a_change_below_the_tolerance_and_never_a_non_finite_loss(double loss,
        double change, double tolerance, bool expected) =>
        Assert.Equal(expected, LloydRun.HasConverged(loss, change, tolerance));

    private static float[] Normalised(float[] row)
    {
        float[] unit = new float[row.Length];
        KMeans.Core.Numerics.VectorNorm.TryNormalize(row, unit);
        return unit;
    }

    private sealed class RowEquality : IEqualityComparer<float[]>
    {
        public bool Equals(float[]? x, float[]? y) => x!.SequenceEqual(y!);

        public int GetHashCode(float[] row) => row.Length == 0 ? 0 : row[0].GetHashCode();
    }
}
