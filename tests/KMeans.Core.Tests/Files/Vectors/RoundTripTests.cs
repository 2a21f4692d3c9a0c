using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files.Vectors;

public sealed class RoundTripTests(TempDirectory scratch) : IClassFixture<TempDirectory>
{
    public static TheoryData<VectorFileFormat, string> WriterFormats => new()
    {
        { VectorFileFormat.Arrow, "rows.arrow" },
        { VectorFileFormat.Arrow, "rows.feather" },
        { VectorFileFormat.ArrowStream, "rows.arrows" },
        { VectorFileFormat.Parquet, "rows.parquet" },
        { VectorFileFormat.Npy, "rows.npy" },
        { VectorFileFormat.Fvecs, "rows.fvecs" },
        { VectorFileFormat.Bvecs, "rows.bvecs" },
    };

    [Theory]
    [MemberData(nameof(WriterFormats))]
    public void WriterOutputReadsBackExactly(VectorFileFormat format, string name)
    {
        float[][] rows = format == VectorFileFormat.Bvecs ? VectorRows.WholeNumbers(300, 5) : VectorRows.Fractions(300, 5);
        string path = scratch.File(name);
        VectorFileWriter.Write(new InMemoryVectorSource(rows), path, format, CancellationToken.None);

        using IVectorSource source = VectorFile.Open(path);
        Assert.Equal(5, source.Dimension);
        Assert.Equal(300, source.RowCount);
        Assert.Equal(path, source.Description);
        VectorRows.Equal(rows, VectorRows.ReadAll(source));
    }

    [Theory]
    [InlineData(VectorFileFormat.Arrow, "big.arrow")]
    [InlineData(VectorFileFormat.Parquet, "big.parquet")]
    [InlineData(VectorFileFormat.Npy, "big.npy")]
    public void RowsSpanningSeveralBatchesAndRowGroupsKeepTheirOrder(VectorFileFormat format, string name)
    {
        // 3 000 rows of dimension 2 000: 6 M values, more than one writer batch (1 M values) and row group (4 M).
        float[][] rows = VectorRows.Fractions(3000, 2000);
        string path = scratch.File(name);
        VectorFileWriter.Write(new InMemoryVectorSource(rows), path, format, CancellationToken.None);
        VectorRows.Equal(rows, VectorRows.ReadFile(path));
    }

    [Theory]
    [InlineData(VectorFileFormat.Arrow, "nulls.arrow")]
    [InlineData(VectorFileFormat.ArrowStream, "nulls.arrows")]
    [InlineData(VectorFileFormat.Parquet, "nulls.parquet")]
    public void NullRowsSurviveArrowAndParquet(VectorFileFormat format, string name)
    {
        float[]?[] rows = VectorRows.Fractions(50, 3);
        rows[0] = rows[17] = rows[49] = null;
        string path = scratch.File(name);
        VectorFileWriter.Write(new NullableRowsSource(rows), path, format, CancellationToken.None);
        VectorRows.Equal(rows, VectorRows.ReadFile(path));
    }

    [Theory]
    [InlineData(ArrowTypeId.HalfFloat)]
    [InlineData(ArrowTypeId.Float)]
    [InlineData(ArrowTypeId.Double)]
    public void ArrowFixedSizeListOfEveryElementType(ArrowTypeId element)
    {
        float[][] rows = VectorRows.Fractions(100, 4);
        string path = scratch.File($"fixed-{element}.arrow");
        ArrowTestFiles.Write(path, rows.Length, 30, stream: false, compression: null,
            ("id", ArrowTestFiles.Int32s()), ("embedding", ArrowTestFiles.FixedSizeList(rows, element)));
        using IVectorSource source = VectorFile.Open(path);
        Assert.Equal(100, source.RowCount);
        VectorRows.Equal(rows, VectorRows.ReadAll(source));
    }

