using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KMeans.Core.Files;

/// <summary>
/// Vectors from a TEXMEX <c>.fvecs</c> or <c>.bvecs</c> file: every row is a little-endian int32 dimension followed
/// by that many float32 or byte values. All rows must share the first row's dimension, so the row count follows from
/// the file length.
/// </summary>
internal sealed class VecsVectorSource : IVectorSource
{
    private const int MaxBytesPerBatch = 4 << 20;
    private readonly VecsElement _element;
    private readonly int _rowBytes;

    public VecsVectorSource(string path, VecsElement element)
    {
        Description = path;
        _element = element;
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = RandomAccess.GetLength(file);
        Dimension = ReadDimension(file, 0, row: 0);
        _rowBytes = sizeof(int) + Dimension * ElementSize;
        if (length % _rowBytes != 0)
            throw DescribeBadLength(file, length);
        RowCount = length / _rowBytes;
    }

    public string Description { get; }

    public int Dimension { get; }

    public long? RowCount { get; }

    private int ElementSize => _element == VecsElement.Float32 ? sizeof(float) : sizeof(byte);

    private string Extension => _element == VecsElement.Float32 ? ".fvecs" : ".bvecs";

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        int rowsPerBatch = Math.Max(1, MaxBytesPerBatch / _rowBytes);
        var bytes = new byte[rowsPerBatch * _rowBytes];
        var values = new float[rowsPerBatch * Dimension];
        using var stream = new FileStream(Description, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        for (long first = 0; first < RowCount; first += rowsPerBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(rowsPerBatch, RowCount.Value - first);
            int read = stream.ReadAtLeast(bytes.AsSpan(0, count * _rowBytes), count * _rowBytes, throwOnEndOfStream: false);
            KMeansException? stop = read < count * _rowBytes
                ? VectorFileErrors.Invalid(Description, $"the file ended at row {first + read / _rowBytes}; it was truncated while being read.")
                : null;
            int decoded = 0;
            for (; decoded < read / _rowBytes; decoded++)
            {
                if (!TryDecodeRow(bytes.AsSpan(decoded * _rowBytes, _rowBytes), values.AsSpan(decoded * Dimension, Dimension), out int declared))
                {
                    stop = InconsistentRow(first + decoded, declared);
                    break;
                }
            }
            // Every row before a bad one is delivered, wherever the batches begin.
            if (decoded > 0)
                yield return new VectorBatch(first, decoded, values.AsMemory(0, decoded * Dimension));
            if (stop is not null)
                throw stop;
        }
    }

    public void Dispose()
    {
    }

    /// <summary>False, with the dimension the row's header declares, when that is not the file's.</summary>
    private bool TryDecodeRow(ReadOnlySpan<byte> row, Span<float> target, out int declared)
    {
        declared = BinaryPrimitives.ReadInt32LittleEndian(row);
        if (declared != Dimension)
            return false;
        ReadOnlySpan<byte> payload = row[sizeof(int)..];
        if (_element == VecsElement.Float32)
        {
            MemoryMarshal.Cast<byte, float>(payload).CopyTo(target);
        }
        else
        {
            for (int j = 0; j < target.Length; j++)
                target[j] = payload[j];
        }
        return true;
    }

    private int ReadDimension(SafeFileHandle file, long offset, long row)
    {
        Span<byte> header = stackalloc byte[sizeof(int)];
        if (RandomAccess.Read(file, header, offset) < header.Length)
            throw VectorFileErrors.Invalid(Description, $"row {row} is cut off inside its 4-byte dimension header; the file is probably truncated.");
        int dimension = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (row == 0 && (dimension < 1 || dimension > (Array.MaxLength - sizeof(int)) / ElementSize))
            throw VectorFileErrors.Invalid(Description, $"row 0 declares dimension {dimension}; a {Extension} dimension must be between 1 and {(Array.MaxLength - sizeof(int)) / ElementSize}.");
        return dimension;
    }

    /// <summary>
    /// The length is not a whole number of rows: find the first row whose header disagrees (so the message can name
    /// it), else the last row is incomplete. Only this error path walks the row headers.
    /// </summary>
    private KMeansException DescribeBadLength(SafeFileHandle file, long length)
    {
        long row = 0;
        for (long offset = 0; offset + sizeof(int) <= length; offset += _rowBytes, row++)
        {
            int declared = ReadDimension(file, offset, row);
            if (declared != Dimension)
                return InconsistentRow(row, declared);
        }
        return VectorFileErrors.Invalid(Description,
            $"its {length} bytes are not a whole number of {_rowBytes}-byte rows (dimension {Dimension}): row {length / _rowBytes} is incomplete, so the file is probably truncated.");
    }

    private KMeansException InconsistentRow(long row, int declared) =>
        VectorFileErrors.Invalid(Description, $"row {row} declares dimension {declared}, but row 0 declares {Dimension}; all rows of a {Extension} file must have the same dimension.");
}
