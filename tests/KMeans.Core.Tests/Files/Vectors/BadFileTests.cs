using Apache.Arrow.Types;
using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files.Vectors;

public sealed class BadFileTests(TempDirectory scratch) : IClassFixture<TempDirectory>
{
    public static TheoryData<string> Extensions => new() { ".arrow", ".feather", ".ipc", ".arrows", ".parquet", ".npy", ".fvecs", ".bvecs" };

    [Theory]
    [MemberData(nameof(Extensions))]
    public void MissingFile(string extension)
    {
        string path = scratch.File("absent" + extension);
        AssertFails(KMeansErrorKind.FileNotFound, path, "does not exist");
    }

    [Fact]
    public void DirectoryInsteadOfFile()
    {
        string path = scratch.File("folder.arrow");
        Directory.CreateDirectory(path);
        AssertFails(KMeansErrorKind.InvalidFile, path, "is a directory");
    }

    [Theory]
    [MemberData(nameof(Extensions))]
    public void EmptyFile(string extension)
    {
        string path = scratch.File("empty" + extension);
        File.WriteAllBytes(path, []);
        AssertFails(KMeansErrorKind.InvalidFile, path, "is empty");
    }

    [Fact]
    public void UnknownExtensionListsTheSupportedOnes()
    {
        string path = scratch.File("vectors.csv");
        File.WriteAllText(path, "1,2,3");
        KMeansException error = AssertFails(KMeansErrorKind.UnsupportedFile, path, ".csv");
        Assert.Contains(".arrow, .feather, .ipc, .arrows, .parquet, .npy, .fvecs, .bvecs", error.Message);
        Assert.Throws<KMeansException>(() => VectorFile.FormatFromPath("no-extension"));
    }

    [Theory]
    [InlineData(VectorFileFormat.Arrow, "truncated.arrow")]
    [InlineData(VectorFileFormat.ArrowStream, "truncated.arrows")]
    [InlineData(VectorFileFormat.Parquet, "truncated.parquet")]
    public void TruncatedArrowOrParquet(VectorFileFormat format, string name)
    {
        string path = WriteValid(format, name);
        Truncate(path, keep: 0.6);
        AssertFails(KMeansErrorKind.InvalidFile, path);
    }

    [Theory]
    [InlineData(VectorFileFormat.Arrow, "corrupt.arrow")]
    [InlineData(VectorFileFormat.Parquet, "corrupt.parquet")]
    public void CorruptedMetadata(VectorFileFormat format, string name)
    {
        string path = WriteValid(format, name);
        byte[] bytes = File.ReadAllBytes(path);
        // Both formats keep their metadata at the end, just before an 8- or 10-byte trailer: scramble it.
        for (int i = bytes.Length - 200; i < bytes.Length - 12; i++)
            bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        KMeansException error = AssertFails(KMeansErrorKind.InvalidFile, path);
        // Parquet's Thrift metadata is walked before the library reads it; Arrow's damage comes from the library, kept inside.
        if (format == VectorFileFormat.Parquet)
            Assert.Contains("its metadata (footer) is damaged", error.Message);
        else
            Assert.NotNull(error.InnerException);
    }

    [Fact]
    public void AParquetFooterListLongerThanTheFooterIsRefusedAtOnce()
    {
        string path = WriteValid(VectorFileFormat.Parquet, "long-list.parquet");
        byte[] bytes = File.ReadAllBytes(path);
        int length = BitConverter.ToInt32(bytes, bytes.Length - 8);
        int metadata = bytes.Length - 8 - length;
        // FileMetaData starts with field 1 (version, i32), then field 2: the schema, a list of structs.
        Assert.Equal(0x15, bytes[metadata]);
        int schema = metadata + 1;
        while ((bytes[schema] & 0x80) != 0)
            schema++;
        schema++;
        Assert.Equal(0x19, bytes[schema]); // field delta 1, type list
        bytes[schema + 1] = 0xFC; // a list of structs whose count follows as a varint
        byte[] count = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]; // 2^32 - 1 elements
        byte[] damaged = [.. bytes[..(schema + 2)], .. count, .. bytes[(schema + 2)..]];
        BitConverter.GetBytes(length + count.Length).CopyTo(damaged, damaged.Length - 8);
        File.WriteAllBytes(path, damaged);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        KMeansException error = AssertFails(KMeansErrorKind.InvalidFile, path);

