using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

public sealed class VectorFileTests : IDisposable
{
    private const string Train = "KMeans.PowerShell.InvokeKMeansTrainingCommand";
    private const string Sample = "KMeans.PowerShell.NewKMeansSampleDataCommand";
    private readonly HostedShell _shell = new();
    private readonly ScratchDirectory _scratch = new();

    public VectorFileTests() => _shell.Set("dir", _scratch.Path);

    [Theory]
    [InlineData("data.arrow")]
    [InlineData("data.arrows")]
    [InlineData("data.parquet")]
    [InlineData("data.npy")]
    [InlineData("data.fvecs")]
    public void Sample_data_in_every_format_trains_to_the_same_centroids(string name)
    {
        _shell.Run("New-KMeansSampleData -Path \"$dir/reference.npy\" -Rows 1500 -Dimension 8 -Clusters 4 -Seed 3");
        // The sample cap (1000 × K) holds every row, so a stream of unknown length samples the same rows in the same order.
        PSObject file = Assert.Single(_shell.Run($"New-KMeansSampleData -Path \"$dir/{name}\" -Rows 1500 -Dimension 8 -Clusters 4 -Seed 3"));

        string expected = Describe(_shell.Run("Invoke-KMeansTraining -Path \"$dir/reference.npy\" -K 4 -Seed 1 -SampleRate 1000"));
        string actual = Describe(_shell.Run($"Invoke-KMeansTraining -LiteralPath \"$dir/{name}\" -K 4 -Seed 1 -SampleRate 1000"));

        Assert.Equal("System.IO.FileInfo", file.TypeName());
        Assert.Equal(expected, actual);
        Assert.Empty(_shell.PowerShell.Streams.Error);
    }

    [Fact]
    public void Training_reads_several_files_as_one_data_set()
    {
        _shell.Run("New-KMeansSampleData \"$dir/a.parquet\" -Rows 600 -Dimension 4 -Clusters 3 -Seed 2; New-KMeansSampleData \"$dir/b.parquet\" -Rows 400 -Dimension 4 -Clusters 3 -Seed 5");

        PSObject model = Assert.Single(_shell.Run("Invoke-KMeansTraining -Path \"$dir/*.parquet\" -K 3 -Seed 1 -AsModel"));
        PSObject fromList = Assert.Single(_shell.Run("Invoke-KMeansTraining -LiteralPath \"$dir/a.parquet\", \"$dir/b.parquet\" -K 3 -Seed 1 -AsModel"));

        Assert.Equal(1000, model.Get<long>("RowsRead"));
        Assert.Equal(Describe(model.Get<PSObject[]>("Centroids")), Describe(fromList.Get<PSObject[]>("Centroids")));
    }

    [Fact]
    public void A_bad_row_in_one_of_several_files_is_named_by_its_file_and_its_row_there()
    {
        float[][] first = TestData.Blobs(50, 3, 2, seed: 1).ToArray();
        float[][] second = TestData.Blobs(30, 3, 2, seed: 2).ToArray();
        second[7][1] = float.PositiveInfinity;
        WriteNpy(_scratch.File("a.npy"), first);
        WriteNpy(_scratch.File("b.npy"), second);

        ErrorRecord error = _shell.RunExpectingTerminatingError("Invoke-KMeansTraining -LiteralPath \"$dir/a.npy\", \"$dir/b.npy\" -K 2");

        Assert.Equal($"NonFiniteValue,{Train}", error.FullyQualifiedErrorId);
        Assert.StartsWith($"Row 7 of {_scratch.File("b.npy")} holds ∞ at column 1", error.Exception.Message.Replace("Infinity", "∞"));
    }

