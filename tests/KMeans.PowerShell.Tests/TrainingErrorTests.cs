using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

public sealed class TrainingErrorTests : IDisposable
{
    private const string Command = "KMeans.PowerShell.InvokeKMeansTrainingCommand";
    private readonly HostedShell _shell = new();

    public TrainingErrorTests() => _shell.Set("vectors", TestData.Blobs(300, 5, 3, seed: 11));

    [Fact]
    public void A_temp_directory_where_no_file_can_be_created_is_TempDirectoryNotWritable()
    {
        using var scratch = new ScratchDirectory();
        string directory = UnwritableDirectory(scratch);

        ErrorRecord error = _shell.RunExpectingTerminatingError($"$vectors | Invoke-KMeansTraining -K 3 -OnDisk -TempDirectory '{directory}'");

        Assert.Equal($"TempDirectoryNotWritable,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
        Assert.Equal(ProgressRecordType.Completed, _shell.PowerShell.Streams.Progress.Last().RecordType);
    }

    [Fact]
    public void A_temp_directory_without_enough_free_space_is_InsufficientDiskSpace_before_anything_is_written()
    {
        Assert.True(OperatingSystem.IsLinux(), "This test uses /proc, whose file system reports no free space.");
        ErrorRecord error = _shell.RunExpectingTerminatingError("$vectors | Invoke-KMeansTraining -K 3 -OnDisk -TempDirectory /proc");

        Assert.Equal($"InsufficientDiskSpace,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Equal("/proc", error.TargetObject);
        Assert.Contains("needs 5.86 KiB (6,000 bytes)", error.Exception.Message);
        Assert.Empty(_shell.PowerShell.Streams.Progress);
    }

    /// <summary>
    /// A directory in which creating a file fails. Normally it is one without write permission; root ignores permissions,
    /// so for root it is one whose path is so long that no file name fits under PATH_MAX.
    /// </summary>
    private static string UnwritableDirectory(ScratchDirectory scratch)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("This test needs Unix permissions.");
        string directory = scratch.File("read-only");
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        if (!CanCreateFileIn(directory))
            return directory;
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        const int PathMax = 4096;
        string deep = scratch.Path;
        while (deep.Length < PathMax - 300)
            deep = Path.Combine(deep, new string('d', 250));
        deep = Path.Combine(deep, new string('d', PathMax - 40 - deep.Length));
        Directory.CreateDirectory(deep);
        return deep;
    }

    private static bool CanCreateFileIn(string directory)
    {
        string probe = Path.Combine(directory, "probe");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose() => _shell.Dispose();
}
