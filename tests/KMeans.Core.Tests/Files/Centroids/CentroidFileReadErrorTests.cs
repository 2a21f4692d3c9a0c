using System.Text;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using KMeans.Core.Files;
using KMeans.Core.Tests.Files.Vectors;

namespace KMeans.Core.Tests.Files.Centroids;

public sealed class CentroidFileReadErrorTests : IDisposable
{
    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void AMissingFileIsFileNotFound()
    {
        string path = _scratch.File("absent.arrow");

        var error = Assert.Throws<KMeansException>(() => CentroidFile.Read(path));

        Assert.Equal(KMeansErrorKind.FileNotFound, error.Kind);
        Assert.Contains(path, error.Message);
        Assert.Equal(path, error.Target);
    }

    /// <summary>
    /// A centroid table is known by its cluster_id: without one, size and price columns are the data's own and left
    /// alone (a string size, a price that is no partition price); two cluster_id columns cannot tell which holds ids.
    /// </summary>
    [Fact]
    public void SizeAndPriceCountOnlyBesideOneClusterId()
    {
        float[][] rows = VectorRows.Fractions(4, 2);
        string data = _scratch.File("data.arrow");
        ArrowTestFiles.Write(data, 4, 4, stream: false, compression: null,
            ("size", ArrowTestFiles.Strings()), ("price", ArrowTestFiles.Int32s()),
            ("vector", ArrowTestFiles.FixedSizeList(rows, ArrowTypeId.Float)));
        CentroidSet set = CentroidFile.Read(data);
        Assert.Equal(4, set.K);
        Assert.Null(set.Sizes);
        Assert.Null(set.Prices);

        // The module's version in the metadata marks a table whose cluster_id a tool dropped: its sizes and prices are kept.
        string exported = _scratch.File("exported.arrow");
        var balanced = new CentroidSet(4, 2, [.. rows.SelectMany(row => row)], [5, 6, 7, 8]) { Prices = [0, 0.5f, 1, 1.5f], ModuleVersion = "0.1.0" };
        CentroidFile.Write(exported, balanced, VectorFileFormat.Arrow, overwrite: false, CancellationToken.None);
        string selected = _scratch.File("selected.arrow");
        using (var stream = File.OpenRead(exported))
        using (var reader = new ArrowFileReader(stream))
        {
            Schema schema = reader.Schema;
            RecordBatch batch = reader.ReadNextRecordBatch();
            int[] kept = [.. Enumerable.Range(0, schema.FieldsList.Count).Where(i => schema.FieldsList[i].Name != "cluster_id")];
            var builder = new Schema.Builder().Metadata(schema.Metadata);
            foreach (int i in kept)
                builder.Field(schema.FieldsList[i]);
            Schema without = builder.Build();
            using var output = File.Create(selected);
            using var writer = new ArrowFileWriter(output, without);
            writer.WriteRecordBatch(new RecordBatch(without, kept.Select(i => batch.Column(i)), batch.Length));
            writer.WriteEnd();
        }
        CentroidSet reread = CentroidFile.Read(selected);
        Assert.Equal([5L, 6, 7, 8], reread.Sizes!);
        Assert.Equal([0, 0.5f, 1, 1.5f], reread.Prices!);

        string twice = _scratch.File("twice.arrow");
        ArrowTestFiles.Write(twice, 4, 4, stream: false, compression: null,
            ("cluster_id", ArrowTestFiles.Int32s()), ("cluster_id", ArrowTestFiles.Int32s()),
            ("vector", ArrowTestFiles.FixedSizeList(rows, ArrowTypeId.Float)));
        var error = Assert.Throws<KMeansException>(() => CentroidFile.Read(twice));
        Assert.Equal(KMeansErrorKind.InvalidFile, error.Kind);
        Assert.Contains("2 columns named 'cluster_id'", error.Message);
    }

    [Fact]
    public void ADirectoryIsNotAFile()
    {
        string path = _scratch.File("folder.json");
        Directory.CreateDirectory(path);

        var error = Assert.Throws<KMeansException>(() => CentroidFile.Read(path));

        Assert.Equal(KMeansErrorKind.InvalidFile, error.Kind);
        Assert.Contains("is a directory", error.Message);
    }

    [Fact]
    public void AnUnknownExtensionIsUnsupported()
    {
        string path = _scratch.File("centroids.txt");
        File.WriteAllText(path, "cluster_id,size,c0\r\n0,1,2\r\n");

        Assert.Equal(KMeansErrorKind.UnsupportedFile, Assert.Throws<KMeansException>(() => CentroidFile.Read(path)).Kind);
    }