        Assert.Contains("claims 4294967295 elements", error.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void GarbageWithAnArrowOrParquetExtension()
    {
        foreach (string name in new[] { "garbage.arrow", "garbage.arrows", "garbage.parquet" })
        {
            string path = scratch.File(name);
            File.WriteAllBytes(path, Enumerable.Range(0, 4096).Select(i => (byte)(i * 37)).ToArray());
            AssertFails(KMeansErrorKind.InvalidFile, path);
        }
    }

    [Fact]
    public void ArrowStreamNamedLikeAnArrowFile()
    {
        string path = scratch.File("really-a-stream.arrows");
        VectorFileWriter.Write(new InMemoryVectorSource(VectorRows.Fractions(5, 2)), path, VectorFileFormat.ArrowStream, CancellationToken.None);
        string renamed = scratch.File("really-a-stream.arrow");
        File.Move(path, renamed);
        AssertFails(KMeansErrorKind.InvalidFile, renamed, ".arrows");
    }

    [Fact]
    public void FeatherVersionOne()
    {
        string path = scratch.File("legacy.feather");
        File.WriteAllBytes(path, [.. "FEA1"u8, .. new byte[60], .. "FEA1"u8]);
        AssertFails(KMeansErrorKind.UnsupportedContent, path, "Feather version 1");
    }

    [Fact]
    public void NpyHeaderPromisingMoreRowsThanTheFileHolds()
    {
        string path = scratch.File("short.npy");
        RawTestFiles.Npy(path, VectorRows.Fractions(10, 4), declaredRows: 11);
        AssertFails(KMeansErrorKind.InvalidFile, path, "11 × 4");

        string absurd = scratch.File("absurd.npy");
        RawTestFiles.Npy(absurd, VectorRows.Fractions(10, 4), declaredRows: long.MaxValue);
        AssertFails(KMeansErrorKind.InvalidFile, absurd, $"{long.MaxValue} × 4");
    }

    [Fact]
    public void NpyWithoutMagic()
    {
        string path = scratch.File("text.npy");
        File.WriteAllText(path, "this is not numpy");
        AssertFails(KMeansErrorKind.InvalidFile, path, "magic");
    }

    [Fact]
    public void NpyWithMalformedHeader()
    {
        string path = scratch.File("malformed.npy");
        RawTestFiles.Npy(path, VectorRows.Fractions(2, 2));
        byte[] bytes = File.ReadAllBytes(path);
        int shape = System.Text.Encoding.Latin1.GetString(bytes).IndexOf("'shape'", StringComparison.Ordinal);
        bytes[shape] = (byte)'{';
        File.WriteAllBytes(path, bytes);
        AssertFails(KMeansErrorKind.InvalidFile, path, "header is malformed");
    }

    [Theory]
    [InlineData(">f4", "only little-endian ('<f2', '<f4', '<f8')")]
    [InlineData(">f8", "big-endian")]
    [InlineData("|O", "'|O'")]
    [InlineData("<i4", "'<i4'")]
    public void UnsupportedNpyDtype(string descr, string expected)
    {
        string path = scratch.File($"dtype-{descr.Replace('|', '_').Replace('<', 'l').Replace('>', 'b')}.npy");
        RawTestFiles.Npy(path, VectorRows.Fractions(3, 2), descr);
        AssertFails(KMeansErrorKind.UnsupportedContent, path, expected);
    }

    [Fact]
    public void OneDimensionalNpy()
    {
        string path = scratch.File("flat.npy");
        RawTestFiles.Npy(path, VectorRows.Fractions(3, 2));
        byte[] bytes = File.ReadAllBytes(path);
        string text = System.Text.Encoding.Latin1.GetString(bytes).Replace("(3, 2)", "(6,)  ");
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(text));
        AssertFails(KMeansErrorKind.UnsupportedContent, path, "(6,)");
    }

    [Fact]
    public void ArrowWithoutVectorColumnListsItsColumns()
    {
        string path = scratch.File("scalars.arrow");
        ArrowTestFiles.Write(path, 4, 4, stream: false, compression: null, ("id", ArrowTestFiles.Int32s()), ("name", ArrowTestFiles.Strings()));
        KMeansException error = AssertFails(KMeansErrorKind.UnsupportedContent, path, "no vector column");
        Assert.Contains("'id' (int32)", error.Message);
        Assert.Contains("'name' (utf8)", error.Message);
    }

    [Fact]
    public void ParquetWithoutVectorColumnListsItsColumns()
    {
        string path = scratch.File("scalars.parquet");
        ParquetTestFiles.WithoutVectors(path);
        KMeansException error = AssertFails(KMeansErrorKind.UnsupportedContent, path, "no vector column");
        Assert.Contains("'id' (int32)", error.Message);
        Assert.Contains("'name' (string)", error.Message);
        Assert.DoesNotContain("ReadOnlyMemory", error.Message);
    }

