using KMeans.Core.Files;
using KMeans.Core.Distance;

namespace KMeans.Core.Tests.Files.Centroids;

public sealed class CentroidFileRoundTripTests : IDisposable
{
    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData("centroids.arrow", VectorFileFormat.Arrow)]
    [InlineData("centroids.npy", VectorFileFormat.Npy)]
    [InlineData("centroids.csv", VectorFileFormat.Csv)]
    [InlineData("centroids.json", VectorFileFormat.Json)]
    public void EveryFormatKeepsTheExactBitsOfEveryValue(string name, VectorFileFormat format)
    {
        CentroidSet written = CentroidSamples.Awkward();
        string path = _scratch.File(name);

        CentroidFile.Write(path, written, format, overwrite: false);
        CentroidSet read = CentroidFile.Read(path);

        Assert.Equal(written.K, read.K);
        Assert.Equal(written.Dimension, read.Dimension);
        Assert.Equal(CentroidSamples.Bits(CentroidSamples.AwkwardValues), CentroidSamples.Bits(read.Values));
        Assert.Equal([name], _scratch.FileNames());
    }

    [Theory]
    [InlineData("centroids.arrow", VectorFileFormat.Arrow)]
    [InlineData("centroids.csv", VectorFileFormat.Csv)]
    [InlineData("centroids.json", VectorFileFormat.Json)]
    public void FormatsWithSizesKeepThem(string name, VectorFileFormat format)
    {
        string path = _scratch.File(name);

        CentroidFile.Write(path, CentroidSamples.Awkward(), format, overwrite: false);

        Assert.Equal([0, 1, long.MaxValue, 9_007_199_254_740_993], CentroidFile.Read(path).Sizes!);
    }

    [Fact]
    public void NpyHoldsNoSizesSoReadingTellsThemUnknown()
    {
        string path = _scratch.File("centroids.npy");

        CentroidFile.Write(path, CentroidSamples.Awkward(), VectorFileFormat.Npy, overwrite: false);

        Assert.Null(CentroidFile.Read(path).Sizes);
    }

    [Theory]
    [InlineData("centroids.arrow", VectorFileFormat.Arrow, "cluster_id,centroid")]
    [InlineData("centroids.csv", VectorFileFormat.Csv, "cluster_id,c0,c1")]
    [InlineData("centroids.json", VectorFileFormat.Json, "clusterId,vector")]
    public void UnknownSizesAreWrittenAsNoSizesAndReadBackUnknown(string name, VectorFileFormat format, string layout)
    {
        string path = _scratch.File(name);
        var set = new CentroidSet(2, 2, [1f, 2f, 3f, 4f], sizes: null);

        CentroidFile.Write(path, set, format, overwrite: false);

        CentroidSet read = CentroidFile.Read(path);
        Assert.Null(read.Sizes);
        Assert.Equal(set.Values, read.Values);
        Assert.Equal(layout, format switch
        {
            VectorFileFormat.Csv => File.ReadLines(path).First(),
            VectorFileFormat.Json => string.Join(',', System.Text.Json.JsonDocument.Parse(File.ReadAllText(path)).RootElement
                .GetProperty("centroids")[0].EnumerateObject().Select(property => property.Name)),
            _ => string.Join(',', new Apache.Arrow.Ipc.ArrowFileReader(File.OpenRead(path)).Schema.FieldsList.Select(field => field.Name)),
        });
    }

    [Theory]
    [InlineData("centroids.arrow", VectorFileFormat.Arrow)]
    [InlineData("centroids.json", VectorFileFormat.Json)]
    public void ArrowAndJsonKeepTheTrainingParametersAndExtraMetadata(string name, VectorFileFormat format)
    {
        string path = _scratch.File(name);

        CentroidFile.Write(path, CentroidSamples.Awkward(), format, overwrite: false);
        CentroidSet read = CentroidFile.Read(path);

        Assert.Equal(DistanceMetric.Dot, read.Distance);
        Assert.Equal(BitConverter.DoubleToInt64Bits(0.1 + 0.2), BitConverter.DoubleToInt64Bits(read.Loss!.Value));
        Assert.Equal(23, read.Iterations);
        Assert.Equal(-2_000_000_001, read.Seed);
        Assert.Equal("1.2.3-test", read.ModuleVersion);
        Assert.Equal(
            new Dictionary<string, string> { ["note"] = "commas, \"quotes\" and ünïcödé", ["source"] = "unit test" },
            read.Metadata);
    }

    [Theory]
    [InlineData("centroids.arrow", VectorFileFormat.Arrow)]
    [InlineData("centroids.json", VectorFileFormat.Json)]
    public void UnknownParametersStayUnknown(string name, VectorFileFormat format)
    {
        string path = _scratch.File(name);

        CentroidFile.Write(path, CentroidSamples.Small(), format, overwrite: false);
        CentroidSet read = CentroidFile.Read(path);

        Assert.Null(read.Distance);
        Assert.Null(read.Loss);
        Assert.Null(read.Iterations);
        Assert.Null(read.Seed);
        Assert.Null(read.ModuleVersion);
        Assert.Empty(read.Metadata);
    }

    [Fact]
    public void ArrowSchemaHasTheDocumentedColumnsAndMetadata()
    {
        string path = _scratch.File("centroids.arrow");
        CentroidFile.Write(path, CentroidSamples.Awkward(), VectorFileFormat.Arrow, overwrite: false);

        using var reader = new Apache.Arrow.Ipc.ArrowFileReader(File.OpenRead(path));
        Apache.Arrow.Schema schema = reader.Schema;

        Assert.Equal(["cluster_id", "size", "centroid"], schema.FieldsList.Select(field => field.Name));
        Assert.All(schema.FieldsList, field => Assert.False(field.IsNullable));
        Assert.Equal(Apache.Arrow.Types.ArrowTypeId.Int32, schema.FieldsList[0].DataType.TypeId);
        Assert.Equal(Apache.Arrow.Types.ArrowTypeId.Int64, schema.FieldsList[1].DataType.TypeId);
        var centroidType = Assert.IsType<Apache.Arrow.Types.FixedSizeListType>(schema.FieldsList[2].DataType);
        Assert.Equal(5, centroidType.ListSize);
        Assert.Equal(Apache.Arrow.Types.ArrowTypeId.Float, centroidType.ValueDataType.TypeId);
        Assert.False(centroidType.ValueField.IsNullable);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["k"] = "4", ["dimension"] = "5", ["distance"] = "dot", ["loss"] = "0.30000000000000004",
                ["iterations"] = "23", ["seed"] = "-2000000001", ["module_version"] = "1.2.3-test",
                ["note"] = "commas, \"quotes\" and ünïcödé", ["source"] = "unit test",
            },
            schema.Metadata);
    }

    [Fact]
    public void NpyHeaderIsVersionOneFloat32COrderAlignedTo64Bytes()
    {
        string path = _scratch.File("centroids.npy");
        CentroidFile.Write(path, CentroidSamples.Small(), VectorFileFormat.Npy, overwrite: false);

        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = BitConverter.ToUInt16(bytes, 8);
        string header = System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength);

        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], bytes[..8]);
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header);
        Assert.EndsWith("\n", header);
        Assert.Equal(10 + headerLength + 6 * sizeof(float), bytes.Length);
        Assert.Equal(6f, BitConverter.ToSingle(bytes, bytes.Length - sizeof(float)));
    }

    [Fact]
    public void CsvHasTheDocumentedHeaderAndInvariantNumbers()
    {
        string path = _scratch.File("centroids.csv");
        var set = new CentroidSet(2, 2, [0.5f, -1.25f, 1e-38f, -0f], [3, 4]);

        CentroidFile.Write(path, set, VectorFileFormat.Csv, overwrite: false);

        Assert.Equal("cluster_id,size,c0,c1\r\n0,3,0.5,-1.25\r\n1,4,1E-38,-0.0\r\n", File.ReadAllText(path));
    }

    /// <summary>
    /// The cluster-id and size columns are known in any case and as Export-Csv names them from centroid objects
    /// (ClusterId, Size): an exact match had read them as two more components.
    /// </summary>
    [Theory]
    [InlineData("Cluster_Id,Size,a,b")]
    [InlineData("ClusterId,Size,a,b")]
    [InlineData("clusterId,SIZE,a,b")]
    [InlineData("\"ClusterId\",\"Size\",\"a\",\"b\"")]
    public void CsvClusterIdAndSizeColumnsAreKnownInAnyCase(string header)
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, header + "\n1,3,1,2\n0,4,3,4\n");

        CentroidSet set = CentroidFile.Read(path);

        Assert.Equal(2, set.Dimension);
        Assert.Equal([3f, 4f, 1f, 2f], set.Values);
        Assert.Equal([4L, 3L], set.Sizes!);
    }

    [Fact]
    public void CsvWithTwoClusterIdColumnsIsRefused()
    {
        string path = _scratch.File("centroids.csv");
        File.WriteAllText(path, "cluster_id,ClusterId,a,b\n0,0,1,2\n");

        var error = Assert.Throws<KMeansException>(() => CentroidFile.Read(path));

        Assert.Contains("has the columns 'cluster_id' and 'ClusterId', which name the same thing; keep one.", error.Message);
    }

    [Fact]
    public void JsonHasTheDocumentedShape()
    {
        string path = _scratch.File("centroids.json");
        var set = new CentroidSet(1, 2, [0.1f, -0f], [7]) { Distance = DistanceMetric.Cosine, Seed = 5 };

        CentroidFile.Write(path, set, VectorFileFormat.Json, overwrite: false);

        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        System.Text.Json.JsonElement root = document.RootElement;
        Assert.Equal(
            ["k", "dimension", "distance", "loss", "iterations", "seed", "moduleVersion", "metadata", "centroids"],
            root.EnumerateObject().Select(property => property.Name));
        Assert.Equal("cosine", root.GetProperty("distance").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, root.GetProperty("loss").ValueKind);
        Assert.Equal(5, root.GetProperty("seed").GetInt32());
        System.Text.Json.JsonElement centroid = Assert.Single(root.GetProperty("centroids").EnumerateArray());
        Assert.Equal(0, centroid.GetProperty("clusterId").GetInt32());
        Assert.Equal(7, centroid.GetProperty("size").GetInt64());
        Assert.Equal("[0.1,-0.0]", centroid.GetProperty("vector").GetRawText());
    }

    [Theory]
    [InlineData("a.arrow", VectorFileFormat.Arrow)]
    [InlineData("a.FEATHER", VectorFileFormat.Arrow)]
    [InlineData("dir.v2/a.ipc", VectorFileFormat.Arrow)]
    [InlineData("a.npy", VectorFileFormat.Npy)]
    [InlineData("a.Csv", VectorFileFormat.Csv)]
    [InlineData("a.json", VectorFileFormat.Json)]
    public void FormatFromPathFollowsTheExtension(string path, VectorFileFormat expected) =>
        Assert.Equal(expected, VectorFile.FormatFromPath(path));

    [Theory]
    [InlineData("centroids.weird", "'.weird'")]
    [InlineData("centroids", "no extension")]
    public void FormatFromPathRejectsOtherExtensionsAndListsTheSupportedOnes(string path, string described)
    {
        var error = Assert.Throws<KMeansException>(() => VectorFile.FormatFromPath(path));

        Assert.Equal(KMeansErrorKind.UnsupportedFile, error.Kind);
        Assert.Contains(described, error.Message);
        Assert.Contains(".arrow, .feather, .ipc, .arrows, .parquet, .npy, .fvecs, .bvecs, .csv, .json", error.Message);
    }
}
