using KMeans.Core.Files;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Checkpoints;

public class CheckpointRefusalTests
{
    private static readonly float[][] Rows = TestData.Blobs(clusters: 10, perCluster: 80, dimension: 4, spread: 2, seed: 3).Rows;

    private static KMeansOptions Options => new() { K = 10, Seed = 7, MaxIterations = 12, Tolerance = 0 };

    /// <summary>A checkpoint of a training stopped after its fourth iteration.</summary>
    private static string Stopped(TempDirectory temp, float[][]? rows = null, IReadOnlyList<string>? files = null,
        KMeansOptions? options = null)
    {
        string path = temp.File("state.kmc");
        using var cancel = new CancellationTokenSource();
        var progress = new StopAt(report => report is IterationReport { Iteration: 4 }, cancel);
        Assert.ThrowsAny<OperationCanceledException>(() => KMeansTrainer.Train(TestData.Source(rows ?? Rows), options ?? Options,
            Resume(path, files), progress, cancel.Token));
        return path;
    }

    private static CheckpointOptions Resume(string path, IReadOnlyList<string>? files = null) =>
        new() { Path = path, Interval = TimeSpan.Zero, Resume = true, InputFiles = files ?? [] };

    [Fact]
    public void OtherParametersAreRefusedNamingEachDifference()
    {
        using var temp = new TempDirectory();
        string path = Stopped(temp);

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source(Rows),
            Options with { K = 9, Tolerance = 1e-3, MaxDegreeOfParallelism = 1, OnDisk = true }, Resume(path)));

        Assert.Equal(KMeansErrorKind.CheckpointMismatch, error.Kind);
        Assert.Equal(path, error.Target);
        Assert.Contains("K was 10 and is 9 now", error.Message);
        Assert.Contains("Tolerance was 0 and is 0.001 now", error.Message);
        Assert.DoesNotContain("MaxDegreeOfParallelism", error.Message);
        Assert.DoesNotContain("OnDisk", error.Message);
    }

    [Theory]
    [InlineData(null, 2, "TrainDimension is 2 now and was not given then")]
    [InlineData(3, 2, "TrainDimension was 3 and is 2 now")]
    [InlineData(3, null, "TrainDimension was 3 and is not given now")]
    public void AnotherTrainingDimensionIsRefused(int? saved, int? now, string expected)
    {
        using var temp = new TempDirectory();
        string path = Stopped(temp, options: Options with { TrainDimension = saved });

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source(Rows),
            Options with { TrainDimension = now }, Resume(path)));

        Assert.Equal(KMeansErrorKind.CheckpointMismatch, error.Kind);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void AnotherSeedIsRefusedAndAnOpenSeedTakesTheSavedOne()
    {
        using var temp = new TempDirectory();
        string path = Stopped(temp);

        var error = Assert.Throws<KMeansException>(() =>
            KMeansTrainer.Train(TestData.Source(Rows), Options with { Seed = 8 }, Resume(path)));
        Assert.Contains("Seed was 7 and is 8 now", error.Message);

        KMeansResult resumed = KMeansTrainer.Train(TestData.Source(Rows), Options with { Seed = null }, Resume(path));
        CheckpointAssert.BitIdentical(KMeansTrainer.Train(TestData.Source(Rows), Options), resumed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ChangedPipelineRowsAreRefused(bool finished)
    {
        using var temp = new TempDirectory();
        string path = temp.File("state.kmc");
        if (finished)
            KMeansTrainer.Train(TestData.Source(Rows), Options, Resume(path));
        else
            path = Stopped(temp);
        float[][] changed = Rows.Select(row => row.ToArray()).ToArray();
        foreach (float[] row in changed)
            row[0] += 0.5f;

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source(changed), Options, Resume(path)));

        Assert.Equal(KMeansErrorKind.CheckpointMismatch, error.Kind);
        Assert.Contains("the sample holds other values", error.Message);
    }

    /// <summary>
    /// A changed input file, named directly or through a symbolic link (whose own size and time stay the same: a
    /// helper's resume through a link returned the old result for changed rows).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AChangedInputFileIsRefusedNamingTheFile(bool throughLink)
    {
        using var temp = new TempDirectory();
        string data = temp.File("data.npy");
        VectorFileWriter.Write(TestData.Source(Rows), data, VectorFileFormat.Npy, CancellationToken.None);
        string named = data;
        if (throughLink)
        {
            named = temp.File("current.npy");
            File.CreateSymbolicLink(named, data);
        }
        string path;
        using (IVectorSource source = VectorFile.Open(named, null))
        {
            using var cancel = new CancellationTokenSource();
            path = temp.File("state.kmc");
            Assert.ThrowsAny<OperationCanceledException>(() => KMeansTrainer.Train(source, Options, Resume(path, [named]),
                new StopAt(report => report is IterationReport { Iteration: 2 }, cancel), cancel.Token));
        }
        File.SetLastWriteTimeUtc(data, File.GetLastWriteTimeUtc(data).AddMinutes(1));

        using IVectorSource touched = VectorFile.Open(named, null);
        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(touched, Options, Resume(path, [named])));

        Assert.Equal(KMeansErrorKind.CheckpointMismatch, error.Kind);
        Assert.Contains($"File 1 was {named} (", error.Message);
    }

    public static TheoryData<string, string> Damages => new()
    {
        { "truncated", "truncated or extended" },
        { "empty", "holds 0 bytes" },
        { "payload byte", "checksum does not match" },
        { "last byte", "checksum does not match" },
        { "signature", "checkpoint signature" },
        { "version", "format version 15; this module reads versions 1 to 7" },
        { "length", "truncated or extended" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void ADamagedCheckpointIsAnInvalidFileNamingIt(string damage, string expected)
    {
        using var temp = new TempDirectory();
        string path = Stopped(temp);
        byte[] bytes = File.ReadAllBytes(path);
        bytes = damage switch
        {
            "truncated" => bytes[..(bytes.Length * 2 / 3)],
            "empty" => [],
            "payload byte" => Flip(bytes, bytes.Length / 2),
            "last byte" => Flip(bytes, bytes.Length - 1),
            "signature" => Flip(bytes, 1),
            "version" => Flip(bytes, 8),
            _ => Flip(bytes, 16),
        };
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source(Rows), Options, Resume(path)));

        Assert.Equal(KMeansErrorKind.InvalidFile, error.Kind);
        Assert.Equal(path, error.Target);
        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    /// <summary>
    /// Another file given as the checkpoint (a helper's script named its training data) is said to be no checkpoint,
    /// never called a damaged one to delete, whether the training starts or resumes; the file is left as it was.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFileThatIsNoCheckpointIsNotCalledOneToDelete(bool resume)
    {
        using var temp = new TempDirectory();
        string path = temp.File("data.npy");
        VectorFileWriter.Write(TestData.Source(Rows), path, VectorFileFormat.Npy, CancellationToken.None);
        byte[] before = File.ReadAllBytes(path);

        var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source(Rows), Options,
            new CheckpointOptions { Path = path, Resume = resume }));

        Assert.Equal(resume ? KMeansErrorKind.InvalidFile : KMeansErrorKind.FileExists, error.Kind);
        Assert.Contains($"'{path}' exists and is not a checkpoint", error.Message);
        Assert.DoesNotContain("elete", error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void ResumingWithoutACheckpointStartsANewTraining()
    {
        using var temp = new TempDirectory();
        string path = temp.File("state.kmc");

        KMeansResult result = KMeansTrainer.Train(TestData.Source(Rows), Options, Resume(path));

        CheckpointAssert.BitIdentical(KMeansTrainer.Train(TestData.Source(Rows), Options), result);
        Assert.True(File.Exists(path));
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        bytes[index] ^= index == 8 ? (byte)0x08 : (byte)0x40;
        return bytes;
    }
}
