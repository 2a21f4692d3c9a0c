using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files.Centroids;

public sealed class CentroidFileWriteTests : IDisposable
{
    private const string OldContent = "the file that was there before";
    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    public static TheoryData<VectorFileFormat> Formats => new(CentroidFile.WritableFormats);

    [Theory]
    [MemberData(nameof(Formats))]
    public void AnExistingFileIsRefusedWithoutOverwriteAndLeftUnchanged(VectorFileFormat format)
    {
        string path = _scratch.File("centroids.out");
        File.WriteAllText(path, OldContent);

        var error = Assert.Throws<KMeansException>(() =>
            CentroidFile.Write(path, CentroidSamples.Small(), format, overwrite: false));

        Assert.Equal(KMeansErrorKind.FileExists, error.Kind);
        Assert.Contains(path, error.Message);
        Assert.Equal(path, error.Target);
        Assert.Equal(OldContent, File.ReadAllText(path));
        Assert.Equal(["centroids.out"], _scratch.FileNames());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void OverwriteReplacesAnExistingFile(VectorFileFormat format)
    {
        string path = _scratch.File("centroids.out");
        File.WriteAllText(path, OldContent);

        CentroidFile.Write(path, CentroidSamples.Small(), format, overwrite: true);

        Assert.NotEqual(OldContent, File.ReadAllText(path));
        Assert.Equal(["centroids.out"], _scratch.FileNames());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void ACancelledWriteLeavesNoTargetAndNoTemporaryFile(VectorFileFormat format)
    {
        string path = _scratch.File("centroids.out");

        Assert.ThrowsAny<OperationCanceledException>(() =>
            CentroidFile.Write(path, CentroidSamples.Awkward(), format, overwrite: false, new CancellationToken(canceled: true)));

        Assert.Empty(_scratch.FileNames());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void ACancelledOverwriteLeavesTheOldFileUntouched(VectorFileFormat format)
    {
        string path = _scratch.File("centroids.out");
        File.WriteAllText(path, OldContent);

        Assert.ThrowsAny<OperationCanceledException>(() =>
            CentroidFile.Write(path, CentroidSamples.Awkward(), format, overwrite: true, new CancellationToken(canceled: true)));

        Assert.Equal(OldContent, File.ReadAllText(path));
        Assert.Equal(["centroids.out"], _scratch.FileNames());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void ANaNValueIsRefusedBeforeAnythingIsWritten(VectorFileFormat format)
    {
        string path = _scratch.File("centroids.out");
        CentroidSet set = CentroidSamples.Small();
        set.Values[4] = float.NaN;

        var error = Assert.Throws<KMeansException>(() => CentroidFile.Write(path, set, format, overwrite: true));

        Assert.Equal(KMeansErrorKind.NonFiniteValue, error.Kind);
        Assert.Contains("Centroid 1, component 1 is NaN", error.Message);
        Assert.Empty(_scratch.FileNames());
    }

    [Fact]
    public void AMissingDirectoryIsReportedAsSuch()
    {
        string path = Path.Combine(_scratch.Path, "missing", "centroids.json");

        var error = Assert.Throws<KMeansException>(() =>
            CentroidFile.Write(path, CentroidSamples.Small(), VectorFileFormat.Json, overwrite: true));

        Assert.Equal(KMeansErrorKind.FileNotFound, error.Kind);
        Assert.Contains(Path.Combine(_scratch.Path, "missing"), error.Message);
    }

    [Fact]
    public void ADirectoryIsNeverReplaced()
    {
        string path = _scratch.File("centroids.json");
        Directory.CreateDirectory(path);

        var error = Assert.Throws<KMeansException>(() =>
            CentroidFile.Write(path, CentroidSamples.Small(), VectorFileFormat.Json, overwrite: true));

        Assert.Equal(KMeansErrorKind.TargetNotRegularFile, error.Kind);
        Assert.True(Directory.Exists(path));
        Assert.Empty(_scratch.FileNames());
    }
}