    [Fact]
    public void An_in_memory_sample_larger_than_the_available_memory_is_InsufficientMemory_before_reading()
    {
        // An Arrow stream does not record its row count, so the sample must be able to hold SampleRate × K rows.
        _shell.Run("New-KMeansSampleData \"$dir/v.arrows\" -Rows 100 -Dimension 64 -Seed 1");

        ErrorRecord error = _shell.RunExpectingTerminatingError("Invoke-KMeansTraining -Path \"$dir/v.arrows\" -K 1000 -SampleRate 2000000000");

        Assert.Equal($"InsufficientMemory,{Train}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Contains("(sample 512,000,000,000,000, working set ", error.Exception.Message);
        Assert.Contains("Train with -OnDisk to keep the sample", error.ErrorDetails.Message);
    }

    /// <summary>A little-endian float32 C-order .npy, version 1.0, written by hand so the test controls every value.</summary>
    private static void WriteNpy(string path, float[][] rows)
    {
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows.Length}, {rows[0].Length}), }}";
        int padded = (10 + header.Length + 1 + 63) / 64 * 64 - 10;
        header = header.PadRight(padded - 1) + "\n";
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        writer.Write((ushort)header.Length);
        writer.Write(System.Text.Encoding.ASCII.GetBytes(header));
        foreach (float value in rows.SelectMany(row => row))
            writer.Write(value);
    }

    [Fact]
    public void The_estimate_reads_rows_and_dimension_from_the_file()
    {
        _shell.Run("New-KMeansSampleData \"$dir/v.arrow\" -Rows 5000 -Dimension 16 -Seed 1");

        PSObject estimate = Assert.Single(_shell.Run("Get-KMeansDiskEstimate -Path \"$dir/v.arrow\" -K 10"));

        Assert.Equal(_scratch.File("v.arrow"), estimate.Get<string>("Path"));
        Assert.Equal(5000, estimate.Get<long>("Rows"));
        Assert.Equal(16, estimate.Get<int>("Dimension"));
        Assert.Equal(2560, estimate.Get<long>("SampleRows"));
        Assert.Equal(2560 * 16 * 4, estimate.Get<long>("Bytes"));
    }

    [Fact]
    public void Every_row_of_a_file_is_assigned_in_order()
    {
        _shell.Run("New-KMeansSampleData \"$dir/v.npy\" -Rows 700 -Dimension 6 -Clusters 3 -Seed 4; $model = Invoke-KMeansTraining \"$dir/v.npy\" -K 3 -Seed 1 -AsModel");

        var assignments = _shell.Run("Get-KMeansAssignment -Path \"$dir/v.npy\" -Centroid $model");
        var summary = _shell.Run("Get-KMeansAssignment -Path \"$dir/v.npy\" -Centroid $model -Summary");
        List<ProgressRecord> progress = _shell.PowerShell.Streams.Progress.ToList();

        Assert.Empty(_shell.PowerShell.Streams.Error);
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);
        Assert.Equal(Enumerable.Range(0, 700).Select(i => (long)i), assignments.Select(a => a.Get<long>("Index")));
        Assert.Equal(_shell.Run("$model.Centroids | ForEach-Object Size").Select(s => (long)s.BaseObject), summary.Select(s => s.Get<long>("Count")));
    }

    [Fact]
    public void A_missing_file_an_unsupported_one_a_damaged_one_and_another_provider_have_their_ErrorIds()
    {
        File.WriteAllText(_scratch.File("notes.txt"), "text");
        File.WriteAllText(_scratch.File("broken.npy"), "not numpy");

        (string Script, string ErrorId, ErrorCategory Category)[] cases =
        [
            ("Invoke-KMeansTraining -Path \"$dir/missing.npy\" -K 2", "FileNotFound", ErrorCategory.ObjectNotFound),
            ("Invoke-KMeansTraining -LiteralPath \"$dir/missing.npy\" -K 2", "FileNotFound", ErrorCategory.ObjectNotFound),
            ("Invoke-KMeansTraining -Path \"$dir/notes.txt\" -K 2", "UnsupportedFile", ErrorCategory.InvalidArgument),
            ("Invoke-KMeansTraining -Path \"$dir/broken.npy\" -K 2", "InvalidFile", ErrorCategory.InvalidData),
            ("Invoke-KMeansTraining -Path Env:\\PATH -K 2", "NotFileSystemPath", ErrorCategory.InvalidArgument),
        ];
        foreach ((string script, string errorId, ErrorCategory category) in cases)
        {
            ErrorRecord error = _shell.RunExpectingTerminatingError(script);
            Assert.Equal($"{errorId},{Train}", error.FullyQualifiedErrorId);
            Assert.Equal(category, error.CategoryInfo.Category);
        }
    }

    [Fact]
    public void A_column_the_file_does_not_have_is_ColumnNotFound()
    {
        _shell.Run("New-KMeansSampleData \"$dir/v.parquet\" -Rows 50 -Dimension 3");

        ErrorRecord error = _shell.RunExpectingTerminatingError("Invoke-KMeansTraining \"$dir/v.parquet\" -Column embedding -K 2");
        var model = _shell.Run("Invoke-KMeansTraining \"$dir/v.parquet\" -Column vector -K 2 -AsModel");

        Assert.Equal($"ColumnNotFound,{Train}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(50, Assert.Single(model).Get<long>("RowsRead"));
    }

    [Fact]
    public void K_above_the_rows_of_a_file_is_KExceedsRows_naming_the_file()
    {
        _shell.Run("New-KMeansSampleData \"$dir/few.npy\" -Rows 5 -Dimension 3");

        ErrorRecord error = _shell.RunExpectingTerminatingError("Invoke-KMeansTraining \"$dir/few.npy\" -K 6");

        Assert.Equal($"KExceedsRows,{Train}", error.FullyQualifiedErrorId);
        Assert.Contains("few.npy", error.Exception.Message);
    }

    [Fact]
    public void Sample_data_refuses_an_existing_file_without_Force_and_writes_nothing_with_WhatIf()
    {
        File.WriteAllText(_scratch.File("v.npy"), "keep");

        ErrorRecord exists = _shell.RunExpectingTerminatingError("New-KMeansSampleData \"$dir/v.npy\" -Rows 10 -Dimension 2");
        var whatIf = _shell.Run("New-KMeansSampleData \"$dir/w.npy\" -Rows 10 -Dimension 2 -WhatIf");
        ErrorRecord unsupported = _shell.RunExpectingTerminatingError("New-KMeansSampleData \"$dir/v.bin\" -Rows 10 -Dimension 2");

        Assert.Equal($"FileExists,{Sample}", exists.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, exists.CategoryInfo.Category);
        Assert.Equal("keep", File.ReadAllText(_scratch.File("v.npy")));
        Assert.Empty(whatIf);
        Assert.Equal($"UnsupportedFile,{Sample}", unsupported.FullyQualifiedErrorId);
        Assert.Equal(["v.npy"], Directory.EnumerateFiles(_scratch.Path).Select(Path.GetFileName));

        _shell.Run("New-KMeansSampleData \"$dir/v.npy\" -Rows 10 -Dimension 2 -Force; New-KMeansSampleData \"$dir/v.bin\" -Rows 10 -Dimension 2 -Format Npy");
        Assert.Equal(File.ReadAllBytes(_scratch.File("v.npy")), File.ReadAllBytes(_scratch.File("v.bin")));
    }

    private static string Describe(IEnumerable<PSObject> centroids) => string.Join(";", centroids.Select(c =>
        $"{c.Get<int>("ClusterId")}:{c.Get<long>("Size")}:{string.Join(",", c.Get<float[]>("Vector").Select(BitConverter.SingleToInt32Bits))}"));

    public void Dispose()
    {
        _shell.Dispose();
        _scratch.Dispose();
    }
}
