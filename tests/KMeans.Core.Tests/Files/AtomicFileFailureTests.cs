using System.Runtime.InteropServices;
using KMeans.Core.Assigning;
using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files;

/// <summary>
/// Writes that the file system refuses part way: the temporary file's descriptor is pointed at /dev/full, where every
/// write fails with ENOSPC as on a full disk, while the stream still holds buffered bytes that closing it tries to
/// write once more.
/// </summary>
public sealed partial class AtomicFileFailureTests
{
    [Fact]
    public void AFullDiskLeavesTheTargetAndNoTemporaryFileAndSaysSo()
    {
        using var temp = new TempDirectory();
        string target = temp.File("centroids.bin");
        File.WriteAllText(target, "before");

        var error = Assert.Throws<KMeansException>(() => AtomicFile.Write(target, overwrite: true, stream =>
        {
            FillTheDisk((FileStream)stream);
            stream.Write(new byte[100]);
            stream.Flush();
        }));

        Assert.Equal(KMeansErrorKind.FileNotWritable, error.Kind);
        Assert.Equal($"Cannot write '{target}': the disk is full. The file is unchanged.", error.Message);
        Assert.Equal(["centroids.bin"], temp.FileNames());
        Assert.Equal("before", File.ReadAllText(target));
    }

    [Fact]
    public void AssignmentsThatCannotBeWrittenFailWithTheTargetsNameAndLeaveNoFile()
    {
        using var temp = new TempDirectory();
        string target = temp.File("labels.arrow");
        var error = Assert.Throws<KMeansException>(() =>
        {
            using var writer = new AssignmentFileWriter(target, AssignmentFileFormat.Arrow, nearest: 1, overwrite: true);
            FillTheDisk(DescriptorOwner(writer));
            for (int chunk = 0; chunk < 64; chunk++)
                writer.Write(new AssignedRows(chunk * 4096L, chunk * 4096L, 4096, 1, new int[4096], new float[4096]));
            writer.Commit();
        });

        Assert.Equal(KMeansErrorKind.FileNotWritable, error.Kind);
        Assert.StartsWith($"Cannot write '{target}': the disk is full.", error.Message);
        Assert.Empty(temp.FileNames());
    }

    [Fact]
    public void AnotherFailureOfTheSystemIsNamedWithoutTheTemporaryPath()
    {
        using var temp = new TempDirectory();
        string target = temp.File("report.json");
        var error = Assert.Throws<KMeansException>(() => AtomicFile.Write(target, overwrite: false, stream =>
            throw new IOException($"Read-only file system : '{((FileStream)stream).Name}'")));

        Assert.Equal($"Cannot write '{target}': the system reported \"Read-only file system\". The file is unchanged.", error.Message);
        Assert.Empty(temp.FileNames());
    }

    [Fact]
    public void ADirectoryWhereNoFileCanBeCreatedIsNamedWithoutTheTemporaryPath()
    {
        var error = Assert.Throws<KMeansException>(() => AtomicFile.Begin("/proc/kmeans-report.html", overwrite: false));

        Assert.Equal(KMeansErrorKind.FileNotWritable, error.Kind);
        Assert.StartsWith("Cannot write '/proc/kmeans-report.html': the system reported \"", error.Message);
        Assert.DoesNotContain(".tmp", error.Message);
    }

    /// <summary>From now on every write to <paramref name="stream"/>'s file fails as on a full disk.</summary>
    private static void FillTheDisk(FileStream stream)
    {
        using SafeHandle full = File.OpenHandle("/dev/full", FileMode.Open, FileAccess.Write);
        int descriptor = (int)stream.SafeFileHandle.DangerousGetHandle();
        Assert.NotEqual(-1, Dup2((int)full.DangerousGetHandle(), descriptor));
    }

    /// <summary>The stream of the atomic write inside an assignment writer.</summary>
    private static FileStream DescriptorOwner(AssignmentFileWriter writer)
    {
        var file = (AtomicFileWrite)typeof(AssignmentFileWriter)
            .GetField("_file", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(writer)!;
        return (FileStream)file.Stream;
    }

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int from, int to);
}
