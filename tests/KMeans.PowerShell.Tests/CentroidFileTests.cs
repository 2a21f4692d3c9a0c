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

    [Theory]
    [InlineData("c.arrow")]
    [InlineData("c.npy")]
    [InlineData("c.csv")]
    [InlineData("c.json")]
    public void Centroids_exported_through_the_plural_alias_import_back_unchanged(string name)
    {
        PSObject file = Assert.Single(_shell.Run($"$centroids | Export-KMeansCentroids -Path \"$dir/{name}\""));
        var imported = _shell.Run($"Import-KMeansCentroid -Path \"$dir/{name}\"");

        Assert.Equal("System.IO.FileInfo", file.TypeName());
        Assert.Equal(_scratch.File(name), file.Get<string>("FullName"));
        Assert.Equal(Describe(_shell.Run("$centroids"), withSizes: !name.EndsWith(".npy")), Describe(imported, withSizes: !name.EndsWith(".npy")));
        Assert.Equal([name], Directory.EnumerateFiles(_scratch.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Centroids_passed_whole_to_InputObject_export_like_piped_ones()
    {
        _shell.Run("Export-KMeansCentroid -InputObject $centroids -Path \"$dir/whole.csv\"");

        var imported = _shell.Run("Import-KMeansCentroid -Path \"$dir/whole.csv\"");
        Assert.Equal(Describe(_shell.Run("$centroids"), withSizes: true), Describe(imported, withSizes: true));
    }

    [Fact]
    public void A_model_export_records_its_metric_which_assignment_from_the_file_uses()
    {
        _shell.Run("$model | Export-KMeansCentroid \"$dir/model.json\"");
        string json = File.ReadAllText(_scratch.File("model.json"));

        var fromFile = _shell.Run("$vectors | Get-KMeansAssignment -Centroid \"$dir/model.json\"");
        var fromModel = _shell.Run("$vectors | Get-KMeansAssignment -Centroid $model");

        Assert.Contains("osine", json);
        Assert.Equal(fromModel.Select(a => (a.Get<int>("ClusterId"), a.Get<double>("Distance"))),
            fromFile.Select(a => (a.Get<int>("ClusterId"), a.Get<double>("Distance"))));
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
    public void An_existing_file_is_refused_without_Force_and_replaced_with_it()
    {
        File.WriteAllText(_scratch.File("c.csv"), "keep me");

        ErrorRecord error = _shell.RunExpectingTerminatingError("$centroids | Export-KMeansCentroid -Path \"$dir/c.csv\"");
        Assert.Equal($"FileExists,{Export}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.Equal(_scratch.File("c.csv"), error.TargetObject);
        Assert.Equal("keep me", File.ReadAllText(_scratch.File("c.csv")));

        _shell.Run("$centroids | Export-KMeansCentroid -Path \"$dir/c.csv\" -Force");
        Assert.StartsWith("cluster_id,size,c0", File.ReadAllText(_scratch.File("c.csv")));
    }

    [Fact]
    public void WhatIf_writes_nothing()
    {
        var output = _shell.Run("$centroids | Export-KMeansCentroid -Path \"$dir/c.arrow\" -WhatIf");

        Assert.Empty(output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch.Path));
    }

    [Fact]
    public void LiteralPath_takes_wildcard_characters_as_they_are()
    {
        _shell.Run("$centroids | Export-KMeansCentroid -LiteralPath \"$dir/c[1].json\"");
        var imported = _shell.Run("Import-KMeansCentroid -LiteralPath \"$dir/c[1].json\"");

        Assert.Equal(5, imported.Count);
        Assert.Equal(["c[1].json"], Directory.EnumerateFiles(_scratch.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Path_wildcards_import_every_match()
    {
        _shell.Run("$centroids | Export-KMeansCentroid \"$dir/a.json\"; $centroids[0..1] | Export-KMeansCentroid \"$dir/b.json\"");

        Assert.Equal(7, _shell.Run("Import-KMeansCentroid -Path \"$dir/*.json\"").Count);
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

    [Fact]
    public void Training_resumes_from_a_centroid_file()
    {
        _shell.Run("$model | Export-KMeansCentroid \"$dir/start.arrow\"");

        string fromFile = Describe(_shell.Run("$vectors | Invoke-KMeansTraining -K 5 -Distance Cosine -InitialCentroid \"$dir/start.arrow\""), withSizes: true);
        string fromModel = Describe(_shell.Run("$vectors | Invoke-KMeansTraining -K 5 -Distance Cosine -InitialCentroid $model"), withSizes: true);

        Assert.Equal(fromModel, fromFile);
        Assert.Empty(_shell.PowerShell.Streams.Error);
    }

    private static string Describe(IEnumerable<PSObject> centroids, bool withSizes) => string.Join(";", centroids.Select(c =>
        $"{c.Get<int>("ClusterId")}:{(withSizes ? c.Get<long>("Size") : 0)}:{string.Join(",", c.Get<float[]>("Vector").Select(BitConverter.SingleToInt32Bits))}"));

    public void Dispose()
    {
        _shell.Dispose();
        _scratch.Dispose();
    }
}