    [Fact]
    public void AnArrowFileNamedLikeAStreamSaysWhichExtensionItNeeds()
    {
        string file = scratch.File("file.arrow");
        VectorFileWriter.Write(new InMemoryVectorSource(VectorRows.Fractions(3, 2)), file, VectorFileFormat.Arrow, CancellationToken.None);
        string path = scratch.File("file.arrows");
        File.Move(file, path);

        AssertFails(KMeansErrorKind.InvalidFile, path, "it is an Arrow IPC file, not an Arrow IPC stream; give it the extension .arrow.");
    }

    [Fact]
    public void SeveralVectorColumnsWithoutAName()
    {
        float[][] rows = VectorRows.Fractions(4, 2);
        string arrow = scratch.File("two.arrow");
        ArrowTestFiles.Write(arrow, 4, 4, stream: false, compression: null,
            ("left", ArrowTestFiles.FixedSizeList(rows, ArrowTypeId.Float)), ("right", ArrowTestFiles.List(rows)));
        Assert.Contains("'left', 'right'", AssertFails(KMeansErrorKind.AmbiguousColumn, arrow).Message);

        string parquet = scratch.File("two.parquet");
        ParquetTestFiles.Write(parquet, rows, doubles: false, rowGroupRows: 4, "left", "right");
        Assert.Contains("'left', 'right'", AssertFails(KMeansErrorKind.AmbiguousColumn, parquet).Message);
    }

    /// <summary>
    /// Arrow allows two columns of one name: the name given picked the first silently, and without a name the error
    /// asked for a name that could not tell them apart.
    /// </summary>
    [Fact]
    public void ColumnsThatShareANameAreNamedAsAmbiguous()
    {
        float[][] rows = VectorRows.Fractions(4, 2);
        string path = scratch.File("same-name.arrow");
        ArrowTestFiles.Write(path, 4, 4, stream: false, compression: null,
            ("v", ArrowTestFiles.Int32s()), ("v", ArrowTestFiles.FixedSizeList(rows, ArrowTypeId.Float)));
        KMeansException named = AssertFails(KMeansErrorKind.AmbiguousColumn, path, "has 2 columns named 'v' ('v' (int32), 'v' (fixed_size_list<float>))", column: "v");
        Assert.Contains("rename one", named.Message);
        Assert.Equal(4, VectorRows.ReadFile(path).Count);

        string vectors = scratch.File("same-name-vectors.arrow");
        ArrowTestFiles.Write(vectors, 4, 4, stream: false, compression: null,
            ("v", ArrowTestFiles.List(rows)), ("v", ArrowTestFiles.FixedSizeList(rows, ArrowTypeId.Float)));
        Assert.Contains("some share a name", AssertFails(KMeansErrorKind.AmbiguousColumn, vectors).Message);
    }

    /// <summary>Parquet too: a schema may repeat a top-level name, and reading by name would take the first.</summary>
    [Fact]
    public void ParquetColumnsThatShareANameAreNamedAsAmbiguous()
    {
        float[][] rows = VectorRows.Fractions(4, 2);
        string path = scratch.File("same-name.parquet");
        ParquetTestFiles.Write(path, rows, doubles: false, rowGroupRows: 4, "v", "v");
        KMeansException named = AssertFails(KMeansErrorKind.AmbiguousColumn, path, "has 2 columns named 'v'", column: "v");
        Assert.Contains("rename one", named.Message);
        Assert.Contains("some share a name", AssertFails(KMeansErrorKind.AmbiguousColumn, path).Message);
    }

