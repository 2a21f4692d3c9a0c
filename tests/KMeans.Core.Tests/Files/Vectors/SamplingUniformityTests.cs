using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files.Vectors;

/// <summary>
/// Rows that carry their own index go through the real readers and SampleBuilder; the chosen indices must spread
/// evenly over the file. Over 200 fixed seeds, 100 of 1 000 rows each, a chi-square statistic over ten row-index
/// buckets (9 degrees of freedom) stays below 27.88, its 0.1 % critical value, while even a sampler that merely never
/// picks the last tenth of the rows scores in the thousands.
/// </summary>
public sealed class SamplingUniformityTests(TempDirectory scratch) : IClassFixture<TempDirectory>
{
    private const int Rows = 1000;
    private const int Buckets = 10;
    private const int Seeds = 200;
    private const int SampleSize = 100;
    private const double Critical = 27.88;

    [Theory]
    [InlineData(VectorFileFormat.Arrow, "indexed.arrow")]
    [InlineData(VectorFileFormat.ArrowStream, "indexed.arrows")]
    public void ChosenRowsAreSpreadEvenly(VectorFileFormat format, string name)
    {
        string path = WriteIndexedRows(format, name);
        var counts = new long[Buckets];
        for (int seed = 0; seed < Seeds; seed++)
        {
            int[] chosen = ChosenIndices(path, seed);
            Assert.Equal(SampleSize, chosen.Length);
            Assert.Equal(SampleSize, chosen.Distinct().Count());
            foreach (int index in chosen)
                counts[index * Buckets / Rows]++;
        }
        Assert.True(ChiSquare(counts) < Critical, $"chi-square {ChiSquare(counts):F1} over buckets [{string.Join(", ", counts)}]");
    }

    [Fact]
    public void TheStatisticRejectsASamplerThatSkipsTheLastTenth()
    {
        var counts = new long[Buckets];
        var random = new Random(1);
        for (int i = 0; i < Seeds * SampleSize; i++)
            counts[random.Next(Rows * 9 / 10) * Buckets / Rows]++;
        Assert.True(ChiSquare(counts) > Critical);
    }

    [Fact]
    public void TheSameSeedChoosesTheSameRows()
    {
        string path = WriteIndexedRows(VectorFileFormat.Arrow, "determinism.arrow");
        Assert.Equal(ChosenIndices(path, 42), ChosenIndices(path, 42));
        Assert.NotEqual(ChosenIndices(path, 42), ChosenIndices(path, 43));
    }

    private static int[] ChosenIndices(string path, int seed) =>
        SampledRows.Build(path, k: 1, sampleRate: SampleSize, seed).Select(row => (int)row[0]).ToArray();

    private string WriteIndexedRows(VectorFileFormat format, string name)
    {
        string path = scratch.File(name);
        if (!File.Exists(path))
        {
            float[][] rows = Enumerable.Range(0, Rows).Select(i => new[] { (float)i, -i }).ToArray();
            VectorFileWriter.Write(new InMemoryVectorSource(rows), path, format, CancellationToken.None);
        }
        return path;
    }

    private static double ChiSquare(long[] counts)
    {
        double expected = counts.Sum() / (double)counts.Length;
        return counts.Sum(c => (c - expected) * (c - expected) / expected);
    }
}
