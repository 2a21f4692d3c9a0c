using System.Globalization;
using System.Text.Json;
using KMeans.Core.Files;
using KMeans.Core.Distance;

namespace KMeans.Core.Tests.Files.Centroids;

/// <summary>
/// Exchanges centroid files with apache-arrow for JavaScript, an Arrow implementation that shares no code with ours
/// (scripts and fixtures in tests/interop/centroids). Values are compared as bit patterns.
/// </summary>
public sealed class CentroidInteropTests : IDisposable
{
    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void ReadsTheFileThatApacheArrowForJavaScriptWrote()
    {
        string fixtures = Path.Combine(RepositoryRoot.Path, "tests", "interop", "centroids", "fixtures");
        using JsonDocument expectedDocument = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixtures, "js-centroids.expected.json")));
        JsonElement expected = expectedDocument.RootElement;

        CentroidSet set = CentroidFile.Read(Path.Combine(fixtures, "js-centroids.arrow"));

        Assert.Equal(expected.GetProperty("k").GetInt32(), set.K);
        Assert.Equal(expected.GetProperty("dimension").GetInt32(), set.Dimension);
        Assert.Equal(DistanceMetric.Cosine, set.Distance);
        Assert.Equal(HexInt64(expected.GetProperty("lossBits")), BitConverter.DoubleToInt64Bits(set.Loss!.Value));
        Assert.Equal(expected.GetProperty("iterations").GetInt32(), set.Iterations);
        Assert.Equal(expected.GetProperty("seed").GetInt32(), set.Seed);
        Assert.Equal(expected.GetProperty("moduleVersion").GetString(), set.ModuleVersion);
        Assert.Equal(
            expected.GetProperty("metadata").EnumerateObject().ToDictionary(entry => entry.Name, entry => entry.Value.GetString()!),
            set.Metadata);
        foreach (JsonElement centroid in expected.GetProperty("centroids").EnumerateArray())
        {
            int cluster = centroid.GetProperty("clusterId").GetInt32();
            Assert.Equal(long.Parse(centroid.GetProperty("size").GetString()!, CultureInfo.InvariantCulture), set.Sizes![cluster]);
            Assert.Equal(centroid.GetProperty("bits").EnumerateArray().Select(HexInt32), CentroidSamples.Bits(set.Centroid(cluster)));
        }
    }

    [Fact]
    public void ApacheArrowForJavaScriptReadsTheFileWeWrite()
    {
        string path = _scratch.File("centroids.arrow");
        CentroidSet written = CentroidSamples.Awkward();
        CentroidFile.Write(path, written, VectorFileFormat.Arrow, overwrite: false);

        using JsonDocument document = JsonDocument.Parse(NodeScript.Run(Path.Combine("centroids", "read-centroids.mjs"), path));
        JsonElement read = document.RootElement;

        Assert.Equal(
            "cluster_id:int32:False[] size:int64:False[] centroid:fixed_size_list[5]:False[item:float32:False[]]",
            string.Join(' ', read.GetProperty("fields").EnumerateArray().Select(Describe)));
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["k"] = "4", ["dimension"] = "5", ["distance"] = "dot", ["loss"] = "0.30000000000000004",
                ["iterations"] = "23", ["seed"] = "-2000000001", ["module_version"] = "1.2.3-test",
                ["note"] = "commas, \"quotes\" and ünïcödé", ["source"] = "unit test",
            },
            read.GetProperty("metadata").EnumerateObject().ToDictionary(entry => entry.Name, entry => entry.Value.GetString()!));
        JsonElement[] rows = read.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(written.K, rows.Length);
        for (int cluster = 0; cluster < written.K; cluster++)
        {
            Assert.Equal(cluster, rows[cluster].GetProperty("clusterId").GetInt32());
            Assert.Equal(written.Sizes![cluster].ToString(CultureInfo.InvariantCulture), rows[cluster].GetProperty("size").GetString());
            Assert.Equal(CentroidSamples.Bits(written.Centroid(cluster)), rows[cluster].GetProperty("bits").EnumerateArray().Select(HexInt32));
        }
    }

    private static string Describe(JsonElement field) =>
        $"{field.GetProperty("name").GetString()}:{field.GetProperty("type").GetString()}:{field.GetProperty("nullable").GetBoolean()}" +
        $"[{string.Join(' ', field.GetProperty("children").EnumerateArray().Select(Describe))}]";

    private static int HexInt32(JsonElement hex) =>
        unchecked((int)uint.Parse(hex.GetString()!.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    private static long HexInt64(JsonElement hex) =>
        unchecked((long)ulong.Parse(hex.GetString()!.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
}