    [Theory]
    [InlineData("empty.arrow")]
    [InlineData("empty.npy")]
    [InlineData("empty.csv")]
    [InlineData("empty.json")]
    public void AnEmptyFileIsInvalid(string name)
    {
        string path = _scratch.File(name);
        File.WriteAllBytes(path, []);

        AssertInvalid(path, "the file is empty");
    }

    [Fact]
    public void ATruncatedArrowFileIsInvalid()
    {
        string path = _scratch.File("centroids.arrow");
        CentroidFile.Write(path, CentroidSamples.Awkward(), VectorFileFormat.Arrow, overwrite: false);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        AssertInvalid(path, "truncated");
    }

    [Fact]
    public void BytesThatAreNotArrowAreInvalid()
    {
        string path = _scratch.File("centroids.arrow");
        File.WriteAllText(path, "cluster_id,size,c0\r\n0,1,2\r\n");

        AssertInvalid(path, "does not start with the Arrow file magic");
    }

    [Fact]
    public void AnArrowFileWhoseOnlyVectorColumnHasAnotherNameIsRead()
    {
        string path = _scratch.File("vectors.arrow");
        WriteArrow(path, new Schema.Builder().Field(new Field("vector", new FixedSizeListType(FloatType.Default, 2), false)).Build(),
            [FixedSizeList([1f, 2f], 2)], 1);

        CentroidSet set = CentroidFile.Read(path);

        Assert.Equal([1f, 2f], set.Values);
        Assert.Null(set.Distance);
    }

    [Fact]
    public void AnArrowCentroidColumnOfIntegersIsInvalid()
    {
        string path = _scratch.File("centroids.arrow");
        var listType = new FixedSizeListType(Int32Type.Default, 2);
        var items = new Int32Array.Builder().Append(1).Append(2).Build();
        WriteArrow(path, new Schema.Builder().Field(new Field("centroid", listType, false)).Build(),
            [new FixedSizeListArray(listType, 1, items, ArrowBuffer.Empty, 0, 0)], 1);

        var error = Assert.Throws<KMeansException>(() => CentroidFile.Read(path));
        Assert.Equal(KMeansErrorKind.UnsupportedContent, error.Kind);
        Assert.Contains("no vector column", error.Message);
    }

    [Fact]
    public void ArrowMetadataThatContradictsTheDataIsInvalid()
    {
        string path = _scratch.File("centroids.arrow");
        WriteArrow(path, new Schema.Builder()
                .Field(new Field("centroid", new FixedSizeListType(FloatType.Default, 2), false))
                .Metadata("k", "3")
                .Build(),
            [FixedSizeList([1f, 2f], 2)], 1);

        AssertInvalid(path, "its metadata says k = 3, but the file holds 1 centroids");
    }

    [Fact]
    public void ArrowRowsArePlacedByClusterIdAndAStreamIsAccepted()
    {
        string path = _scratch.File("centroids.arrows");
        Schema schema = new Schema.Builder()
            .Field(new Field("cluster_id", Int64Type.Default, false))
            .Field(new Field("centroid", new FixedSizeListType(DoubleType.Default, 2), false))
            .Build();
        var listType = (FixedSizeListType)schema.FieldsList[1].DataType;
        var items = new DoubleArray.Builder().Append(0.1).Append(0.2).Append(1.5).Append(2.5).Build();
        using (var stream = File.Create(path))
        using (var writer = new ArrowStreamWriter(stream, schema))
        {
            writer.WriteRecordBatch(new RecordBatch(schema,
                [new Int64Array.Builder().Append(1).Append(0).Build(), new FixedSizeListArray(listType, 2, items, ArrowBuffer.Empty, 0, 0)], 2));
            writer.WriteEnd();
        }

        CentroidSet set = CentroidFile.Read(path);

        Assert.Equal([1.5f, 2.5f, 0.1f, 0.2f], set.Values);
        Assert.Null(set.Sizes);
    }