    /// <summary>
    /// -Column matches as PowerShell matches names: exactly where a column has the name, else in any case; columns
    /// alike but for case are told apart by the exact name only.
    /// </summary>
    [Fact]
    public void ColumnNamesMatchInAnyCaseWhereNoneMatchesExactly()
    {
        float[][] rows = VectorRows.Fractions(4, 2);
        float[][] other = rows.Select(row => row.Select(value => value + 1).ToArray()).ToArray();
        string arrow = scratch.File("cased.arrow");
        ArrowTestFiles.Write(arrow, 4, 4, stream: false, compression: null,
            ("id", ArrowTestFiles.Int32s()), ("Embedding", ArrowTestFiles.FixedSizeList(rows, ArrowTypeId.Float)),
            ("vf", ArrowTestFiles.List(rows)), ("VF", ArrowTestFiles.FixedSizeList(other, ArrowTypeId.Float)));
        string parquet = scratch.File("cased.parquet");
        ParquetTestFiles.Write(parquet, rows, doubles: false, rowGroupRows: 4, "Embedding", "vf");
        string parquetAlike = scratch.File("cased-alike.parquet");
        ParquetTestFiles.Write(parquetAlike, rows, doubles: false, rowGroupRows: 4, "vf", "VF");

        VectorRows.Equal(rows, VectorRows.ReadFile(arrow, "embedding"));
        VectorRows.Equal(rows, VectorRows.ReadFile(arrow, "vf"));
        VectorRows.Equal(other, VectorRows.ReadFile(arrow, "VF"));
        VectorRows.Equal(rows, VectorRows.ReadFile(parquet, "EMBEDDING"));
        VectorRows.Equal(rows, VectorRows.ReadFile(parquet, "VF"));
        KMeansException arrowAlike = AssertFails(KMeansErrorKind.AmbiguousColumn, arrow, "has 2 columns named 'Vf' but for case ('vf' (list<float>), 'VF' (fixed_size_list<float>)); give the name of one exactly.", column: "Vf");
        Assert.Equal("Vf", arrowAlike.Target);
        AssertFails(KMeansErrorKind.AmbiguousColumn, parquetAlike, "has 2 columns named 'Vf' but for case", column: "Vf");
        VectorRows.Equal(rows, VectorRows.ReadFile(parquetAlike, "VF"));
    }

    [Fact]
    public void NamedColumnThatDoesNotExist()
    {
        string path = scratch.File("named.arrow");
        ArrowTestFiles.Write(path, 4, 4, stream: false, compression: null,
            ("id", ArrowTestFiles.Int32s()), ("embedding", ArrowTestFiles.FixedSizeList(VectorRows.Fractions(4, 2), ArrowTypeId.Float)));
        KMeansException error = AssertFails(KMeansErrorKind.ColumnNotFound, path, "'vectors'", column: "vectors");
        Assert.Contains("'embedding'", error.Message);

        string parquet = scratch.File("named.parquet");
        ParquetTestFiles.Write(parquet, VectorRows.Fractions(4, 2), doubles: false, rowGroupRows: 4, "embedding");
        AssertFails(KMeansErrorKind.ColumnNotFound, parquet, "'embedding'", column: "vectors");
    }

