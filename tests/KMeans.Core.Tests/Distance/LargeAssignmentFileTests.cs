using Apache.Arrow;
using Apache.Arrow.Ipc;
using KMeans.Core.Assigning;
using Parquet;
using Parquet.Schema;

namespace KMeans.Core.Tests.Distance;

/// <summary>
/// Assignment files of several MiB, written chunk by chunk as a long run writes them: chunks of varying size (so the
/// reused columns grow between chunks) and some rows left unassigned after chunks of assigned rows only. Every entry
/// reads back exactly, so neither the reuse of the columns between batches nor the writeback started while writing
/// loses or mixes a value.
/// </summary>
public sealed class LargeAssignmentFileTests : IDisposable
{
    private const int ChunkCount = 120;

    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    /// <summary>Chunk c has 500 + 37·(c mod 50) rows; in every seventh chunk every fifth row is not assigned.</summary>
    private static IEnumerable<AssignedRows> Chunks(int nearest)
    {
        long first = 0;
        for (int c = 0; c < ChunkCount; c++)
        {
            int rows = 500 + 37 * (c % 50);
            var ids = new int[rows * nearest];
            var distances = new float[rows * nearest];
            for (int i = 0; i < rows; i++)
            {
                bool skipped = c % 7 == 3 && i % 5 == 0;
                for (int r = 0; r < nearest; r++)
                {
                    ids[i * nearest + r] = skipped ? -1 : ExpectedId(first + i, r);
                    distances[i * nearest + r] = skipped ? 0 : ExpectedDistance(first + i, r);
                }
            }
            yield return new AssignedRows(first, first, rows, nearest, ids, distances);
            first += rows;
        }
    }

    private static int ExpectedId(long row, int rank) => (int)((row * 7 + rank) % 100_003);

    private static float ExpectedDistance(long row, int rank) => row * 0.5f + rank;

    /// <summary>The (row, rank) entries the chunks hold, in order, unassigned rows left out.</summary>
    private static List<(long Row, int Rank)> ExpectedEntries(int nearest)
    {
        var entries = new List<(long, int)>();
        foreach (AssignedRows chunk in Chunks(nearest))
        {
            for (int i = 0; i < chunk.RowCount; i++)
            {
                if (chunk.ClusterIds.Span[i * nearest] < 0)
                    continue;
                for (int r = 0; r < nearest; r++)
                    entries.Add((chunk.FirstIndex + i, r));
            }
        }
        return entries;
    }

    private string Write(string name, AssignmentFileFormat format, int nearest)
    {
        string path = Path.Combine(_scratch.Path, name);
        using var writer = new AssignmentFileWriter(path, format, nearest, overwrite: false);
        foreach (AssignedRows chunk in Chunks(nearest))
            writer.Write(chunk);
        writer.Commit();
        return path;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void EveryEntryOfALargeArrowFileReadsBack(int nearest)
    {
        string path = Write($"large-{nearest}.arrow", AssignmentFileFormat.Arrow, nearest);
        Assert.True(new FileInfo(path).Length > 2 << 20, "The file should be large enough to start writeback several times.");

        var rowIndices = new List<ulong>();
        var ranks = new List<int>();
        var clusterIds = new List<int>();
        var distances = new List<float>();
        var batchSizes = new List<int>();
        using (var stream = File.OpenRead(path))
        using (var reader = new ArrowFileReader(stream))
        {
            while (reader.ReadNextRecordBatch() is { } batch)
            {
                using (batch)
                {
                    batchSizes.Add(batch.Length);
                    rowIndices.AddRange(((UInt64Array)batch.Column("row_index")).Values.ToArray());
                    if (nearest > 1)
                        ranks.AddRange(((Int32Array)batch.Column("rank")).Values.ToArray());
                    clusterIds.AddRange(((Int32Array)batch.Column("cluster_id")).Values.ToArray());
                    distances.AddRange(((FloatArray)batch.Column("distance")).Values.ToArray());
                }
            }
        }

        List<(long Row, int Rank)> expected = ExpectedEntries(nearest);
        Assert.Equal(expected.Select(e => (ulong)e.Row), rowIndices);
        if (nearest > 1)
            Assert.Equal(expected.Select(e => e.Rank), ranks);
        Assert.Equal(expected.Select(e => ExpectedId(e.Row, e.Rank)), clusterIds);
        Assert.Equal(expected.Select(e => ExpectedDistance(e.Row, e.Rank)), distances);
        // Whole chunks gathered into batches of at least 16,384 entries, but the last.
        Assert.All(batchSizes.SkipLast(1), size => Assert.InRange(size, 1 << 14, (1 << 14) + 2300 * nearest));
        Assert.InRange(batchSizes.Count, 2, expected.Count / (1 << 14) + 1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task EveryEntryOfALargeParquetFileReadsBack(int nearest)
    {
        string path = Write($"large-{nearest}.parquet", AssignmentFileFormat.Parquet, nearest);

        List<(long Row, int Rank)> expected = ExpectedEntries(nearest);
        await using ParquetReader reader = await ParquetReader.CreateAsync(path);
        DataField[] fields = reader.Schema.GetDataFields();
        var rowIndices = new List<ulong>();
        var ranks = new List<int>();
        var clusterIds = new List<int>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using ParquetRowGroupReader group = reader.OpenRowGroupReader(g);
            int count = (int)group.RowCount;
            var groupRows = new ulong[count];
            var groupIds = new int[count];
            await group.ReadAsync(fields[0], groupRows.AsMemory(), null, default);
            await group.ReadAsync(fields[^2], groupIds.AsMemory(), null, default);
            rowIndices.AddRange(groupRows);
            clusterIds.AddRange(groupIds);
            if (nearest > 1)
            {
                var groupRanks = new int[count];
                await group.ReadAsync(fields[1], groupRanks.AsMemory(), null, default);
                ranks.AddRange(groupRanks);
            }
        }

        Assert.Equal(expected.Select(e => (ulong)e.Row), rowIndices);
        if (nearest > 1)
            Assert.Equal(expected.Select(e => e.Rank), ranks);
        Assert.Equal(expected.Select(e => ExpectedId(e.Row, e.Rank)), clusterIds);
    }
}
