using KMeans.Core.Files;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Files.Centroids;

public sealed class CentroidSetTests
{
    [Fact]
    public void CentroidReturnsOneRowOfTheRowMajorValues()
    {
        CentroidSet set = CentroidSamples.Small();

        Assert.Equal([4f, 5f, 6f], set.Centroid(1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Centroid(2).ToArray());
    }

    [Theory]
    [InlineData(0, 3, 0, 0, "K must be at least 1, but was 0.")]
    [InlineData(2, 0, 0, 2, "The dimension must be at least 1, but was 0.")]
    [InlineData(2, 3, 5, 2, "2 centroids of dimension 3 need 6 values, but 5 were given.")]
    [InlineData(2, 3, 6, 3, "2 centroids need 2 sizes, but 3 were given.")]
    public void ShapesThatDoNotAgreeAreRefused(int k, int dimension, int valueCount, int sizeCount, string message)
    {
        var error = Assert.Throws<KMeansException>(() =>
            new CentroidSet(k, dimension, new float[valueCount], new long[sizeCount]));

        Assert.Equal(KMeansErrorKind.DimensionMismatch, error.Kind);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void InfinityIsRefusedNamingCentroidAndComponent()
    {
        var error = Assert.Throws<KMeansException>(() =>
            new CentroidSet(2, 2, [0f, 1f, 2f, float.NegativeInfinity], [0, 0]));

        Assert.Equal(KMeansErrorKind.NonFiniteValue, error.Kind);
        Assert.StartsWith("Centroid 1, component 1 is -Infinity;", error.Message);
    }

    [Fact]
    public void NegativeSizesAreRefused()
    {
        var error = Assert.Throws<KMeansException>(() => new CentroidSet(2, 1, [0f, 1f], [3, -1]));

        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.Contains("centroid 1 is -1", error.Message);
    }

    [Fact]
    public void LossMustBeFiniteAndIterationsNonNegative()
    {
        Assert.Equal(KMeansErrorKind.NonFiniteValue,
            Assert.Throws<KMeansException>(() => new CentroidSet(1, 1, [0f], [0]) { Loss = double.NaN }).Kind);
        Assert.Equal(KMeansErrorKind.InvalidOption,
            Assert.Throws<KMeansException>(() => new CentroidSet(1, 1, [0f], [0]) { Iterations = -1 }).Kind);
    }

    [Fact]
    public void MetadataMayNotUseAParameterName()
    {
        CentroidSet set = CentroidSamples.Small();
        set.Metadata["seed"] = "7";

        var error = Assert.Throws<KMeansException>(set.Validate);

        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.Contains("'seed' is reserved", error.Message);
    }

    [Fact]
    public void FromResultCopiesCentroidsSizesAndParameters()
    {
        float[][] rows = [[0f, 0f], [0f, 1f], [10f, 10f], [10f, 11f], [20f, 0f], [21f, 0f]];
        using var source = new InMemoryVectorSource(rows);
        KMeansResult result = KMeansTrainer.Train(source,
            new KMeansOptions { K = 3, Seed = 11, Distance = DistanceMetric.L2, MaxDegreeOfParallelism = 1 });

        CentroidSet set = result.ToCentroidSet("0.1.0");

        Assert.Equal(CentroidSamples.Bits(result.Centroids), CentroidSamples.Bits(set.Values));
        Assert.NotSame(result.Centroids, set.Values);
        Assert.Equal(result.ClusterSizes, set.Sizes);
        Assert.Equal(6, set.Sizes!.Sum());
        Assert.Equal((3, 2), (set.K, set.Dimension));
        Assert.Equal(result.Loss, set.Loss);
        Assert.Equal(result.Iterations, set.Iterations);
        Assert.Equal(11, set.Seed);
        Assert.Equal(DistanceMetric.L2, set.Distance);
        Assert.Equal("0.1.0", set.ModuleVersion);
        Assert.Equal(result.Converged ? "true" : "false", set.Metadata["converged"]);
        Assert.Equal("6", set.Metadata["sample_rows"]);
    }
}
