using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace KMeans.Core.Buffers;

/// <summary>
/// The training sample: written once (rows in any order, before <see cref="Seal"/>), then read by block. Rows are
/// addressed with 64-bit indices and read through <see cref="Rows"/>, never as one span, because a production sample
/// (17·10^9 floats) is far beyond the 2^31-element limit of a span.
/// </summary>
public abstract unsafe class TrainingBuffer : IDisposable
{
    private float* _rows;
    private bool _disposed;

    protected TrainingBuffer(long capacityRows, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacityRows);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        CapacityRows = capacityRows;
        Dimension = dimension;
    }

    /// <summary>Creates the in-memory or the on-disk buffer; the trainer treats both alike.</summary>
    public static TrainingBuffer Create(bool onDisk, long capacityRows, int dimension, string tempDirectory) =>
        onDisk
            ? new MemoryMappedBuffer(capacityRows, dimension, tempDirectory)
            : new InMemoryBuffer(capacityRows, dimension);

    public int Dimension { get; }

    public long CapacityRows { get; }

    /// <summary>Rows readable after <see cref="Seal"/>.</summary>
    public long RowCount { get; private set; }

    public bool IsSealed { get; private set; }

    public abstract bool IsOnDisk { get; }

    /// <summary>Largest row count one <see cref="Rows"/> call may ask for.</summary>
    public int MaxRowsPerBlock => int.MaxValue / Dimension;

    public long ByteCount(long rows) => rows * Dimension * sizeof(float);

    /// <summary>Writes whole rows starting at <paramref name="firstRow"/>; only before <see cref="Seal"/>.</summary>
    public void WriteRows(long firstRow, ReadOnlySpan<float> rows)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsSealed)
            throw new InvalidOperationException("The training buffer is sealed: rows can no longer be written.");
        if (rows.Length % Dimension != 0)
            throw new ArgumentException($"{rows.Length} values are not a whole number of {Dimension}-value rows.", nameof(rows));
        long count = rows.Length / Dimension;
        if (firstRow < 0 || firstRow + count > CapacityRows)
            throw new ArgumentOutOfRangeException(nameof(firstRow),
                $"Rows {firstRow}..{firstRow + count - 1} are outside the buffer's {CapacityRows} rows.");
        WriteRowsCore(firstRow, rows);
    }

    /// <summary>Ends writing: the first <paramref name="rowCount"/> rows become the sample, read-only from now on.</summary>
    public void Seal(long rowCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsSealed)
            throw new InvalidOperationException("The training buffer is already sealed.");
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rowCount, CapacityRows);
        _rows = SealCore(rowCount);
        RowCount = rowCount;
        IsSealed = true;
    }

    /// <summary>Rows <paramref name="firstRow"/> .. firstRow + count − 1, row-major; valid until the buffer is disposed.</summary>
    // Small enough to inline into the per-row loops that call it (the update reads every row through it): its failures
    // are thrown from a helper. With their messages built here it was a call per row, run unoptimized (tier 0) in a
    // fresh process's first training.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<float> Rows(long firstRow, int count)
    {
        // count · d > int.MaxValue is count > MaxRowsPerBlock without a division per call.
        if (!IsSealed || _disposed || firstRow < 0 || count < 0 || firstRow + count > RowCount || (long)count * Dimension > int.MaxValue)
            ThrowUnreadable(firstRow, count);
        return new ReadOnlySpan<float>(_rows + firstRow * Dimension, count * Dimension);
    }

    [DoesNotReturn]
    private void ThrowUnreadable(long firstRow, int count)
    {
        if (!IsSealed || _disposed)
            throw new InvalidOperationException(_disposed ? "The training buffer is disposed." : "The training buffer is not sealed yet.");
        if (firstRow < 0 || count < 0 || firstRow + count > RowCount)
            throw new ArgumentOutOfRangeException(nameof(firstRow),
                $"Rows {firstRow}..{firstRow + count - 1} are outside the sample's {RowCount} rows.");
        throw new ArgumentOutOfRangeException(nameof(count),
            $"{count} rows of {Dimension} values exceed the {int.MaxValue} values one block may hold.");
    }

    /// <summary>Advises the storage that these rows will be read soon (the on-disk buffer starts reading them).</summary>
    public virtual void PrefetchRows(long firstRow, long count)
    {
    }

    /// <summary>
    /// Says that every row of the buffer is about to be written, so that the storage may get ready for them meanwhile
    /// (the in-memory buffer faults its pages in on another thread).
    /// </summary>
    public virtual void ExpectEveryRow()
    {
    }

    protected abstract void WriteRowsCore(long firstRow, ReadOnlySpan<float> rows);

    /// <summary>Makes the first <paramref name="rowCount"/> rows readable and returns where they start.</summary>
    protected abstract float* SealCore(long rowCount);

    /// <summary>
    /// Frees what the buffer holds. From the finalizer (<paramref name="disposing"/> false) only unmanaged memory may be
    /// freed: managed members such as file streams may already be finalized, and finalize themselves.
    /// </summary>
    protected abstract void Release(bool disposing);

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _rows = null;
        Release(disposing: true);
        GC.SuppressFinalize(this);
    }

    ~TrainingBuffer() => Release(disposing: false);
}
