using KMeans.Core.Files;
using KMeans.Core.SampleData;
using KMeans.Core.Tests.Files.Vectors;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.SampleData;

public sealed class GaussianBlobSourceTests
{
    [Fact]
    public void TheSameSeedGivesTheSameRowsOnEveryRead()
    {
        using var source = new GaussianBlobSource(3000, 6, 4, 0.5, seed: 11);
        List<float[]?> first = VectorRows.ReadAll(source);
        VectorRows.Equal(first, VectorRows.ReadAll(source));
        VectorRows.Equal(first, VectorRows.ReadAll(new GaussianBlobSource(3000, 6, 4, 0.5, seed: 11)));
        Assert.NotEqual(first[0], VectorRows.ReadAll(new GaussianBlobSource(3000, 6, 4, 0.5, seed: 12))[0]);
    }

    [Fact]
    public void CentresAreUniformInTheZeroToTenCube()
    {
        var source = new GaussianBlobSource(1, 50, 40, 1, seed: 5);
        float[] all = source.Centres.SelectMany(c => c).ToArray();
        Assert.Equal(2000, all.Length);
        Assert.All(all, v => Assert.InRange(v, 0f, 10f - 1e-6f));
        Assert.InRange(all.Average(), 4.7, 5.3);
        Assert.Equal(source.Centres, new GaussianBlobSource(999, 50, 40, 1, seed: 5).Centres);
    }

    [Fact]
    public void RowsAreCentresPlusNoiseOfTheRequestedSpread()
    {
        const double spread = 0.25;
        var source = new GaussianBlobSource(6000, 8, 5, spread, seed: 3);
        var perCluster = new int[5];
        var residuals = new List<double>();
        foreach (float[]? row in VectorRows.ReadAll(source))
        {
            int nearest = Nearest(source.Centres, row!);
            perCluster[nearest]++;
            residuals.AddRange(row!.Select((v, j) => (double)v - source.Centres[nearest][j]));
        }
        double mean = residuals.Average();
        double deviation = Math.Sqrt(residuals.Average(r => (r - mean) * (r - mean)));
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(deviation, spread * 0.97, spread * 1.03);
        Assert.All(perCluster, count => Assert.InRange(count, 1000, 1400));
    }

    [Fact]
    public void TrainingRecoversTheTrueCentres()
    {
        var source = new GaussianBlobSource(4000, 8, 5, 0.1, seed: 21);
        KMeansResult result = KMeansTrainer.Train(source, new KMeansOptions { K = 5, Seed = 1, Redos = 3, MaxDegreeOfParallelism = 1 });
        foreach (float[] centre in source.Centres)
        {
            double closest = Enumerable.Range(0, 5).Min(c => Distance(result.Centroid(c).ToArray(), centre));
            Assert.True(closest < 0.05, $"the nearest centroid is {closest:F3} away from a true centre");
        }
    }

    [Fact]
    public void AHugeSourceStreams()
    {
        var source = new GaussianBlobSource(1_000_000_000_000, 128, 10, 1, seed: 1);
        Assert.Equal(1_000_000_000_000, source.RowCount);
        VectorBatch first = source.ReadBatches(CancellationToken.None).First();
        Assert.Equal(0, first.FirstRow);
        Assert.Equal((1 << 20) / 128, first.RowCount);
    }

    [Theory]
    [InlineData(-1, 2, 2, 1.0, "Rows")]
    [InlineData(10, 0, 2, 1.0, "Dimension")]
    [InlineData(10, 2, 0, 1.0, "Clusters")]
    [InlineData(10, 2, 2, -0.5, "Spread")]
    [InlineData(10, 2, 2, double.NaN, "Spread")]
    public void InvalidArgumentsNameTheParameter(long rows, int dimension, int clusters, double spread, string name)
    {
        var error = Assert.Throws<KMeansException>(() => new GaussianBlobSource(rows, dimension, clusters, spread, seed: 0));
        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.StartsWith(name, error.Message);
    }

    private static int Nearest(IReadOnlyList<float[]> centres, float[] row)
    {
        int best = 0;
        for (int c = 1; c < centres.Count; c++)
        {
            if (Distance(centres[c], row) < Distance(centres[best], row))
                best = c;
        }
        return best;
    }

    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());
}
