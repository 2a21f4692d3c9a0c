using KMeans.Core.Distance;

namespace KMeans.Core.Tests.Distance;

/// <summary>New prices on packed centroids give the norm terms that packing again with those prices gives, bit for bit.</summary>
public sealed class PackedCentroidsTests
{
    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Dot)]
    public unsafe void RepricingGivesTheNormsOfPackingAgain(DistanceMetric metric)
    {
        const int k = 70, dimension = 9;
        var random = new Random(3);
        float[] centroids = Enumerable.Range(0, k * dimension).Select(_ => (float)(random.NextDouble() * 10 - 5)).ToArray();
        float[] first = Enumerable.Range(0, k).Select(_ => (float)random.NextDouble()).ToArray();
        float[] second = first.Select(price => price + (float)(random.NextDouble() * 1e-3)).ToArray();
        using var repriced = new PackedCentroids(k, dimension);
        using var packed = new PackedCentroids(k, dimension);
        repriced.Pack(centroids, metric, first);
        float[] before = new ReadOnlySpan<float>(repriced.Norms, k).ToArray();

        repriced.Reprice(metric, second);
        packed.Pack(centroids, metric, second);

        float[] after = new ReadOnlySpan<float>(repriced.Norms, k).ToArray();
        Assert.Equal(new ReadOnlySpan<float>(packed.Norms, k).ToArray(), after);
        Assert.NotEqual(before, after);
        Assert.Throws<ArgumentException>(() => repriced.Reprice(metric, new float[k - 1]));
    }
}