    [Theory]
    [InlineData(ArrowTypeId.Float, false)]
    [InlineData(ArrowTypeId.Double, true)]
    public void ArrowListColumnWithEqualLengths(ArrowTypeId element, bool stream)
    {
        float[]?[] rows = VectorRows.Fractions(40, 6);
        rows[0] = rows[25] = null;
        string path = scratch.File($"list-{element}.{(stream ? "arrows" : "arrow")}");
        ArrowTestFiles.Write(path, rows.Length, 16, stream, compression: null, ("vector", ArrowTestFiles.List(rows, element)));
        using IVectorSource source = VectorFile.Open(path);
        Assert.Equal(6, source.Dimension);
        VectorRows.Equal(rows, VectorRows.ReadAll(source));
    }

    [Fact]
    public void NullElementInsideAVectorReadsAsNaNThatTrainingAndCentroidReadingNameANullElement()
    {
        string path = scratch.File("null-element.arrow");
        ArrowTestFiles.Write(path, 2, 2, stream: false, compression: null, ("vector", (_, _) =>
        {
            var builder = new Apache.Arrow.FixedSizeListArray.Builder(FloatType.Default, 3);
            var values = (Apache.Arrow.FloatArray.Builder)builder.ValueBuilder;
            builder.Append();
            values.Append(1).AppendNull().Append(3);
            builder.Append();
            values.Append(4).Append(5).Append(6);
            return builder.Build();
        }));
        VectorRows.Equal([[1, float.NaN, 3], [4, 5, 6]], VectorRows.ReadFile(path));
        Assert.True(KMeans.Core.Numerics.NullElement.Is(VectorRows.ReadFile(path)[0]![1]));

        // Training names it as what the file holds, not as a NaN value.
        using IVectorSource source = VectorFile.Open(path);
        var error = Assert.Throws<KMeansException>(() => KMeans.Core.Training.KMeansTrainer.Train(source,
            new KMeans.Core.Training.KMeansOptions { K = 1, Seed = 1 }));
        Assert.Equal(KMeansErrorKind.NonFiniteValue, error.Kind);
        Assert.Contains("has a null element at column 1", error.Message);

        // And so does reading the file as centroids.
        var imported = Assert.Throws<KMeansException>(() => CentroidFile.Read(path));
        Assert.Equal(KMeansErrorKind.NonFiniteValue, imported.Kind);
        Assert.Equal($"'{path}' cannot be read: Centroid 0, component 1 is null; centroids must be finite numbers.", imported.Message);
    }

    /// <summary>
    /// A float64 beyond float32's range is finite: training refuses it as out of range, naming its row and column,
    /// and -SkipNonFinite does not drop it as it drops infinities (which a plain cast to float32 made of it).
    /// </summary>
    [Theory]
    [InlineData("npy", false)]
    [InlineData("npy", true)]
    [InlineData("arrow", false)]
    [InlineData("arrow", true)]
    public void AFloat64BeyondFloat32IsRefusedAsOutOfRangeNotAsInfinite(string format, bool skipNonFinite)
    {
        float[][] rows = VectorRows.Fractions(6, 3);
        string path = scratch.File($"beyond-float32.{format}");
        if (format == "npy")
        {
            RawTestFiles.Npy(path, rows, descr: "<f8");
            using var file = File.OpenWrite(path);
            file.Seek(file.Length - (long)rows.Length * 3 * sizeof(double) + (4 * 3 + 2) * sizeof(double), SeekOrigin.Begin);
            file.Write(BitConverter.GetBytes(1e300));
        }
        else
        {
            ArrowTestFiles.Write(path, rows.Length, rows.Length, stream: false, compression: null, ("vector", (_, _) =>
            {
                var builder = new Apache.Arrow.FixedSizeListArray.Builder(DoubleType.Default, 3);
                var values = (Apache.Arrow.DoubleArray.Builder)builder.ValueBuilder;
                for (int row = 0; row < rows.Length; row++)
                {
                    builder.Append();
                    values.AppendRange(rows[row].Select((value, j) => row == 4 && j == 2 ? -1e300 : value));
                }
                return builder.Build();
            }));
        }

        using IVectorSource source = VectorFile.Open(path);
        var error = Assert.Throws<KMeansException>(() => KMeans.Core.Training.KMeansTrainer.Train(source,
            new KMeans.Core.Training.KMeansOptions { K = 1, Seed = 1, SkipNonFinite = skipNonFinite }));
        Assert.Equal(KMeansErrorKind.ValueOutOfRange, error.Kind);
        Assert.Equal($"Row 4 of {path} holds a value beyond float32's range (±3.4E+38) at column 2; vectors are read as float32.",
            error.Message);
    }

