using KMeans.Core.Files;

namespace KMeans.Core.Tests.Files.Vectors;

/// <summary>Reads whole sources back for comparison, checking that batches carry consecutive source row indices.</summary>
internal static class VectorRows
{
    /// <summary>Every row in source order; null rows as null.</summary>
    public static List<float[]?> ReadAll(IVectorSource source)
    {
        var rows = new List<float[]?>();
        foreach (VectorBatch batch in source.ReadBatches(CancellationToken.None))
        {
            Assert.Equal(rows.Count, batch.FirstRow);
            Assert.Equal(batch.RowCount * source.Dimension, batch.Values.Length);
            for (int i = 0; i < batch.RowCount; i++)
                rows.Add(batch.IsNull(i) ? null : batch.Values.Span.Slice(i * source.Dimension, source.Dimension).ToArray());
        }
        if (source.RowCount is long count)
            Assert.Equal(count, rows.Count);
        return rows;
    }

    public static List<float[]?> ReadFile(string path, string? column = null)
    {
        using IVectorSource source = VectorFile.Open(path, column);
        return ReadAll(source);
    }

    /// <summary>Rows whose values are small whole numbers, exact in every element type including bytes and float16.</summary>
    public static float[][] WholeNumbers(int rows, int dimension) =>
        Enumerable.Range(0, rows)
            .Select(r => Enumerable.Range(0, dimension).Select(j => (float)((r * 7 + j * 13) % 256)).ToArray())
            .ToArray();

    /// <summary>Rows with fractional values that float16 holds exactly (multiples of 1/8 below 64).</summary>
    public static float[][] Fractions(int rows, int dimension) =>
        Enumerable.Range(0, rows)
            .Select(r => Enumerable.Range(0, dimension).Select(j => ((r * 31 + j * 17) % 512) / 8f - 32f).ToArray())
            .ToArray();

    public static void Equal(IReadOnlyList<float[]?> expected, IReadOnlyList<float[]?> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            if (expected[i] is null)
                Assert.Null(actual[i]);
            else
                Assert.Equal(expected[i], actual[i]);
        }
    }
}
