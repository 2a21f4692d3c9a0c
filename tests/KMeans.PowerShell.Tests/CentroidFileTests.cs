using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

public sealed class CentroidFileTests : IDisposable
{
    private const string Export = "KMeans.PowerShell.ExportKMeansCentroidCommand";
    private const string Import = "KMeans.PowerShell.ImportKMeansCentroidCommand";
    private readonly HostedShell _shell = new();
    private readonly ScratchDirectory _scratch = new();

    public CentroidFileTests()
    {
        _shell.Set("vectors", TestData.Blobs(500, 6, 5, seed: 31)).Set("dir", _scratch.Path);
        _shell.Run("$model = $vectors | Invoke-KMeansTraining -K 5 -Seed 8 -AsModel -Distance Cosine; $centroids = $model.Centroids");
    }

    [Fact]
    public void Format_overrides_the_extension_and_an_unknown_extension_is_refused()
    {
        _shell.Run("$centroids | Export-KMeansCentroid -Path \"$dir/c.bin\" -Format Json");
        ErrorRecord error = _shell.RunExpectingTerminatingError("$centroids | Export-KMeansCentroid -Path \"$dir/c.weird\"");

        Assert.StartsWith("{", File.ReadAllText(_scratch.File("c.bin")).TrimStart());
        Assert.Equal($"UnsupportedFile,{Export}", error.FullyQualifiedErrorId);
        Assert.False(File.Exists(_scratch.File("c.weird")));
    }

    [Fact]
    public void A_target_outside_the_file_system_is_NotFileSystemPath()
    {
        ErrorRecord error = _shell.RunExpectingTerminatingError("$centroids | Export-KMeansCentroid -Path Variable:\\c.arrow");

        Assert.Equal($"NotFileSystemPath,{Export}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
    }

    [Fact]
    public void A_target_in_a_missing_directory_is_FileNotFound()
    {
        ErrorRecord error = _shell.RunExpectingTerminatingError("$centroids | Export-KMeansCentroid -Path \"$dir/no/such/c.arrow\"");

        Assert.Equal($"FileNotFound,{Export}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
    }

    [Fact]
    public void Objects_that_are_not_centroids_are_not_exported()
    {
        _shell.Run("'text' | Export-KMeansCentroid -Path \"$dir/c.arrow\"");

        Assert.Equal([$"InvalidCentroid,{Export}"], _shell.ErrorIds);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch.Path));
    }

    [Fact]
    public void Import_reports_a_missing_file_an_unsupported_one_and_a_damaged_one_and_goes_on()
    {
        File.WriteAllText(_scratch.File("notes.txt"), "not centroids");
        File.WriteAllText(_scratch.File("broken.arrow"), "not an arrow file");
        _shell.Run("$centroids | Export-KMeansCentroid \"$dir/good.npy\"");

        var imported = _shell.Run("Import-KMeansCentroid -Path \"$dir/missing.arrow\", \"$dir/notes.txt\", \"$dir/broken.arrow\", \"$dir/good.npy\", Env:\\PATH");

        Assert.Equal(5, imported.Count);
        Assert.Equal([$"FileNotFound,{Import}", $"UnsupportedFile,{Import}", $"InvalidFile,{Import}", $"NotFileSystemPath,{Import}"], _shell.ErrorIds);
        Assert.Equal(_scratch.File("missing.arrow"), _shell.PowerShell.Streams.Error[0].TargetObject);
        Assert.Equal(_scratch.File("notes.txt"), _shell.PowerShell.Streams.Error[1].TargetObject);
        Assert.Equal(ErrorCategory.InvalidData, _shell.PowerShell.Streams.Error[2].CategoryInfo.Category);
    }

    public void Dispose()
    {
        _shell.Dispose();
        _scratch.Dispose();
    }
}