    [Fact]
    public void NamedColumnOfTheWrongType()
    {
        string path = scratch.File("string-column.arrow");
        ArrowTestFiles.Write(path, 4, 4, stream: false, compression: null,
            ("name", ArrowTestFiles.Strings()), ("embedding", ArrowTestFiles.FixedSizeList(VectorRows.Fractions(4, 2), ArrowTypeId.Float)));
        AssertFails(KMeansErrorKind.UnsupportedContent, path, "utf8", column: "name");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RaggedArrowListColumn(bool stream)
    {
        float[][] rows = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 2], [3, 4, 5]];
        string path = scratch.File($"ragged.{(stream ? "arrows" : "arrow")}");
        ArrowTestFiles.Write(path, rows.Length, 2, stream, compression: null, ("vector", ArrowTestFiles.List(rows)));
        KMeansException error = AssertFails(KMeansErrorKind.DimensionMismatch, path, "Row 3");
        Assert.Contains("has 2 values", error.Message);
        Assert.Contains("have 3", error.Message);
    }

    [Fact]
    public void RaggedParquetListColumn()
    {
        string path = scratch.File("ragged.parquet");
        ParquetTestFiles.Ragged(path, 4, 4, 5, 4);
        KMeansException error = AssertFails(KMeansErrorKind.DimensionMismatch, path, "Row 2");
        Assert.Contains("has 5 values", error.Message);
    }

    /// <summary>
    /// A reader delivers every row before a row it cannot read, then fails naming that row, wherever its record
    /// batches, row groups or read batches begin: a helper's assignment of a DuckDB file kept rows 0–14,335 of a file
    /// bad at row 15,001, and none of a file with one row group.
    /// </summary>
    [Theory]
    [InlineData("arrow")]
    [InlineData("parquet")]
    [InlineData("fvecs")]
    public void EveryRowBeforeABadRowIsDelivered(string extension)
    {
        const int bad = 700;
        // In .fvecs the next row is a value longer, so that the file's length is whole rows and only reading finds it.
        int Length(int row) => row == bad ? 3 : row == bad + 1 && extension == "fvecs" ? 5 : 4;
        float[][] rows = Enumerable.Range(0, 1000).Select(r => Enumerable.Range(0, Length(r)).Select(j => (float)(r * 4 + j)).ToArray()).ToArray();
        string path = scratch.File($"bad-row.{extension}");
        if (extension == "arrow")
            ArrowTestFiles.Write(path, rows.Length, rows.Length, stream: false, compression: null, ("vector", ArrowTestFiles.List(rows)));
        else if (extension == "parquet")
            ParquetTestFiles.Ragged(path, rows.Select(row => row.Length).ToArray());
        else
            RawTestFiles.Fvecs(path, rows);

        using IVectorSource source = VectorFile.Open(path, null);
        var delivered = new List<float[]>();
        var error = Assert.Throws<KMeansException>(() =>
        {
            foreach (VectorBatch batch in source.ReadBatches(CancellationToken.None))
            {
                for (int i = 0; i < batch.RowCount; i++)
                    delivered.Add(batch.Values.Span.Slice(i * 4, 4).ToArray());
            }
        });

        Assert.Contains($"ow {bad}", error.Message);
        Assert.Equal(bad, delivered.Count);
        if (extension != "parquet")
            Assert.Equal(rows[..bad], delivered);
    }

    [Fact]
    public void FvecsWithInconsistentDimension()
    {
        string path = scratch.File("inconsistent.fvecs");
        RawTestFiles.Fvecs(path, [[1, 2, 3], [4, 5, 6], [7, 8, 9, 10], [1, 2, 3]]);
        AssertFails(KMeansErrorKind.InvalidFile, path, "row 2 declares dimension 4");

        // Same file length as whole rows: the mismatch is only found while reading.
        string sameLength = scratch.File("inconsistent-same-length.fvecs");
        RawTestFiles.Fvecs(sameLength, [[1, 2, 3], [4, 5, 6], [7, 8], [9]]);
        AssertFails(KMeansErrorKind.InvalidFile, sameLength, "row 2 declares dimension 2");
    }

    [Fact]
    public void TruncatedFvecs()
    {
        string path = scratch.File("truncated.fvecs");
        RawTestFiles.Fvecs(path, [[1, 2, 3], [4, 5, 6]]);
        Truncate(path, keep: 0.8);
        AssertFails(KMeansErrorKind.InvalidFile, path, "truncated");
    }

    [Fact]
    public void FvecsWithZeroDimension()
    {
        string path = scratch.File("zero.fvecs");
        File.WriteAllBytes(path, new byte[8]);
        AssertFails(KMeansErrorKind.InvalidFile, path, "dimension 0");

        string huge = scratch.File("huge.fvecs");
        File.WriteAllBytes(huge, [.. BitConverter.GetBytes(int.MaxValue), .. new byte[4]]);
        AssertFails(KMeansErrorKind.InvalidFile, huge, $"dimension {int.MaxValue}");
    }

    [Fact]
    public void ColumnNameForAFormatWithoutColumns()
    {
        string path = scratch.File("columns.npy");
        RawTestFiles.Npy(path, VectorRows.Fractions(2, 2));
        AssertFails(KMeansErrorKind.InvalidOption, path, "no named columns", column: "vector");
    }

    [Fact]
    public void ListColumnWhoseRowsAreAllNull()
    {
        string path = scratch.File("all-null.arrow");
        ArrowTestFiles.Write(path, 3, 3, stream: false, compression: null, ("vector", ArrowTestFiles.List([null, null, null])));
        AssertFails(KMeansErrorKind.NoRows, path, "no non-null vector");
    }

    /// <summary>Opens and reads <paramref name="path"/>: the failure may come at either step, as long as it comes.</summary>
    private static KMeansException AssertFails(KMeansErrorKind kind, string path, string? expected = null, string? column = null)
    {
        var error = Assert.Throws<KMeansException>(() => VectorRows.ReadFile(path, column));
        Assert.Equal(kind, error.Kind);
        Assert.Contains(Path.GetFileName(path), error.Message);
        if (expected is not null)
            Assert.Contains(expected, error.Message);
        return error;
    }

    private string WriteValid(VectorFileFormat format, string name)
    {
        string path = scratch.File(name);
        VectorFileWriter.Write(new InMemoryVectorSource(VectorRows.Fractions(3000, 16)), path, format, CancellationToken.None);
        return path;
    }

    private static void Truncate(string path, double keep)
    {
        using var stream = new FileStream(path, FileMode.Open);
        stream.SetLength((long)(stream.Length * keep));
    }
}