    [Theory]
    [InlineData(CompressionCodecType.Zstd)]
    [InlineData(CompressionCodecType.Lz4Frame)]
    public void CompressedArrowFilesAreRead(CompressionCodecType codec)
    {
        string path = _scratch.File("centroids.arrow");
        Schema schema = new Schema.Builder().Field(new Field("centroid", new FixedSizeListType(FloatType.Default, 2), false)).Build();
        var options = new IpcOptions { CompressionCodec = codec, CompressionCodecFactory = new Apache.Arrow.Compression.CompressionCodecFactory() };
        using (var stream = File.Create(path))
        using (var writer = new ArrowFileWriter(stream, schema, leaveOpen: false, options))
        {
            writer.WriteRecordBatch(new RecordBatch(schema, [FixedSizeList([0.1f, -0f, 3f, 4f], 2)], 2));
            writer.WriteEnd();
        }

        Assert.Equal(CentroidSamples.Bits([0.1f, -0f, 3f, 4f]), CentroidSamples.Bits(CentroidFile.Read(path).Values));
    }

    [Fact]
    public void DuplicateClusterIdsAreInvalid()
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, "cluster_id,size,c0\n0,1,2\n0,3,4\n");

        AssertInvalid(path, "cluster id 0 appears twice, in row 0 (line 2) and row 1 (line 3)");
    }

    [Fact]
    public void ACsvCellThatIsNotANumberIsNamedByRowAndColumn()
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, "cluster_id,size,c0,c1\r\n0,5,1.5,2\r\n1,6,0.25,abc\r\n");

        AssertInvalid(path, "row 1 (line 3), column 'c1': 'abc' is not a number.");
    }

    /// <summary>A long cell is quoted by its start; a list in one cell (DuckDB's CSV of a list column) is called one.</summary>
    [Theory]
    [InlineData("c0,c1\n1,2\n3,\"[1.8, 4.1, 0.25, 7.5, 2.0, 3.0, 9.5, 1.0]\"\n",
        "row 1 (line 3), column 'c1': '[1.8, 4.1, 0.25, 7.5, 2.0, 3.0, 9.5, …' is a list in one cell, but a centroid CSV holds one component per column; give list columns as .parquet, .arrow or .npy.")]
    [InlineData("c0,c1\n1,2\n3,0.12345678901234567890123456789012345678901234567890x\n",
        "row 1 (line 3), column 'c1': '0.12345678901234567890123456789012345…' is not a number.")]
    public void ALongCellIsQuotedByItsStartAndAListInOneCellIsNamedSo(string content, string problem)
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, content);

        AssertInvalid(path, problem);
    }

    /// <summary>
    /// A first line of numbers with an empty cell (pandas' NaN, a trailing comma) is a centroid row the cell makes
    /// invalid, not a header that would drop it; a first line that mixes names and numbers is neither.
    /// </summary>
    [Theory]
    [InlineData("0.5,,1.5\n2,3,4\n", "row 0 (line 1), component 1: '' is not a number.")]
    [InlineData("1,2,3,\n4,5,6,\n", "row 0 (line 1), component 3: '' is not a number.")]
    [InlineData("\"1,5\",2\n3,4\n", "its first line (line 1) mixes names and numbers ('1,5', '2'): a header names the columns")]
    [InlineData("size,3,4\n1,2,3\n", "its first line (line 1) mixes names and numbers ('size', '3')")]
    public void AFirstLineOfNumbersIsACentroidRowNotAHeader(string content, string problem)
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, content);

        AssertInvalid(path, problem);
    }

    [Fact]
    public void ACsvSizeThatIsNotAnIntegerIsNamedByRowAndColumn()
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, "cluster_id,size,c0\n0,2.5,1\n");

        AssertInvalid(path, "row 0 (line 2), column 'size': '2.5' is not an integer.");
    }

    [Theory]
    [InlineData("centroids.json", """{ "centroids": [ { "vector": [1], "size": 3 }, { "vector": [2] } ] }""", "centroids[1] has no size, but earlier rows have one")]
    [InlineData("centroids.json", """{ "centroids": [ { "vector": [1] }, { "vector": [2], "size": 3 } ] }""", "centroids[1] has a size, but earlier rows have none")]
    [InlineData("centroids.csv", "cluster_id,size,c0\n0,3,1\n1,,2\n", "row 1 (line 3) has no size, but earlier rows have one")]
    public void SizesOnSomeRowsOnlyAreInvalid(string name, string content, string message)
    {
        string path = _scratch.File(name);
        File.WriteAllText(path, content);

        AssertInvalid(path, message);
    }

    [Theory]
    [InlineData("centroids.json", """{ "centroids": [ { "vector": [1], "size": null }, { "vector": [2], "size": null } ] }""")]
    [InlineData("centroids.csv", "cluster_id,size,c0\n0,,1\n1,,2\n")]
    public void NullOrBlankSizesAreUnknown(string name, string content)
    {
        string path = _scratch.File(name);
        File.WriteAllText(path, content);

        CentroidSet set = CentroidFile.Read(path);

        Assert.Null(set.Sizes);
        Assert.Equal([1f, 2f], set.Values);
    }

    [Fact]
    public void ARaggedCsvRowIsInvalid()
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, "cluster_id,size,c0,c1\n0,5,1.5,2\n1,6,0.25\n");

        AssertInvalid(path, "row 1 (line 3) has 3 cells, but the header has 4.");
    }

    [Theory]
    [InlineData("cluster_id,size,x,y\n0,1,2,3\n", new[] { 2f, 3f }, 1L)]
    [InlineData("cluster_id,x,y\n0,2,3\n", new[] { 2f, 3f }, null)]
    [InlineData("2,3\n", new[] { 2f, 3f }, null)]
    [InlineData("# numpy.savetxt header\n2.0e+00 3.0e+00\n", new[] { 2f, 3f }, null)]
    public void ACsvWithAnyHeaderOrNoneIsRead(string content, float[] values, long? size)
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, content);

        CentroidSet set = CentroidFile.Read(path);

        Assert.Equal(values, set.Values);
        Assert.Equal(size is long known ? [known] : null, set.Sizes);
        Assert.Null(set.Distance);
    }

    [Theory]
    [InlineData(",0,1\n1,0.7,0.8\n0,0.5,0.6\n")] // pandas to_csv(): the unnamed index column holds the cluster ids
    [InlineData("0,1\n0.5,0.6\n0.7,0.8\n")] // pandas to_csv(index=False): the default column names 0, 1
    [InlineData(",cluster_id,c0,c1\n0,1,0.7,0.8\n1,0,0.5,0.6\n")] // pandas to_csv() of a frame with its own ids
    [InlineData(",cluster_id,0,1\n0,1,0.7,0.8\n1,0,0.5,0.6\n")] // ... and default component names
    [InlineData("cluster_id,1,2\n1,0.7,0.8\n0,0.5,0.6\n")] // components named from 1
    [InlineData(",1,2\n1,0.7,0.8\n0,0.5,0.6\n")] // pandas' index, components named from 1
    public void PandasCsvFilesAreReadAsPandasMeantThem(string content)
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, content);

        CentroidSet set = CentroidFile.Read(path);

        Assert.Equal(2, set.K);
        Assert.Equal([0.5f, 0.6f, 0.7f, 0.8f], set.Values);
    }

    /// <summary>pandas' to_csv() of one-component centroids: the index's empty name and the one column's name 0.</summary>
    [Fact]
    public void PandasCsvOfOneComponentIsReadAsPandasMeantIt()
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, ",0\n0,1.5\n1,2.5\n");

        CentroidSet set = CentroidFile.Read(path);

        Assert.Equal(2, set.K);
        Assert.Equal([1.5f, 2.5f], set.Values);
    }

    [Theory]
    [InlineData("id,size,c0\n7,1,2\n", "id")]
    [InlineData("cluster_id,size,price,c0,c1\n0,5,0.5,1,2\n", "price")]
    [InlineData("Label,x,y\n3,1,2\n", "Label")]
    public void ACsvColumnNamedLikeAnotherAttributeIsRefusedNotReadAsAComponent(string content, string column)
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, content);

        AssertInvalid(path, $"has a column '{column}', which is not a component");
    }

    [Fact]
    public void ACsvWithoutComponentColumnsIsInvalid()
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, "cluster_id,size\n0,1\n");

        AssertInvalid(path, "names no component column");
    }

    [Fact]
    public void ACsvWithOnlyAHeaderHoldsNoCentroids()
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, "cluster_id,size,c0\r\n");

        AssertInvalid(path, "it holds no centroids");
    }

    [Theory]
    [InlineData("centroids.csv", "cluster_id,size,c0,c1\n0,1,NaN,2\n", KMeansErrorKind.NonFiniteValue, "Centroid 0, component 0 is NaN; centroids must be finite.")]
    [InlineData("centroids.json", "[[1, 2], [3, \"NaN\"]]", KMeansErrorKind.InvalidFile, "[1][1] is \"NaN\"; expected a number.")]
    [InlineData("centroids.csv", "cluster_id,size,c0,c1\n0,1,2,1e39\n", KMeansErrorKind.ValueOutOfRange, "Centroid 0, component 1 is beyond float32's range (±3.4E+38); centroids are float32.")]
    [InlineData("centroids.json", "[[1, 2], [-1e39, 4]]", KMeansErrorKind.ValueOutOfRange, "Centroid 1, component 0 is beyond float32's range (±3.4E+38); centroids are float32.")]
    [InlineData("centroids.csv", "cluster_id,size,c0,c1\n0,1,2,-Infinity\n", KMeansErrorKind.NonFiniteValue, "Centroid 0, component 1 is -Infinity; centroids must be finite.")]
    // numpy's savetxt and pandas' to_csv spell infinities and NaN inf, -inf and nan: in the first line as in any other.
    [InlineData("centroids.csv", "inf,1,1.5\n2,3,4\n", KMeansErrorKind.NonFiniteValue, "Centroid 0, component 0 is Infinity; centroids must be finite.")]
    [InlineData("centroids.csv", "2,3,4\n1,-inf,1.5\n", KMeansErrorKind.NonFiniteValue, "Centroid 1, component 1 is -Infinity; centroids must be finite.")]
    [InlineData("centroids.csv", "nan 1 2\n3 4 5\n", KMeansErrorKind.NonFiniteValue, "Centroid 0, component 0 is NaN; centroids must be finite.")]
    public void AValueNoCentroidMayHoldIsTheErrorItIsAmongVectorsNamingTheFile(string name, string content,
        KMeansErrorKind kind, string problem)
    {
        string path = _scratch.File(name);
        File.WriteAllText(path, content);

        var error = Assert.Throws<KMeansException>(() => CentroidFile.Read(path));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(path, error.Target);
        Assert.StartsWith($"'{path}' cannot be read: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void QuotedCsvCellsAndBlankLinesAreAccepted()
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, "\"cluster_id\",size,c0\n\n1,\"2\",3.5\n0,4,\"-0\"\n\n");

        CentroidSet set = CentroidFile.Read(path);

        Assert.Equal(CentroidSamples.Bits([-0f, 3.5f]), CentroidSamples.Bits(set.Values));
        Assert.Equal([4L, 2L], set.Sizes!);
    }

    [Theory]
    [InlineData("[1, 2, 3]", "[0] is a number; expected an array of numbers")]
    [InlineData("{\"k\": 1}", "has no 'centroids' array")]
    [InlineData("{\"centroids\": [[1, 2]]}", "centroids[0] is an array; expected an object")]
    [InlineData("{\"centroids\": [{\"size\": 1}]}", "centroids[0] has no 'vector' array")]
    [InlineData("{\"centroids\": [{\"vector\": [1, \"2\"]}]}", "centroids[0].vector[1] is \"2\"; expected a number")]
    [InlineData("{\"centroids\": [{\"vector\": [1, 2]}, {\"vector\": [3]}]}", "centroids[1] has 1 values, but centroids[0] has 2")]
    [InlineData("{\"centroids\": [{\"clusterId\": 0, \"vector\": [1]}, {\"vector\": [3]}]}", "centroids[1] has no cluster id")]
    [InlineData("{\"dimension\": 3, \"centroids\": [{\"vector\": [1, 2]}]}", "'dimension' is 3, but the file holds 2 values per centroid")]
    [InlineData("{\"distance\": \"manhattan\", \"centroids\": [{\"vector\": [1]}]}", "'distance' is \"manhattan\"")]
    [InlineData("{\"centroids\": []}", "it holds no centroids")]
    [InlineData("{\"centroids\": [{\"vector\": [1]}]", "it is not valid JSON at line 1, byte 32: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed.")]
    [InlineData("{\"centroids\":\n  [{\"vector\": [1,]}]}", "it is not valid JSON at line 2, byte 18: The JSON array contains a trailing comma at the end which is not supported in this mode.")]
    public void JsonOfTheWrongShapeIsInvalid(string content, string problem)
    {
        string path = _scratch.File("centroids.json");
        File.WriteAllText(path, content);

        AssertInvalid(path, problem);
    }

    [Theory]
    [InlineData("centroids.npy", VectorFileFormat.Npy)]
    [InlineData("centroids.csv", VectorFileFormat.Csv)]
    public void AColumnNameForAFileWithoutNamedColumnsIsAWrongOptionNotADamagedFile(string name, VectorFileFormat format)
    {
        string path = _scratch.File(name);
        CentroidFile.Write(path, CentroidSamples.Small(), format, overwrite: false);

        var error = Assert.Throws<KMeansException>(() => CentroidFile.Read(path, column: "nope"));

        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.Equal($"A column name ('nope') was given, but '{path}' is a {format} file, which has no named columns.", error.Message);
    }

    [Fact]
    public void NpyOfIntegersIsInvalid()
    {
        string path = _scratch.File("centroids.npy");
        File.WriteAllBytes(path, Npy("<i4", fortranOrder: false, "(1, 2)", new byte[8]));

        AssertUnsupported(path, "'<i4' is not supported");
    }

    [Fact]
    public void NpyOfOneDimensionIsInvalid()
    {
        string path = _scratch.File("centroids.npy");
        File.WriteAllBytes(path, Npy("<f4", fortranOrder: false, "(2,)", new byte[8]));

        AssertUnsupported(path, "2-D array");
    }

    [Fact]
    public void TruncatedNpyDataIsInvalid()
    {
        string path = _scratch.File("centroids.npy");
        File.WriteAllBytes(path, Npy("<f4", fortranOrder: false, "(2, 2)", new byte[12]));

        AssertInvalid(path, "but only 12 bytes follow the header; it is probably truncated");
    }

    [Fact]
    public void NpyWithoutTheMagicStringIsInvalid()
    {
        string path = _scratch.File("centroids.npy");
        File.WriteAllText(path, "not numpy");

        AssertInvalid(path, "does not start with the NumPy magic");
    }

    [Fact]
    public void NpyOfFloat64InFortranOrderIsReadInRowOrder()
    {
        string path = _scratch.File("centroids.npy");
        // A 2 × 3 array [[1, 2, 3], [4, 5, 6]] stored column after column.
        double[] columns = [1, 4, 2, 5, 3, 6];
        File.WriteAllBytes(path, Npy("<f8", fortranOrder: true, "(2, 3)", columns.SelectMany(BitConverter.GetBytes).ToArray()));

        CentroidSet set = CentroidFile.Read(path);

        Assert.Equal((2, 3), (set.K, set.Dimension));
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], set.Values);
    }

    [Fact]
    public void BigEndianNpyIsRefusedWithTheConversionToUse()
    {
        string path = _scratch.File("centroids.npy");
        byte[] data = [.. BitConverter.GetBytes(0.1f).Reverse(), .. BitConverter.GetBytes(-2.5f).Reverse()];
        File.WriteAllBytes(path, Npy(">f4", fortranOrder: false, "(1, 2)", data));

        AssertUnsupported(path, "astype('<f4')");
    }

    [Fact]
    public void Float16NpyIsRead()
    {
        string path = _scratch.File("centroids.npy");
        byte[] data = [.. BitConverter.GetBytes((Half)0.5f), .. BitConverter.GetBytes((Half)(-2.5f))];
        File.WriteAllBytes(path, Npy("<f2", fortranOrder: false, "(1, 2)", data));

        Assert.Equal([0.5f, -2.5f], CentroidFile.Read(path).Values);
    }

    private static void AssertUnsupported(string path, string problem)
    {
        var error = Assert.Throws<KMeansException>(() => CentroidFile.Read(path));
        Assert.Equal(KMeansErrorKind.UnsupportedContent, error.Kind);
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }

    private static KMeansException AssertInvalid(string path, string problem)
    {
        var error = Assert.Throws<KMeansException>(() => CentroidFile.Read(path));
        Assert.Equal(KMeansErrorKind.InvalidFile, error.Kind);
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Equal(path, error.Target);
        return error;
    }

    private static FixedSizeListArray FixedSizeList(float[] values, int dimension)
    {
        var items = new FloatArray.Builder().AppendRange(values).Build();
        return new FixedSizeListArray(new FixedSizeListType(FloatType.Default, dimension), values.Length / dimension, items,
            ArrowBuffer.Empty, 0, 0);
    }

    private static void WriteArrow(string path, Schema schema, IArrowArray[] columns, int length)
    {
        using var stream = File.Create(path);
        using var writer = new ArrowFileWriter(stream, schema);
        writer.WriteRecordBatch(new RecordBatch(schema, columns, length));
        writer.WriteEnd();
    }

    private static byte[] Npy(string descr, bool fortranOrder, string shape, byte[] data)
    {
        string header = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shape}, }}\n";
        byte[] headerBytes = Encoding.ASCII.GetBytes(header);
        return [0x93, .. "NUMPY"u8, 1, 0, (byte)headerBytes.Length, 0, .. headerBytes, .. data];
    }
}
