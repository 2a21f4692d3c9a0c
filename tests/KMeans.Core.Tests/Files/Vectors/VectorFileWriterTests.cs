using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files.Vectors;

public sealed class VectorFileWriterTests(TempDirectory scratch) : IClassFixture<TempDirectory>
{
    [Fact]
    public void ReplacesAnExistingFileAndLeavesNoTemporaryFile()
    {
        string directory = Directory.CreateDirectory(scratch.File("replace")).FullName;
        string path = Path.Combine(directory, "rows.arrow");
        File.WriteAllText(path, "old content");
        float[][] rows = VectorRows.Fractions(10, 3);
        VectorFileWriter.Write(new InMemoryVectorSource(rows), path, VectorFileFormat.Arrow, CancellationToken.None);
        VectorRows.Equal(rows, VectorRows.ReadFile(path));
        Assert.Equal(["rows.arrow"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(VectorFileFormat.Arrow)]
    [InlineData(VectorFileFormat.ArrowStream)]
    [InlineData(VectorFileFormat.Parquet)]
    [InlineData(VectorFileFormat.Npy)]
    [InlineData(VectorFileFormat.Fvecs)]
    [InlineData(VectorFileFormat.Bvecs)]
    public void CancellationLeavesTheTargetUntouchedAndNoTemporaryFile(VectorFileFormat format)
    {
        string directory = Directory.CreateDirectory(scratch.File("cancel-" + format)).FullName;
        string path = Path.Combine(directory, "target.bin");
        File.WriteAllText(path, "keep me");
        using var cancellation = new CancellationTokenSource();
        var source = new CancellingSource(new InMemoryVectorSource(VectorRows.WholeNumbers(5000, 4)), cancellation, cancelAtRow: 2048);
        Assert.ThrowsAny<OperationCanceledException>(() => VectorFileWriter.Write(source, path, format, cancellation.Token));
        Assert.Equal("keep me", File.ReadAllText(path));
        Assert.Equal(["target.bin"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    [Fact]
    public void BvecsRejectsValuesThatAreNotBytes()
    {
        string directory = Directory.CreateDirectory(scratch.File("bvecs")).FullName;
        string path = Path.Combine(directory, "rows.bvecs");
        float[][] rows = VectorRows.WholeNumbers(20, 3);
        rows[13][2] = 256;
        var error = Assert.Throws<KMeansException>(() =>
            VectorFileWriter.Write(new InMemoryVectorSource(rows), path, VectorFileFormat.Bvecs, CancellationToken.None));
        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.Contains("Row 13", error.Message);
        Assert.Contains("256 at column 2", error.Message);
        Assert.Empty(Directory.GetFiles(directory));
    }

    [Theory]
    [InlineData(VectorFileFormat.Npy, ".npy")]
    [InlineData(VectorFileFormat.Fvecs, ".fvecs")]
    [InlineData(VectorFileFormat.Bvecs, ".bvecs")]
    public void FormatsWithoutNullsRejectNullRows(VectorFileFormat format, string extension)
    {
        string directory = Directory.CreateDirectory(scratch.File("nulls" + extension)).FullName;
        float[]?[] rows = VectorRows.WholeNumbers(5, 2);
        rows[3] = null;
        var error = Assert.Throws<KMeansException>(() =>
            VectorFileWriter.Write(new NullableRowsSource(rows), Path.Combine(directory, "rows" + extension), format, CancellationToken.None));
        Assert.Contains("Row 3", error.Message);
        Assert.Contains(extension, error.Message);
        Assert.Empty(Directory.GetFiles(directory));
    }

    [Theory]
    [InlineData(VectorFileFormat.Csv, "rows.csv")]
    [InlineData(VectorFileFormat.Json, "rows.json")]
    public void FormatsThatHoldCentroidsOnlyAreRefusedNamingTheVectorFormats(VectorFileFormat format, string name)
    {
        string path = scratch.File(name);
        var error = Assert.Throws<KMeansException>(() =>
            VectorFileWriter.Write(new InMemoryVectorSource(VectorRows.Fractions(2, 2)), path, format, CancellationToken.None));
        Assert.Equal(KMeansErrorKind.UnsupportedFile, error.Kind);
        Assert.Contains(path, error.Message);
        Assert.Contains(".npy", error.Message);
        Assert.DoesNotContain(".csv", error.Message.Replace(path, ""));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void MissingDirectory()
    {
        string path = scratch.File(Path.Combine("no-such-folder", "rows.npy"));
        var error = Assert.Throws<KMeansException>(() =>
            VectorFileWriter.Write(new InMemoryVectorSource(VectorRows.Fractions(2, 2)), path, VectorFileFormat.Npy, CancellationToken.None));
        Assert.Equal(KMeansErrorKind.FileNotFound, error.Kind);
        Assert.Contains("no-such-folder", error.Message);
    }

    /// <summary>Cancels its token once a given row has been produced, to interrupt a write midway.</summary>
    private sealed class CancellingSource(IVectorSource inner, CancellationTokenSource cancellation, long cancelAtRow) : IVectorSource
    {
        public string Description => inner.Description;

        public int Dimension => inner.Dimension;

        public long? RowCount => inner.RowCount;

        public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
        {
            foreach (VectorBatch batch in inner.ReadBatches(cancellationToken))
            {
                if (batch.FirstRow + batch.RowCount > cancelAtRow)
                    cancellation.Cancel();
                yield return batch;
            }
        }

        public void Dispose() => inner.Dispose();
    }
}
