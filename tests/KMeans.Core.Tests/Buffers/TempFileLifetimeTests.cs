using System.Diagnostics;
using System.Runtime.Versioning;
using KMeans.Core.Buffers;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Buffers;

public class TempFileLifetimeTests
{
    private static readonly float[][] Rows = TestData.Uniform(rows: 4000, dimension: 16, seed: 5);

    [Fact]
    public void NoFileRemainsAfterSuccess()
    {
        using var temp = new TempDirectory();

        KMeansTrainer.Train(TestData.Source(Rows), new KMeansOptions { K = 8, Seed = 1, OnDisk = true, TempDirectory = temp.Path });

        Assert.Empty(temp.Entries());
    }

    /// <summary>
    /// A sample file that a process killed between creating and unlinking it left behind (its space reserved) is
    /// deleted by the next on-disk sample in that directory; one a live process holds, one just created (another
    /// host's, where locks are not shared), a FIFO of that name and other files are not.
    /// </summary>
    [Fact]
    public void AnOnDiskSampleDeletesTheSampleFilesKilledProcessesLeft()
    {
        using var temp = new TempDirectory();
        string left = temp.File($"kmeans-sample-{Guid.NewGuid():N}.f32");
        string held = temp.File($"kmeans-sample-{Guid.NewGuid():N}.f32");
        string fresh = temp.File($"kmeans-sample-{Guid.NewGuid():N}.f32");
        string fifo = temp.File($"kmeans-sample-{Guid.NewGuid():N}.f32");
        string other = temp.File("kmeans-sample-notes.f32");
        File.WriteAllBytes(left, new byte[4096]);
        File.WriteAllBytes(fresh, new byte[4096]);
        File.WriteAllBytes(other, [1]);
        DateTime anHourAgo = DateTime.UtcNow.AddHours(-1);
        File.SetLastWriteTimeUtc(left, anHourAgo);
        File.SetLastWriteTimeUtc(other, anHourAgo);
        // Opening a FIFO to probe it would wait for a writer forever.
        if (OperatingSystem.IsLinux())
        {
            using Process made = Process.Start("mkfifo", fifo);
            made.WaitForExit();
            File.SetLastWriteTimeUtc(fifo, anHourAgo);
        }
        using (var holder = new FileStream(held, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            File.SetLastWriteTimeUtc(held, anHourAgo);
            using (new MemoryMappedBuffer(100, 4, temp.Path))
            {
            }

            Assert.False(File.Exists(left));
            Assert.True(File.Exists(held));
            Assert.True(File.Exists(fresh));
            Assert.True(File.Exists(other));
            Assert.Equal(OperatingSystem.IsLinux(), File.Exists(fifo));
        }
    }

    [Fact]
    public void NoFileRemainsAfterAnExceptionWhileSampling()
    {
        using var temp = new TempDirectory();
        float[][] rows = Rows.Select(r => (float[])r.Clone()).ToArray();
        rows[3000][2] = float.NaN;

        Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source(rows),
            new KMeansOptions { K = 8, Seed = 1, OnDisk = true, TempDirectory = temp.Path }));

        Assert.Empty(temp.Entries());
    }

    [Fact]
    public void CancellationDuringTrainingStopsWithinAnIterationAndRemovesTheFile()
    {
        using var temp = new TempDirectory();
        using var cancel = new CancellationTokenSource();
        int iterationsSeen = 0;
        var progress = new SynchronousProgress(report =>
        {
            if (report is IterationReport && ++iterationsSeen == 2)
                cancel.Cancel();
        });

        Assert.ThrowsAny<OperationCanceledException>(() => KMeansTrainer.Train(TestData.Source(Rows),
            new KMeansOptions { K = 8, Seed = 1, OnDisk = true, TempDirectory = temp.Path, MaxIterations = 1000, Tolerance = 0 },
            progress, cancel.Token));

        Assert.Equal(2, iterationsSeen);
        Assert.Empty(temp.Entries());
    }

    [Fact]
    public void CancellationWhileSamplingRemovesTheFile()
    {
        using var temp = new TempDirectory();
        using var cancel = new CancellationTokenSource();
        var source = new UnknownLengthSource(TestData.Source(Rows), rowsRead => cancel.Cancel());

        Assert.ThrowsAny<OperationCanceledException>(() => KMeansTrainer.Train(source,
            new KMeansOptions { K = 8, Seed = 1, OnDisk = true, TempDirectory = temp.Path }, null, cancel.Token));

        Assert.Empty(temp.Entries());
    }

    [GatedFact(Gate.Unix)]
    public void OnUnixTheFileIsUnlinkedWhileInUseSoItCannotOutliveTheProcess()
    {
        using var temp = new TempDirectory();
        string[]? seenDuringSampling = null;
        var source = new UnknownLengthSource(TestData.Source(Rows), _ => seenDuringSampling ??= temp.Entries());

        using TrainingBuffer sample = Sampling.SampleBuilder.Build(source,
            new KMeansOptions { K = 8, OnDisk = true, TempDirectory = temp.Path }, seed: 1, null, default, out _);

        Assert.NotNull(seenDuringSampling);
        Assert.Empty(seenDuringSampling);
        Assert.Empty(temp.Entries());
        Assert.Equal(Rows[0].Length, sample.Rows(0, 1).Length);
    }

    [GatedFact(Gate.Linux)]
    [SupportedOSPlatform("linux")]
    public void TheSampleFileIsReadableAndWritableByItsOwnerOnly()
    {
        using var temp = new TempDirectory();
        using var buffer = new MemoryMappedBuffer(capacityRows: 4, dimension: 2, temp.Path);
        // The file is unlinked, so stat it through the process's open descriptor (/proc/self/fd links follow to it).
        string? descriptor = Directory.GetFiles("/proc/self/fd").FirstOrDefault(fd => LinksTo(fd, buffer.FilePath));
        Assert.NotNull(descriptor);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(descriptor));
    }

    // Tests running in parallel open and close descriptors, so one listed a moment ago may be gone.
    private static bool LinksTo(string descriptor, string path)
    {
        try
        {
            return File.ResolveLinkTarget(descriptor, false)?.FullName.Contains(path) == true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> onReport) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => onReport(value);
    }
}