    [Fact]
    public void ArrowLargeListColumn()
    {
        float[]?[] rows = VectorRows.Fractions(30, 5);
        rows[7] = null;
        string path = scratch.File("large-list.arrow");
        ArrowTestFiles.Write(path, rows.Length, 12, stream: false, compression: null, ("vector", ArrowTestFiles.LargeList(rows)));
        VectorRows.Equal(rows, VectorRows.ReadFile(path));
    }

    [Theory]
    [InlineData(CompressionCodecType.Lz4Frame, false)]
    [InlineData(CompressionCodecType.Zstd, false)]
    [InlineData(CompressionCodecType.Lz4Frame, true)]
    [InlineData(CompressionCodecType.Zstd, true)]
    public void CompressedArrowIsDecompressed(CompressionCodecType codec, bool stream)
    {
        float[][] rows = VectorRows.Fractions(200, 8);
        string path = scratch.File($"compressed-{codec}.{(stream ? "arrows" : "arrow")}");
        ArrowTestFiles.Write(path, rows.Length, 64, stream, codec, ("vector", ArrowTestFiles.FixedSizeList(rows, ArrowTypeId.Float)));
        VectorRows.Equal(rows, VectorRows.ReadFile(path));
    }

    [Fact]
    public void ArrowColumnIsChosenByName()
    {
        float[][] first = VectorRows.Fractions(10, 3);
        float[][] second = VectorRows.WholeNumbers(10, 5);
        string path = scratch.File("two-vectors.arrow");
        ArrowTestFiles.Write(path, 10, 10, stream: false, compression: null,
            ("a", ArrowTestFiles.FixedSizeList(first, ArrowTypeId.Float)), ("b", ArrowTestFiles.FixedSizeList(second, ArrowTypeId.Double)));
        VectorRows.Equal(second, VectorRows.ReadFile(path, "b"));
        VectorRows.Equal(first, VectorRows.ReadFile(path, "a"));
    }

