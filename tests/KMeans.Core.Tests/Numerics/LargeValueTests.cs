using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Numerics;

/// <summary>
/// Values whose squares overflow float (from about 1.8e19): Cosine trains and assigns them exactly as their directions
/// say; L2 and Dot refuse them with ValueOutOfRange naming the row and column (or the centroid), and everything up to
/// the limit gives finite losses and distances.
/// </summary>
public sealed class LargeValueTests
{
    private const int Dimension = 8;

    public static TheoryData<DistanceMetric, float> MetricsAndScales()
    {
        var data = new TheoryData<DistanceMetric, float>();
        foreach (DistanceMetric metric in Enum.GetValues<DistanceMetric>())
        {
            foreach (float scale in new[] { 1e19f, 1e30f, 3e38f })
                data.Add(metric, scale);
        }
        return data;
    }

    /// <summary>
    /// Two blobs of 100 rows around +0.5 and −0.5 in every dimension, noise clipped so that no value exceeds 0.9, times
    /// <paramref name="scale"/>; rows alternate between the blobs (even rows are the positive one).
    /// </summary>
    internal static float[][] ScaledBlobs(float scale, int seed = 7)
    {
        var random = new Random(seed);
        var rows = new float[200][];
        for (int i = 0; i < rows.Length; i++)
        {
            float centre = i % 2 == 0 ? 0.5f : -0.5f;
            rows[i] = new float[Dimension];
            for (int j = 0; j < Dimension; j++)
                rows[i][j] = (centre + (float)Math.Clamp((random.NextDouble() - 0.5) * 0.3, -0.4, 0.4)) * scale;
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(MetricsAndScales))]
    public void Training_on_huge_values_is_exact_under_Cosine_and_refused_under_L2_and_Dot(DistanceMetric metric, float scale)
    {
        float[][] rows = ScaledBlobs(scale);
        var options = new KMeansOptions { K = 2, Seed = 3, Distance = metric };
        if (metric != DistanceMetric.Cosine)
        {
            var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source(rows), options));
            Assert.Equal(KMeansErrorKind.ValueOutOfRange, error.Kind);
            Assert.StartsWith($"Row 0 of test rows holds {rows[0][0].ToString(System.Globalization.CultureInfo.InvariantCulture)} at column 0; under {metric} distance", error.Message);
            Assert.Contains("must lie within ±2.31E+18", error.Message);
            Assert.Equal(0L, error.Target);
            return;
        }

        KMeansResult inMemory = KMeansTrainer.Train(TestData.Source(rows), options with { MaxDegreeOfParallelism = 1 });
        KMeansResult onDisk = KMeansTrainer.Train(TestData.Source(rows), options with { OnDisk = true, MaxDegreeOfParallelism = 2 });
        KMeansResult unscaled = KMeansTrainer.Train(TestData.Source(ScaledBlobs(1f)), options);

        Assert.True(double.IsFinite(inMemory.Loss));
        Assert.Equal([100L, 100L], inMemory.ClusterSizes.Order());
        Assert.Equal(inMemory.Centroids, onDisk.Centroids);
        Assert.Equal(inMemory.Loss, onDisk.Loss);
        // Directions do not change with the scale, so neither do the centroids beyond rounding.
        Assert.Equal(unscaled.Loss, inMemory.Loss, 1e-5);
        for (int v = 0; v < inMemory.Centroids.Length; v++)
            Assert.Equal(unscaled.Centroids[v], inMemory.Centroids[v], 1e-5f);
        Assert.All(inMemory.History, report => Assert.True(double.IsFinite(report.Loss)));
    }

    [Theory]
    [MemberData(nameof(MetricsAndScales))]
    public void Assigning_huge_vectors_to_huge_centroids_is_exact_under_Cosine_and_refused_under_L2_and_Dot(DistanceMetric metric, float scale)
    {
        float[][] rows = ScaledBlobs(scale);
        float[][] centroids = [Enumerable.Repeat(0.5f * scale, Dimension).ToArray(), Enumerable.Repeat(-0.5f * scale, Dimension).ToArray()];
        if (metric != DistanceMetric.Cosine)
        {
            var error = Assert.Throws<KMeansException>(() => CentroidValidation.Validate(centroids, metric));
            Assert.Equal(KMeansErrorKind.ValueOutOfRange, error.Kind);
            Assert.StartsWith("Centroid 0 holds", error.Message);
            Assert.Equal(0, ValueRange.FirstOutside(rows[0], ValueRange.Limit(metric, Dimension)));
            return;
        }

        CentroidValidation.Validate(centroids, metric);
        using var search = new NearestCentroidSearch(centroids, metric);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(-1, ValueRange.FirstOutside(rows[i], ValueRange.Limit(metric, Dimension)));
            (int cluster, float distance) = search.Assign(rows[i]);
            Assert.Equal(i % 2, cluster);
            Assert.InRange(distance, 0f, 0.2f);
        }
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Dot)]
    public void Values_at_the_limit_give_finite_losses_and_distances_and_beyond_it_are_refused(DistanceMetric metric)
    {
        float limit = ValueRange.Limit(metric, Dimension);
        // Opposite corners of the allowed cube: the largest squared distance any two rows can have.
        float[][] rows = Enumerable.Range(0, 60)
            .Select(i => Enumerable.Range(0, Dimension).Select(j => (i + j) % 3 == 0 ? limit : -limit).ToArray())
            .ToArray();
        var options = new KMeansOptions { K = 3, Seed = 5, Distance = metric };

        KMeansResult inMemory = KMeansTrainer.Train(TestData.Source(rows), options);
        KMeansResult onDisk = KMeansTrainer.Train(TestData.Source(rows), options with { OnDisk = true });
        Assert.True(double.IsFinite(inMemory.Loss));
        Assert.All(inMemory.History, report => Assert.True(double.IsFinite(report.Loss)));
        Assert.Equal(inMemory.Centroids, onDisk.Centroids);

        float[] positive = Enumerable.Repeat(limit, Dimension).ToArray();
        float[] negative = Enumerable.Repeat(-limit, Dimension).ToArray();
        CentroidValidation.Validate([positive], metric);
        using var search = new NearestCentroidSearch([positive], metric);
        Assert.True(float.IsFinite(search.Assign(negative).Distance));

        float[] beyond = (float[])positive.Clone();
        beyond[5] = MathF.BitIncrement(limit);
        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source([.. rows, beyond]), options));
        Assert.Equal(KMeansErrorKind.ValueOutOfRange, error.Kind);
        Assert.StartsWith("Row 60 of test rows holds", error.Message);
        Assert.Contains("at column 5", error.Message);
    }

    [Fact]
    public void The_limit_shrinks_with_the_dimension_and_Cosine_has_none()
    {
        Assert.Equal(6.52e18, ValueRange.Limit(DistanceMetric.L2, 1), 0.01e18);
        Assert.Equal(2.04e17, ValueRange.Limit(DistanceMetric.Dot, 1024), 0.01e17);
        Assert.Equal(float.MaxValue, ValueRange.Limit(DistanceMetric.Cosine, 1024));
    }

    [Fact]
    public void Tiny_vectors_under_Cosine_are_directions_not_the_zero_vector()
    {
        float[][] rows = ScaledBlobs(1e-30f);
        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions { K = 2, Seed = 3, Distance = DistanceMetric.Cosine });
        Assert.Equal([100L, 100L], result.ClusterSizes.Order());

        float[] subnormal = [float.Epsilon, 0f, 0f, 0f, 0f, 0f, 0f, 0f];
        using var search = new NearestCentroidSearch([[1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f], [0f, 1f, 0f, 0f, 0f, 0f, 0f, 0f]], DistanceMetric.Cosine);
        Assert.Equal((0, 0f), search.Assign(subnormal));
        CentroidValidation.Validate([subnormal], DistanceMetric.Cosine);
        var zero = Assert.Throws<KMeansException>(() => CentroidValidation.Validate([new float[Dimension]], DistanceMetric.Cosine));
        Assert.Equal(KMeansErrorKind.ZeroVector, zero.Kind);
    }
}
