using KMeans.Core.Assigning;
using KMeans.Core.Distance;
using KMeans.Core.Files;

namespace KMeans.Core.Tests.Distance;

/// <summary>
/// A float32 .npy is assigned from row ranges that the workers read themselves, straight into their chunks: the
/// results equal those of the same rows read batch by batch, chunks come back in order and shrink toward the end, a
/// non-float32 file still goes by batches, and a file cut short while it is read gives every row before the cut, then
/// the error.
/// </summary>
public sealed class RowRangeAssignmentTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void RangesGiveWhatBatchesGiveInOrder(int threads)
    {
        float[][] rows = TestData.Uniform(rows: 1000, dimension: 7, seed: 91);
        string path = WriteNpy(rows);
        using var search = new NearestCentroidSearch(TestData.Uniform(11, 7, seed: 92), DistanceMetric.L2);
        var assignment = new StreamingAssignment(search, threads, nearest: 2, rowsPerChunk: 64);

        using IVectorSource file = VectorFile.Open(path);
        Assert.True(((IRowRangeSource)file).ReadsRowRanges);
        AssignedRows[] ranged = assignment.Run(file, firstIndex: 5, default).ToArray();
        AssignedRows[] batched = assignment.Run(new BatchesOnly(TestData.Source(rows)), firstIndex: 5, default).ToArray();

        Assert.Equal(Enumerable.Range(0, 16).Select(c => 5L + 64 * c), ranged.Select(chunk => chunk.FirstIndex));
        Assert.Equal(batched.SelectMany(chunk => chunk.ClusterIds.ToArray()), ranged.SelectMany(chunk => chunk.ClusterIds.ToArray()));
        Assert.Equal(batched.SelectMany(chunk => chunk.Distances.ToArray()), ranged.SelectMany(chunk => chunk.Distances.ToArray()));
    }

    [Fact]
    public void RangesShrinkTowardTheEndDownToAKernelBlock()
    {
        float[][] rows = TestData.Uniform(rows: 5000, dimension: 3, seed: 95);
        string path = WriteNpy(rows);
        using var search = new NearestCentroidSearch(TestData.Uniform(4, 3, seed: 96), DistanceMetric.L2);
        int block = NearestCentroidSearch.RowsPerBlock;
        var assignment = new StreamingAssignment(search, threads: 2, nearest: 1, rowsPerChunk: 4 * block);

        using IVectorSource file = VectorFile.Open(path);
        AssignedRows[] chunks = assignment.Run(file, 0, default).ToArray();
        int[] sizes = chunks.Select(chunk => chunk.RowCount).ToArray();

        Assert.Equal(chunks.Select(chunk => chunk.FirstIndex), sizes.Select((_, c) => (long)sizes.Take(c).Sum()));
        Assert.Equal(rows.Length, sizes.Sum());
        Assert.Equal(4 * block, sizes[0]);
        Assert.True(sizes.Zip(sizes.Skip(1)).All(pair => pair.First >= pair.Second), string.Join(", ", sizes));
        Assert.All(sizes[..^1], size => Assert.True(size >= block));
        Assert.True(sizes[^1] <= block);
        int[] batched = assignment.Run(new BatchesOnly(TestData.Source(rows)), 0, default).SelectMany(chunk => chunk.ClusterIds.ToArray()).ToArray();
        Assert.Equal(batched, chunks.SelectMany(chunk => chunk.ClusterIds.ToArray()));
    }

    [Fact]
    public void AFloat64FileIsReadByBatches()
    {
        string path = _directory.File("doubles.npy");
        NpyFile.Write(path, [[1.0, 2.0], [3.0, 4.0]]);
        using IVectorSource file = VectorFile.Open(path);
        using var search = new NearestCentroidSearch([[0f, 0f], [3f, 4f]], DistanceMetric.L2);

        Assert.False(((IRowRangeSource)file).ReadsRowRanges);
        int[] labels = new StreamingAssignment(search, 2).Run(file, 0, default).SelectMany(chunk => chunk.ClusterIds.ToArray()).ToArray();

        Assert.Equal([0, 1], labels);
    }

    [Fact]
    public void AFileCutShortWhileReadGivesEveryRowBeforeTheCutThenTheError()
    {
        float[][] rows = TestData.Uniform(rows: 640, dimension: 4, seed: 93);
        string path = WriteNpy(rows);
        using var search = new NearestCentroidSearch(TestData.Uniform(5, 4, seed: 94), DistanceMetric.L2);
        using IVectorSource file = VectorFile.Open(path);
        using (var stream = new FileStream(path, FileMode.Open))
            stream.SetLength(stream.Length - 300 * 4 * sizeof(float));
        var received = new List<AssignedRows>();

        var error = Assert.Throws<KMeansException>(() =>
        {
            foreach (AssignedRows chunk in new StreamingAssignment(search, 3, 1, rowsPerChunk: 32).Run(file, 0, default))
                received.Add(chunk);
        });

        Assert.Equal(KMeansErrorKind.InvalidFile, error.Kind);
        Assert.Contains(path, error.Message);
        Assert.Equal(Enumerable.Range(0, 10).Select(c => 32L * c), received.Select(chunk => chunk.FirstIndex));
    }

    private string WriteNpy(float[][] rows)
    {
        string path = _directory.File($"rows-{rows.Length}.npy");
        VectorFileWriter.Write(new InMemoryVectorSource(rows), path, VectorFileFormat.Npy, default);
        return path;
    }

    /// <summary>The same rows without range reads.</summary>
    private sealed class BatchesOnly(IVectorSource inner) : IVectorSource
    {
        public string Description => inner.Description;

        public int Dimension => inner.Dimension;

        public long? RowCount => inner.RowCount;

        public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken) => inner.ReadBatches(cancellationToken);

        public void Dispose() => inner.Dispose();
    }

    /// <summary>A float64 .npy in C order, written by hand: the module writes float32 only.</summary>
    private static class NpyFile
    {
        public static void Write(string path, double[][] rows)
        {
            string header = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows.Length}, {rows[0].Length}), }}";
            header = header.PadRight((header.Length + 11 + 63) / 64 * 64 - 11) + "\n";
            using var stream = File.Create(path);
            stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
            stream.Write(BitConverter.GetBytes((ushort)header.Length));
            stream.Write(System.Text.Encoding.ASCII.GetBytes(header));
            foreach (double value in rows.SelectMany(row => row))
                stream.Write(BitConverter.GetBytes(value));
        }
    }
}
