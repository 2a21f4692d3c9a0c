using System.Management.Automation;
using System.Runtime.Versioning;

namespace KMeans.PowerShell.Tests;

public sealed class TrainingErrorTests : IDisposable
{
    private const string Command = "KMeans.PowerShell.InvokeKMeansTrainingCommand";
    private readonly HostedShell _shell = new();

    public TrainingErrorTests() => _shell.Set("vectors", TestData.Blobs(300, 5, 3, seed: 11));

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void K_below_one_is_InvalidK(int k)
    {
        ErrorRecord error = _shell.RunExpectingTerminatingError($"$vectors | Invoke-KMeansTraining -K {k}");

        Assert.Equal($"InvalidK,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(k, error.TargetObject);
    }

    [Fact]
    public void K_above_the_row_count_is_KExceedsRows()
    {
        ErrorRecord error = _shell.RunExpectingTerminatingError("$vectors[0..9] | Invoke-KMeansTraining -K 20");

        Assert.Equal($"KExceedsRows,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("only 10 usable rows", error.Exception.Message);
        Assert.Equal(ProgressRecordType.Completed, _shell.PowerShell.Streams.Progress.Last().RecordType);
    }

    [Fact]
    public void A_pipeline_item_of_another_dimension_is_reported_by_index_and_left_out()
    {
        var output = _shell.Run("& { $vectors[0..99]; ,[float[]](1, 2, 3); $vectors[100..299] } | Invoke-KMeansTraining -K 3 -Seed 1 -AsModel");

        ErrorRecord error = Assert.Single(_shell.PowerShell.Streams.Error);
        Assert.Equal($"DimensionMismatch,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Equal(100L, error.TargetObject);
        Assert.Contains("Input item 100 has 3 values", error.Exception.Message);
        PSObject model = Assert.Single(output);
        Assert.Equal(300, model.Get<long>("SampleRows"));
        Assert.Equal(1, model.Get<long>("SkippedRows"));
    }

    [Fact]
    public void A_pipeline_item_that_is_not_a_vector_is_InvalidVectorInput()
    {
        var output = _shell.Run("& { 'not a vector'; $vectors } | Invoke-KMeansTraining -K 3 -Seed 1");

        ErrorRecord error = Assert.Single(_shell.PowerShell.Streams.Error);
        Assert.Equal($"InvalidVectorInput,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidType, error.CategoryInfo.Category);
        Assert.Contains("Input item 0", error.Exception.Message);
        Assert.Equal(3, output.Count);
    }

    [Fact]
    public void Input_without_any_vector_is_NoRows()
    {
        ErrorRecord error = _shell.RunExpectingTerminatingError("'a', 'b' | Invoke-KMeansTraining -K 1 -ErrorAction SilentlyContinue");

        Assert.Equal($"NoRows,{Command}", error.FullyQualifiedErrorId);
    }

    [Fact]
    public void A_NaN_is_NonFiniteValue_naming_the_row_unless_skipped()
    {
        const string input = "& { $vectors[0..41]; ,[float[]](1, 2, [float]::NaN, 4, 5); $vectors[42..299] }";
        ErrorRecord error = _shell.RunExpectingTerminatingError($"{input} | Invoke-KMeansTraining -K 3");

        Assert.Equal($"NonFiniteValue,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Equal(42L, error.TargetObject);
        Assert.Contains("Row 42 of pipeline input holds NaN at column 2", error.Exception.Message);

        PSObject model = Assert.Single(_shell.Run($"{input} | Invoke-KMeansTraining -K 3 -SkipNonFinite -AsModel"));
        Assert.Equal(1, model.Get<long>("SkippedRows"));
        Assert.Equal(300, model.Get<long>("SampleRows"));
    }

    [Fact]
    public void A_zero_vector_under_Cosine_distance_is_ZeroVector()
    {
        ErrorRecord error = _shell.RunExpectingTerminatingError("& { $vectors; ,[float[]](0, 0, 0, 0, 0) } | Invoke-KMeansTraining -K 3 -Distance Cosine");

        Assert.Equal($"ZeroVector,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(300L, error.TargetObject);
    }

    [Fact]
    public void Initial_centroids_of_the_wrong_count_are_InitialCentroidShape()
    {
        ErrorRecord error = _shell.RunExpectingTerminatingError("$vectors | Invoke-KMeansTraining -K 4 -InitialCentroid $vectors[0..2]");

        Assert.Equal($"InitialCentroidShape,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
    }

    [Fact]
    public void A_missing_temp_directory_is_TempDirectoryNotFound()
    {
        string missing = Path.Combine(Path.GetTempPath(), "pstests-missing-" + Guid.NewGuid().ToString("N"));
        ErrorRecord error = _shell.RunExpectingTerminatingError($"$vectors | Invoke-KMeansTraining -K 3 -OnDisk -TempDirectory '{missing}'");

        Assert.Equal($"TempDirectoryNotFound,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(missing, error.TargetObject);
    }

    [Fact]
    public void A_temp_directory_outside_the_file_system_is_NotFileSystemPath()
    {
        ErrorRecord error = _shell.RunExpectingTerminatingError("$vectors | Invoke-KMeansTraining -K 3 -OnDisk -TempDirectory Env:\\");

        Assert.Equal($"NotFileSystemPath,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal("Env:\\", error.TargetObject);
    }

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

    /// <summary>/proc's file system reports no free space.</summary>
    [GatedFact(Gate.Linux)]
    public void A_temp_directory_without_enough_free_space_is_InsufficientDiskSpace_before_anything_is_written()
    {
        ErrorRecord error = _shell.RunExpectingTerminatingError("$vectors | Invoke-KMeansTraining -K 3 -OnDisk -TempDirectory /proc");

        Assert.Equal($"InsufficientDiskSpace,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Equal("/proc", error.TargetObject);
        Assert.Contains("needs 6,000 bytes in '/proc'", error.Exception.Message);
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
