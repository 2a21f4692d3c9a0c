using KMeans.Core.SampleData;
using KMeans.Core.Tests.Files.Vectors;

namespace KMeans.Core.Tests.SampleData;

public sealed class UniformVectorSourceTests
{
    [Fact]
    public void ValuesAreUniformInZeroToOne()
    {
        float[] values = VectorRows.ReadAll(new UniformVectorSource(20_000, 10, seed: 8)).SelectMany(r => r!).ToArray();
        Assert.All(values, v => Assert.InRange(v, 0f, 0.99999995f));
        Assert.InRange(values.Average(), 0.495, 0.505);
        var deciles = new int[10];
        foreach (float v in values)
            deciles[(int)(v * 10)]++;
        Assert.All(deciles, count => Assert.InRange(count, 19_000, 21_000));
    }

    [Fact]
    public void TheSameSeedGivesTheSameRows()
    {
        var rows = VectorRows.ReadAll(new UniformVectorSource(500, 3, seed: 4));
        VectorRows.Equal(rows, VectorRows.ReadAll(new UniformVectorSource(500, 3, seed: 4)));
        Assert.NotEqual(rows[0], VectorRows.ReadAll(new UniformVectorSource(500, 3, seed: 5))[0]);
    }

    [Fact]
    public void InvalidDimensionIsRejected()
    {
        var error = Assert.Throws<KMeansException>(() => new UniformVectorSource(10, 0, seed: 0));
        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.Contains("Dimension", error.Message);
    }
}
