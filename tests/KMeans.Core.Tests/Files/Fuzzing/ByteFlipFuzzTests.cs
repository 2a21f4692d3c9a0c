using KMeans.Core.Files;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Files.Fuzzing;

/// <summary>
/// Seeded byte flips in the header, the footer and anywhere else of a file of every format, read as training input
/// and as centroids: every outcome is either a result with a finite loss or a <see cref="KMeansException"/> of a
/// kind that names a file problem. Any other exception (an OverflowException from a footer, an OutOfMemoryException
/// from a length) fails the test with the seed that reproduces it.
/// </summary>
public sealed class ByteFlipFuzzTests : IDisposable
{
    private const int FlipsPerFormat = 300;

    private static readonly KMeansErrorKind[] FileProblems =
    [
        KMeansErrorKind.InvalidFile, KMeansErrorKind.UnsupportedContent, KMeansErrorKind.DimensionMismatch,
        KMeansErrorKind.NonFiniteValue, KMeansErrorKind.NoRows, KMeansErrorKind.NotEnoughRows, KMeansErrorKind.ZeroVector,
        KMeansErrorKind.AmbiguousColumn, KMeansErrorKind.InsufficientMemory, KMeansErrorKind.ValueOutOfRange,
    ];

    private readonly TempDirectory _scratch = new();

    public static TheoryData<string> Extensions => new(".arrow", ".arrows", ".parquet", ".npy", ".fvecs", ".bvecs", ".csv", ".json");

    [Theory]
    [MemberData(nameof(Extensions))]
    public void EveryFlippedFileTrainsToAFiniteLossOrFailsWithAFileError(string extension)
    {
        byte[] original = File.ReadAllBytes(WriteOriginal(extension));
        string path = _scratch.File("flipped" + extension);
        var outcomes = new Dictionary<string, int>();
        for (int seed = 0; seed < FlipsPerFormat; seed++)
        {
            File.WriteAllBytes(path, Flip(original, seed));
            string outcome = Outcome(path, extension, seed);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The flips must reach the parsers, not only the values: some files are refused.
        Assert.True(outcomes.Keys.Any(key => key != "trained"), $"No flip of the {extension} file was detected.");
    }

    [Fact]
    public void AnArrowStreamWhoseFirstLengthIsHugeIsInvalidWithoutAllocatingIt()
    {
        string path = _scratch.File("huge.arrows");
        File.WriteAllBytes(path, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3, 4]);

        var error = Assert.Throws<KMeansException>(() => VectorFile.Open(path));

        Assert.Equal(KMeansErrorKind.InvalidFile, error.Kind);
        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains("message 0 claims 2147483647 bytes of metadata, but only 4 bytes remain", error.Message);
    }

    [Fact]
    public void AFooterOffsetBeyondAnyBufferIsInvalidNotAnOverflow()
    {
        string path = WriteOriginal(".arrow");
        byte[] bytes = File.ReadAllBytes(path);
        int footerLength = BitConverter.ToInt32(bytes, bytes.Length - 10);
        int footer = bytes.Length - 10 - footerLength;
        BitConverter.GetBytes(0xFFFFFFF0u).CopyTo(bytes, footer);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<KMeansException>(() => VectorFile.Open(path));

        Assert.Equal(KMeansErrorKind.InvalidFile, error.Kind);
        Assert.Contains("lies outside any buffer", error.Message);
    }

    private static string Outcome(string path, string extension, int seed)
    {
        try
        {
            if (extension is ".csv" or ".json")
            {
                CentroidSet set = CentroidFile.Read(path);
                Assert.All(set.Values, value => Assert.True(float.IsFinite(value)));
                return "read";
            }
            CentroidFile.Read(path);
            using IVectorSource source = VectorFile.Open(path);
            KMeansResult result = KMeansTrainer.Train(source, new KMeansOptions { K = 2, MaxIterations = 3, Seed = 1 });
            Assert.True(double.IsFinite(result.Loss), $"Seed {seed}: loss {result.Loss}.");
            return "trained";
        }
        catch (KMeansException e)
        {
            Assert.True(FileProblems.Contains(e.Kind), $"Seed {seed}: {e.Kind}: {e.Message}");
            if (e.Kind is KMeansErrorKind.InvalidFile or KMeansErrorKind.UnsupportedContent)
                Assert.Contains(path, e.Message);
            return e.Kind.ToString();
        }
        catch (Exception e)
        {
            Assert.Fail($"Seed {seed} of {extension}: {e.GetType().FullName}: {e.Message}\n{e.StackTrace}");
            throw;
        }
    }

    /// <summary>
    /// One to four bytes changed: a third of the time in the first 64 bytes (headers), a third in the last 64 (the
    /// footers of Arrow files and Parquet's Thrift metadata), a third anywhere.
    /// </summary>
    private static byte[] Flip(byte[] original, int seed)
    {
        var random = new Random(seed);
        byte[] flipped = (byte[])original.Clone();
        int length = original.Length;
        int flips = random.Next(1, 5);
        for (int i = 0; i < flips; i++)
        {
            int region = random.Next(3);
            int position = region switch
            {
                0 => random.Next(Math.Min(64, length)),
                1 => length - 1 - random.Next(Math.Min(64, length)),
                _ => random.Next(length),
            };
            flipped[position] ^= (byte)random.Next(1, 256);
        }
        return flipped;
    }

    private string WriteOriginal(string extension)
    {
        string path = _scratch.File("original" + extension);
        var rows = new float[40][];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = [i % 7, (i * 3) % 11, i % 2, 5 - i % 5];
        if (extension is ".csv" or ".json")
        {
            float[] values = rows.Take(8).SelectMany(row => row).ToArray();
            var set = new CentroidSet(8, 4, values, new long[8]) { Distance = KMeans.Core.Distance.DistanceMetric.Dot };
            CentroidFile.Write(path, set, VectorFile.FormatFromPath(path), overwrite: false);
        }
        else
        {
            VectorFileWriter.Write(new InMemoryVectorSource(rows), path, VectorFile.FormatFromPath(path), CancellationToken.None);
        }
        return path;
    }

    public void Dispose() => _scratch.Dispose();
}
