using System.Management.Automation;
using System.Runtime.Versioning;

namespace KMeans.PowerShell.Tests;

public sealed class TrainingErrorTests : IDisposable
{
    private const string Command = "KMeans.PowerShell.InvokeKMeansTrainingCommand";
    private readonly HostedShell _shell = new();

    public TrainingErrorTests() => _shell.Set("vectors", TestData.Blobs(300, 5, 3, seed: 11));

    [GatedFact(Gate.Unix)]
    [UnsupportedOSPlatform("windows")]
    public void A_temp_directory_where_no_file_can_be_created_is_TempDirectoryNotWritable()
    {
        using var scratch = new ScratchDirectory();
        string directory = UnwritableDirectory(scratch);

        ErrorRecord error = _shell.RunExpectingTerminatingError($"$vectors | Invoke-KMeansTraining -K 3 -OnDisk -TempDirectory '{directory}'");

        Assert.Equal($"TempDirectoryNotWritable,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
        Assert.Empty(_shell.PowerShell.Streams.Progress);
    }

    /// <summary>
    /// /proc's file system reports no free space. Pipeline input is planned, when its first vector arrives, for the whole
    /// sample it may fill: 256 × K rows of 5 values.
    /// </summary>
    [GatedFact(Gate.Linux)]
    public void A_temp_directory_without_enough_free_space_is_InsufficientDiskSpace_before_anything_is_written()
    {
        ErrorRecord error = _shell.RunExpectingTerminatingError("$vectors | Invoke-KMeansTraining -K 3 -OnDisk -TempDirectory /proc");

        Assert.Equal($"InsufficientDiskSpace,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Equal("/proc", error.TargetObject);
        Assert.Contains("needs 15,360 bytes in '/proc'", error.Exception.Message);
        Assert.Contains("Choose another -TempDirectory", error.ErrorDetails.Message);
        Assert.Empty(_shell.PowerShell.Streams.Progress);
    }

    /// <summary>
    /// A directory in which creating a file fails. Normally it is one without write permission; root ignores permissions,
    /// so for root it is one whose path is so long that no file name fits under PATH_MAX.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    private static string UnwritableDirectory(ScratchDirectory scratch)
    {
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
