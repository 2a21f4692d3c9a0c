using System.Globalization;
using System.Text.Json;
using KMeans.Core.Assigning;
using KMeans.Core.Distance;
using KMeans.Core.Tests.Files.Centroids;
using Parquet;
using Parquet.Schema;

namespace KMeans.Core.Tests.Distance;

/// <summary>
/// Assignment files: read back by apache-arrow for JavaScript (Arrow), Parquet.Net (Parquet) and a .npy header check;
/// row indices count across chunks, unassigned rows keep their place; nothing is at the target before Commit.
/// </summary>
public sealed class AssignmentFileTests : IDisposable
{
    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    /// <summary>Two chunks as from two input files: rows 0–4 then 5–7, row 2 null and row 6 not assigned.</summary>
    private static AssignedRows[] Chunks(int nearest)
    {
        AssignedRows Chunk(long first, int rows, params int[] unassigned)
        {
            var ids = new int[rows * nearest];
            var distances = new float[rows * nearest];
            for (int i = 0; i < rows; i++)
            {
                for (int r = 0; r < nearest; r++)
                {
                    bool skipped = unassigned.Contains(i);
                    ids[i * nearest + r] = skipped ? -1 : (int)((first + i) * 10 + r);
                    distances[i * nearest + r] = skipped ? 0 : (first + i) + r / 4f + 0.1f;
                }
            }
            return new AssignedRows(first, 0, rows, nearest, ids, distances);
        }
        return [Chunk(0, 5, 2), Chunk(5, 3, 1)];
    }

    [Theory]
    [InlineData(1, "a.arrow")]
    [InlineData(2, "b.arrow")]
    [InlineData(1, "c.arrows")]
    public void ApacheArrowForJavaScriptReadsTheColumns(int nearest, string name)
    {
        string path = Path.Combine(_scratch.Path, name);
        Write(path, nearest);

        using JsonDocument read = JsonDocument.Parse(NodeScript.Run("assignments/read-assignments.mjs", path));

        string[] expectedFields = nearest == 1 ? ["row_index", "cluster_id", "distance"] : ["row_index", "rank", "cluster_id", "distance"];
        Assert.Equal(expectedFields, read.RootElement.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal("uint64", read.RootElement.GetProperty("fields")[0].GetProperty("type").GetString());
        JsonElement[] rows = [.. read.RootElement.GetProperty("rows").EnumerateArray()];
        long[] expectedRows = [0, 1, 3, 4, 5, 7];
        Assert.Equal(expectedRows.SelectMany(row => Enumerable.Repeat(row, nearest)),
            rows.Select(row => long.Parse(row.GetProperty("rowIndex").GetString()!, CultureInfo.InvariantCulture)));
        for (int e = 0; e < rows.Length; e++)
        {
            long row = expectedRows[e / nearest];
            int rank = e % nearest;
            Assert.Equal((int)(row * 10 + rank), rows[e].GetProperty("clusterId").GetInt32());
            float distance = row + rank / 4f + 0.1f;
            Assert.Equal($"0x{BitConverter.SingleToInt32Bits(distance):x8}", rows[e].GetProperty("distanceBits").GetString());
            if (nearest > 1)
                Assert.Equal(rank, rows[e].GetProperty("rank").GetInt32());
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task ParquetNetReadsTheColumns(int nearest)
    {
        string path = Path.Combine(_scratch.Path, "a.parquet");
        Write(path, nearest);

        await using ParquetReader reader = await ParquetReader.CreateAsync(path);
        DataField[] fields = reader.Schema.GetDataFields();
        Assert.Equal(nearest == 1 ? ["row_index", "cluster_id", "distance"] : ["row_index", "rank", "cluster_id", "distance"], fields.Select(f => f.Name));
        using ParquetRowGroupReader group = reader.OpenRowGroupReader(0);
        int entries = 6 * nearest;
        var rowIndices = new ulong[entries];
        var clusterIds = new int[entries];
        var distances = new float[entries];
        await group.ReadAsync(fields[0], rowIndices.AsMemory(), null, default);
        await group.ReadAsync(fields[^2], clusterIds.AsMemory(), null, default);
        await group.ReadAsync(fields[^1], distances.AsMemory(), null, default);
        long[] expectedRows = [0, 1, 3, 4, 5, 7];
        Assert.Equal(expectedRows.SelectMany(row => Enumerable.Repeat((ulong)row, nearest)), rowIndices);
        Assert.Equal(expectedRows.SelectMany(row => Enumerable.Range(0, nearest).Select(r => (int)(row * 10 + r))), clusterIds);
        Assert.Equal(expectedRows.SelectMany(row => Enumerable.Range(0, nearest).Select(r => row + r / 4f + 0.1f)), distances);
    }

    [Fact]
    public void NpyHoldsOneLabelPerRowAndMinusOneWhereNoneWasGiven()
    {
        string path = Path.Combine(_scratch.Path, "labels.npy");
        Write(path, nearest: 2);

        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = 10 + BitConverter.ToUInt16(bytes, 8);
        string header = System.Text.Encoding.Latin1.GetString(bytes, 10, headerLength - 10);
        Assert.Contains("'descr': '<i4'", header);
        Assert.Contains("'shape': (8, 2)", header);
        int[] labels = new int[16];
        Buffer.BlockCopy(bytes, headerLength, labels, 0, 64);
        Assert.Equal([0, 1, 10, 11, -1, -1, 30, 31, 40, 41, 50, 51, -1, -1, 70, 71], labels);
        Assert.Equal(headerLength + 64, bytes.Length);
    }

    [Fact]
    public void NothingIsAtTheTargetUntilCommitAndAnAbandonedWriteLeavesTheOldFile()
    {
        string path = Path.Combine(_scratch.Path, "kept.parquet");
        File.WriteAllText(path, "old");
        using (var writer = new AssignmentFileWriter(path, AssignmentFileFormat.Parquet, 1, overwrite: true))
        {
            writer.Write(Chunks(1)[0]);
            Assert.Equal("old", File.ReadAllText(path));
        }

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_scratch.Path));
    }

    [Fact]
    public void AFileAnotherWriterPutAtTheTargetMeanwhileIsKeptUnlessOverwriting()
    {
        string path = Path.Combine(_scratch.Path, "raced.arrow");
        var error = Assert.Throws<KMeansException>(() =>
        {
            using var writer = new AssignmentFileWriter(path, AssignmentFileFormat.Arrow, 1, overwrite: false);
            writer.Write(Chunks(1)[0]);
            File.WriteAllText(path, "the other writer's");
            writer.Commit();
        });

        Assert.Equal(KMeansErrorKind.FileExists, error.Kind);
        Assert.Equal("the other writer's", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_scratch.Path));

        using (var writer = new AssignmentFileWriter(path, AssignmentFileFormat.Arrow, 1, overwrite: true))
        {
            writer.Write(Chunks(1)[0]);
            writer.Commit();
        }
        Assert.NotEqual("the other writer's", File.ReadAllText(path));
    }

