using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using KMeans.Core.Numerics;
using Microsoft.Win32.SafeHandles;

namespace KMeans.Core.Files;

/// <summary>
/// Vectors from a NumPy <c>.npy</c> file holding a 2-D little-endian float16, float32 or float64 array. C-order files
/// are read front to back; Fortran-order files (column after column) are read one block of rows at a time with one
/// positioned read per column, so memory stays at one batch whatever the file size.
/// </summary>
internal sealed class NpyVectorSource : IVectorSource, IRowRangeSource
{
    /// <summary>1 MiB of float32 rows: a batch stays in the L2 cache while its rows are copied on.</summary>
    private const int MaxValuesPerBatch = 1 << 18;

    /// <summary>Fortran order costs one read per column and batch, so its batches are larger.</summary>
    private const int MaxFortranValuesPerBatch = 1 << 20;
    private readonly NpyHeader _header;
    private readonly Float64Narrowing? _narrowing;
    private readonly object _rangeFileLock = new();
    private SafeFileHandle? _rangeFile;

    public NpyVectorSource(string path)
    {
        Description = path;
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        _header = NpyHeader.Read(file, path);
        if (_header.ElementSize == sizeof(double))
            _narrowing = new Float64Narrowing(_header.Columns, path);
    }

    public string Description { get; }

    public int Dimension => _header.Columns;

    public long? RowCount => _header.Rows;

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        int valuesPerBatch = _header.FortranOrder ? MaxFortranValuesPerBatch : MaxValuesPerBatch;
        int rowsPerBatch = (int)Math.Max(1, Math.Min(valuesPerBatch / Dimension, _header.Rows));
        // float32 rows in C order are read straight into the batch; other layouts and types go through bytes.
        bool direct = !_header.FortranOrder && _header.ElementSize == sizeof(float);
        // Fortran order reads one column's run at a time; float64 rows are gathered whole, so that the notes of their
        // narrowing leave out the rows the checks will refuse.
        byte[] bytes = direct ? [] : new byte[(long)rowsPerBatch * (_header.FortranOrder ? 1 : Dimension) * _header.ElementSize];
        var values = new float[rowsPerBatch * Dimension];
        var column = _header.FortranOrder ? new float[rowsPerBatch] : [];
        var wideRows = _header.FortranOrder && _narrowing is not null ? new double[rowsPerBatch * Dimension] : [];
        ForgetRangeFile();
        using SafeFileHandle file = File.OpenHandle(Description, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        for (long first = 0; first < _header.Rows; first += rowsPerBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(rowsPerBatch, _header.Rows - first);
            if (direct)
                ReadExactly(file, MemoryMarshal.AsBytes(values.AsSpan(0, count * Dimension)), RowOffset(first));
            else if (_header.FortranOrder)
                ReadFortranRows(file, first, count, bytes, column, wideRows, values);
            else
                ReadCRows(file, first, count, bytes, values);
            yield return new VectorBatch(first, count, values.AsMemory(0, count * Dimension));
        }
    }

    public IEnumerable<Float64Narrowing.Blur> Float64Blurs => _narrowing?.Worst() is { } blur ? [blur] : [];

    public bool ReadsRowRanges => !_header.FortranOrder && _header.ElementSize == sizeof(float);

    public void ReadRows(long firstRow, int count, Span<float> destination)
    {
        if (!ReadsRowRanges)
            throw new InvalidOperationException($"{Description} does not store float32 rows one after the other.");
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstRow + count, _header.Rows);
        ReadExactly(RangeFile(), MemoryMarshal.AsBytes(destination[..(count * Dimension)]), RowOffset(firstRow));
    }

    public void Dispose()
    {
        lock (_rangeFileLock)
            _rangeFile?.Dispose();
    }

    /// <summary>
    /// A whole read opens the file as it is now, and so do the range reads after it: a handle kept from before would
    /// read a file replaced since (renamed over) as it was, so that rows sampled from the new file and read again from
    /// the old one would differ.
    /// </summary>
    private void ForgetRangeFile()
    {
        lock (_rangeFileLock)
        {
            if (_rangeFile is { IsClosed: false })
            {
                _rangeFile.Dispose();
                _rangeFile = null;
            }
        }
    }

    /// <summary>One handle for the range reads until the next whole read: positioned reads on it need no lock.</summary>
    private SafeFileHandle RangeFile()
    {
        lock (_rangeFileLock)
        {
            ObjectDisposedException.ThrowIf(_rangeFile is { IsClosed: true }, this);
            return _rangeFile ??= File.OpenHandle(Description, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
    }

    private void ReadCRows(SafeFileHandle file, long first, int count, byte[] bytes, float[] values)
    {
        int length = count * Dimension * _header.ElementSize;
        ReadExactly(file, bytes.AsSpan(0, length), RowOffset(first));
        Convert(bytes.AsSpan(0, length), values.AsSpan(0, count * Dimension));
    }

    private long RowOffset(long row) => _header.DataOffset + row * Dimension * _header.ElementSize;

    /// <summary>Column j of the block is <paramref name="count"/> consecutive values starting at j·Rows + first.</summary>
    private void ReadFortranRows(SafeFileHandle file, long first, int count, byte[] bytes, float[] column, double[] wideRows, float[] values)
    {
        int length = count * _header.ElementSize;
        for (int j = 0; j < Dimension; j++)
        {
            long offset = _header.DataOffset + ((long)j * _header.Rows + first) * _header.ElementSize;
            ReadExactly(file, bytes.AsSpan(0, length), offset);
            if (_narrowing is not null)
            {
                ReadOnlySpan<double> doubles = MemoryMarshal.Cast<byte, double>(bytes.AsSpan(0, length));
                for (int i = 0; i < count; i++)
                    wideRows[i * Dimension + j] = doubles[i];
                continue;
            }
            Convert(bytes.AsSpan(0, length), column.AsSpan(0, count));
            for (int i = 0; i < count; i++)
                values[i * Dimension + j] = column[i];
        }
        _narrowing?.NarrowRows(wideRows.AsSpan(0, count * Dimension), values.AsSpan(0, count * Dimension));
    }

    /// <summary>Values of whole rows, or of one column of float32 or float16, as float32.</summary>
    private void Convert(ReadOnlySpan<byte> source, Span<float> target)
    {
        switch (_header.ElementSize)
        {
            case sizeof(float):
                MemoryMarshal.Cast<byte, float>(source).CopyTo(target);
                break;
            case sizeof(double):
                _narrowing!.NarrowRows(MemoryMarshal.Cast<byte, double>(source), target);
                break;
            default:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), target);
                break;
        }
    }

    private void ReadExactly(SafeFileHandle file, Span<byte> destination, long offset)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = RandomAccess.Read(file, destination[total..], offset + total);
            if (read == 0)
                throw VectorFileErrors.Invalid(Description, $"the file ended at byte {offset + total}, inside its data; it was truncated while being read.");
            total += read;
        }
    }
}
