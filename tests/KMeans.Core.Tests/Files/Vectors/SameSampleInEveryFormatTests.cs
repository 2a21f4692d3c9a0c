using Apache.Arrow.Types;
using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files.Vectors;

/// <summary>
/// The same rows stored in any format must give the same training sample for a seed: every format gives its row count
/// (an Arrow stream's summed from its message headers), so all use selection sampling.
/// </summary>
public sealed class SameSampleInEveryFormatTests(TempDirectory scratch) : IClassFixture<TempDirectory>
{
    private const int K = 4;
    private const int SampleRate = 50;
    private static readonly float[][] Rows = VectorRows.WholeNumbers(2000, 8);

    [Theory]
    [InlineData(7)]
    [InlineData(12345)]
    public void EveryFormatWithARowCountGivesTheInMemorySample(int seed)
    {
        float[][] expected = SampledRows.Build(new InMemoryVectorSource(Rows), K, SampleRate, seed);
        Assert.Equal(K * SampleRate, expected.Length);
        Assert.NotEqual(Rows.Take(expected.Length), expected);

        foreach (string path in FilesWithRowCount())
            Assert.True(expected.SequenceEqual(SampledRows.Build(path, K, SampleRate, seed), RowComparer.Instance), path);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentSamples()
    {
        string path = FilesWithRowCount().First();
        Assert.NotEqual(SampledRows.Build(path, K, SampleRate, 1), SampledRows.Build(path, K, SampleRate, 2));
    }

    private IEnumerable<string> FilesWithRowCount()
    {
        var source = new InMemoryVectorSource(Rows);
        foreach ((VectorFileFormat format, string name) in new[]
        {
            (VectorFileFormat.Arrow, "same.arrow"), (VectorFileFormat.ArrowStream, "same.arrows"), (VectorFileFormat.Parquet, "same.parquet"),
            (VectorFileFormat.Npy, "same.npy"),
            (VectorFileFormat.Fvecs, "same.fvecs"), (VectorFileFormat.Bvecs, "same.bvecs"),
        })
        {
            string path = scratch.File(name);
            if (!File.Exists(path))
                VectorFileWriter.Write(source, path, format, CancellationToken.None);
            yield return path;
        }
        foreach (ArrowTypeId element in new[] { ArrowTypeId.HalfFloat, ArrowTypeId.Double })
        {
            string path = scratch.File($"same-{element}.arrow");
            if (!File.Exists(path))
                ArrowTestFiles.Write(path, Rows.Length, 300, stream: false, compression: null, ("vector", ArrowTestFiles.FixedSizeList(Rows, element)));
            yield return path;
        }
        string list = scratch.File("same-list.arrow");
        if (!File.Exists(list))
            ArrowTestFiles.Write(list, Rows.Length, 700, stream: false, compression: null, ("vector", ArrowTestFiles.List(Rows)));
        yield return list;
        string parquetDoubles = scratch.File("same-double.parquet");
        if (!File.Exists(parquetDoubles))
            ParquetTestFiles.Write(parquetDoubles, Rows, doubles: true, rowGroupRows: 333, "vector");
        yield return parquetDoubles;
        string fortran = scratch.File("same-fortran-f8.npy");
        if (!File.Exists(fortran))
            RawTestFiles.Npy(fortran, Rows, "<f8", fortran: true);
        yield return fortran;
    }

    private sealed class RowComparer : IEqualityComparer<float[]>
    {
        public static readonly RowComparer Instance = new();

        public bool Equals(float[]? x, float[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(float[] row) => row.Length;
    }
}