    [Fact]
    public void AssigningAFileIntoAFileMatchesTheSearch()
    {
        float[][] rows = TestData.Uniform(3000, 6, seed: 4);
        using var search = new NearestCentroidSearch(TestData.Uniform(20, 6, seed: 5), DistanceMetric.L2);
        string path = Path.Combine(_scratch.Path, "all.npy");

        using (var writer = new AssignmentFileWriter(path, AssignmentFileFormat.Npy, 1, overwrite: false))
        {
            foreach (AssignedRows chunk in new StreamingAssignment(search, 2).Run(TestData.Source(rows), 0, default))
                writer.Write(chunk);
            writer.Commit();
        }

        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = 10 + BitConverter.ToUInt16(bytes, 8);
        int[] labels = new int[rows.Length];
        Buffer.BlockCopy(bytes, headerLength, labels, 0, labels.Length * 4);
        Assert.Equal(rows.Select(row => search.Assign(row).ClusterId), labels);
    }

    [Fact]
    public void AnUnknownExtensionIsRefused() =>
        Assert.Equal(KMeansErrorKind.UnsupportedFile,
            Assert.Throws<KMeansException>(() => AssignmentFileFormats.FromPath("labels.csv")).Kind);

    private static void Write(string path, int nearest)
    {
        using var writer = new AssignmentFileWriter(path, AssignmentFileFormats.FromPath(path), nearest, overwrite: false);
        foreach (AssignedRows chunk in Chunks(nearest))
            writer.Write(chunk);
        writer.Commit();
    }
}
