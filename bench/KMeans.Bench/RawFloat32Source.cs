using System.Runtime.InteropServices;
using KMeans.Core;
using KMeans.Core.Files;

namespace KMeans.Bench;

/// <summary>
/// Rows of a headerless little-endian float32 file of known shape, streamed in batches through one reused buffer,
/// so that reading a workload never holds more than a batch in memory.
/// </summary>
internal sealed class RawFloat32Source : IVectorSource
{
    private const int RowsPerBatch = 1024;
    private readonly string _path;
    private readonly long _rows;

    public RawFloat32Source(string path, long rows, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (!BitConverter.IsLittleEndian)
            throw new KMeansException(KMeansErrorKind.UnsupportedFile,
                $"{path} holds little-endian float32, which this big-endian machine cannot read as it is.", path);
        if (!File.Exists(path))
            throw new KMeansException(KMeansErrorKind.FileNotFound, $"{path} does not exist.", path);
        long expected = rows * dimension * sizeof(float);
        long actual = new FileInfo(path).Length;
        if (actual != expected)
            throw new KMeansException(KMeansErrorKind.InvalidFile,
                $"{path} holds {actual:N0} bytes, but {rows:N0} rows of {dimension} float32 values need {expected:N0}.", path);
        _path = path;
        _rows = rows;
        Dimension = dimension;
    }

    public string Description => _path;

    public int Dimension { get; }

    public long? RowCount => _rows;

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        var values = new float[RowsPerBatch * Dimension];
        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0,
            FileOptions.SequentialScan);
        for (long first = 0; first < _rows; first += RowsPerBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(RowsPerBatch, _rows - first);
            Span<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan(0, count * Dimension));
            int read = file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (read < bytes.Length)
                throw new KMeansException(KMeansErrorKind.InvalidFile,
                    $"{_path} ended inside row {first + read / (Dimension * sizeof(float))}: expected {_rows:N0} rows " +
                    $"of {Dimension} float32 values (the file shrank while it was read).", _path);
            yield return new VectorBatch(first, count, values.AsMemory(0, count * Dimension));
        }
    }

    /// <summary>Reads the whole file into one array, for the kernel micro-benchmark that times no I/O.</summary>
    public float[] ReadAll()
    {
        var all = new float[_rows * Dimension];
        foreach (VectorBatch batch in ReadBatches(CancellationToken.None))
            batch.Values.Span.CopyTo(all.AsSpan(checked((int)(batch.FirstRow * Dimension))));
        return all;
    }

    public void Dispose()
    {
    }
}
