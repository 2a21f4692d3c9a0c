using System.Text.Json;
using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files.Vectors;

/// <summary>
/// Reads the Arrow files that apache-arrow for JavaScript wrote (tests/interop/vectors/generate.mjs) and compares
/// them with the rows it recorded in expected.json, or, for the fixtures marked expectedError (LZ4 bodies whose length
/// prefixes that library version gets wrong), checks that they are rejected cleanly. The fixtures are committed, so
/// node is not needed here.
/// </summary>
public sealed class ArrowInteropFixtureTests
{
    private static readonly string FixtureDirectory = Path.Combine(RepositoryRoot.Path, "tests", "interop", "vectors", "fixtures");

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (JsonElement fixture in Expected().GetProperty("fixtures").EnumerateArray())
            data.Add(fixture.GetProperty("file").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void FixtureReadsExactlyAsRecorded(string file)
    {
        JsonElement fixture = Expected().GetProperty("fixtures").EnumerateArray().Single(f => f.GetProperty("file").GetString() == file);
        List<float[]?> expected = fixture.GetProperty("rows").EnumerateArray()
            .Select(row => row.ValueKind == JsonValueKind.Null ? null : row.EnumerateArray().Select(v => v.GetSingle()).ToArray())
            .ToList();
        string path = Path.Combine(FixtureDirectory, file);
        if (fixture.TryGetProperty("expectedError", out JsonElement expectedError))
        {
            var error = Assert.Throws<KMeansException>(() => VectorRows.ReadFile(path));
            Assert.Equal(Enum.Parse<KMeansErrorKind>(expectedError.GetString()!), error.Kind);
            Assert.Contains(file, error.Message);
            return;
        }

        foreach (string? column in new[] { fixture.GetProperty("column").GetString(), null })
        {
            using IVectorSource source = VectorFile.Open(path, column);
            Assert.Equal(fixture.GetProperty("dimension").GetInt32(), source.Dimension);
            Assert.Equal(fixture.GetProperty("rowCount").ValueKind == JsonValueKind.Null ? null : fixture.GetProperty("rowCount").GetInt64(), source.RowCount);
            VectorRows.Equal(expected, VectorRows.ReadAll(source));
        }
    }

    [Fact]
    public void WrongLengthPrefixIsNamedInTheMessage()
    {
        string path = Path.Combine(FixtureDirectory, "js-lz4-wrong-length-prefix.arrow");
        var error = Assert.Throws<KMeansException>(() => VectorRows.ReadFile(path));
        Assert.Contains("wrong uncompressed length", error.Message);
    }

    private static JsonElement Expected()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "expected.json")));
        return document.RootElement.Clone();
    }
}
