using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

public sealed class VectorFileTests : IDisposable
{
    private const string Train = "KMeans.PowerShell.InvokeKMeansTrainingCommand";
    private readonly HostedShell _shell = new();
    private readonly ScratchDirectory _scratch = new();

    public VectorFileTests() => _shell.Set("dir", _scratch.Path);

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
    public void K_above_the_rows_of_a_file_is_KExceedsRows_naming_the_file()
    {
        _shell.Run("New-KMeansSampleData \"$dir/few.npy\" -Rows 5 -Dimension 3");

        ErrorRecord error = _shell.RunExpectingTerminatingError("Invoke-KMeansTraining \"$dir/few.npy\" -K 6");

        Assert.Equal($"KExceedsRows,{Train}", error.FullyQualifiedErrorId);
        Assert.Contains("few.npy", error.Exception.Message);
    }

    public void Dispose()
    {
        _shell.Dispose();
        _scratch.Dispose();
    }
}