    [Fact]
    public void EmptyArrowFileHasNoRows()
    {
        string path = scratch.File("no-rows.arrow");
        VectorFileWriter.Write(new InMemoryVectorSource([new float[3]]).Take(0), path, VectorFileFormat.Arrow, CancellationToken.None);
        using IVectorSource source = VectorFile.Open(path);
        Assert.Equal(0, source.RowCount);
        Assert.Equal(3, source.Dimension);
        Assert.Empty(VectorRows.ReadAll(source));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ParquetListOfFloatOrDouble(bool doubles)
    {
        float[][] rows = VectorRows.Fractions(120, 7);
        string path = scratch.File($"list-{(doubles ? "double" : "float")}.parquet");
        ParquetTestFiles.Write(path, rows, doubles, rowGroupRows: 50, "embedding");
        using IVectorSource source = VectorFile.Open(path);
        Assert.Equal(120, source.RowCount);
        Assert.Equal(7, source.Dimension);
        VectorRows.Equal(rows, VectorRows.ReadAll(source));
    }

    /// <summary>
    /// Opening decodes the first row group to find the dimension, and the first reading takes it; a second reading, or
    /// the reading of a file opened before another one, decodes it again. Each gives the same rows, and doubles the same
    /// notes.
    /// </summary>
    [Theory]
    [InlineData(false, 120)]
    [InlineData(true, 120)]
    [InlineData(true, 50)]
    public void ParquetReadingsGiveTheSameRowsWhetherTheyTakeTheRowGroupOpeningDecodedOrNot(bool doubles, int rowGroupRows)
    {
        float[][] rows = VectorRows.Fractions(120, 7);
        string path = scratch.File($"decoded-once-{doubles}-{rowGroupRows}.parquet");
        ParquetTestFiles.Write(path, rows, doubles, rowGroupRows, offset: doubles ? 1e8 : 0, "embedding");
        float[][] expected = rows.Select(row => row.Select(value => doubles ? (float)(value + 1e8) : value).ToArray()).ToArray();

        using IVectorSource takes = VectorFile.Open(path);
        List<float[]?> first = VectorRows.ReadAll(takes);
        var firstNotes = takes.Float64Blurs.ToList();
        List<float[]?> again = VectorRows.ReadAll(takes);
        using IVectorSource openedFirst = VectorFile.Open(path);
        using IVectorSource openedSecond = VectorFile.Open(path);
        List<float[]?> decodedAgain = VectorRows.ReadAll(openedFirst);
        List<float[]?> letGo = VectorRows.ReadAll(openedSecond);

        VectorRows.Equal(expected, first);
        VectorRows.Equal(expected, again);
        VectorRows.Equal(expected, decodedAgain);
        VectorRows.Equal(expected, letGo);
        Assert.Equal(openedFirst.Float64Blurs, firstNotes);
        Assert.Equal(doubles, firstNotes.Count == 1);
    }

    [Fact]
    public void AParquetFileReplacedBetweenOpeningAndReadingIsReadAsItIsNow()
    {
        float[][] rows = VectorRows.Fractions(120, 7);
        float[][] shifted = rows.Select(row => row.Select(value => value + 5).ToArray()).ToArray();
        string path = scratch.File("replaced.parquet");
        string replacement = scratch.File("replacement.parquet");
        ParquetTestFiles.Write(path, rows, doubles: false, rowGroupRows: 50, "embedding");
        ParquetTestFiles.Write(replacement, shifted, doubles: false, rowGroupRows: 50, "embedding");
        File.SetLastWriteTimeUtc(replacement, File.GetLastWriteTimeUtc(path).AddSeconds(10));

        using IVectorSource source = VectorFile.Open(path);
        File.Move(replacement, path, overwrite: true);

        VectorRows.Equal(shifted, VectorRows.ReadAll(source));
    }

    [Fact]
    public void ParquetColumnIsChosenByName()
    {
        float[][] rows = VectorRows.Fractions(10, 3);
        string path = scratch.File("two-vectors.parquet");
        ParquetTestFiles.Write(path, rows, doubles: false, rowGroupRows: 10, "a", "b");
        VectorRows.Equal(rows, VectorRows.ReadFile(path, "b"));
    }

    [Theory]
    [InlineData("<f4", false, 1)]
    [InlineData("<f8", false, 1)]
    [InlineData("<f4", true, 1)]
    [InlineData("<f8", true, 2)]
    [InlineData("<f4", false, 3)]
    [InlineData("=f4", false, 1)]
    [InlineData("|f8", false, 1)]
    [InlineData("f4", true, 1)]
    public void NpyInEveryElementTypeOrderAndVersion(string descr, bool fortran, int version)
    {
        float[][] rows = VectorRows.Fractions(70, 9);
        string path = scratch.File($"array-{descr.Replace('<', 'l').Replace('=', 'n').Replace('|', 'p')}-{fortran}-{version}.npy");
        RawTestFiles.Npy(path, rows, descr, fortran, version);
        using IVectorSource source = VectorFile.Open(path);
        Assert.Equal(70, source.RowCount);
        Assert.Equal(9, source.Dimension);
        VectorRows.Equal(rows, VectorRows.ReadAll(source));
    }

    [Fact]
    public void LargeFortranNpyIsReadInSeveralBlocks()
    {
        // 600 rows × 2 000 columns: more than one 1 M-value batch, so each column is read in two pieces.
        float[][] rows = VectorRows.Fractions(600, 2000);
        string path = scratch.File("fortran-large.npy");
        RawTestFiles.Npy(path, rows, "<f4", fortran: true);
        VectorRows.Equal(rows, VectorRows.ReadFile(path));
    }

    [Fact]
    public void NpyWriterPatchesTheRowCountOfASourceThatDoesNotKnowIt()
    {
        float[][] rows = VectorRows.Fractions(33, 4);
        string path = scratch.File("unknown-count.npy");
        VectorFileWriter.Write(new InMemoryVectorSource(rows).WithoutRowCount(), path, VectorFileFormat.Npy, CancellationToken.None);
        VectorRows.Equal(rows, VectorRows.ReadFile(path));
    }
}
