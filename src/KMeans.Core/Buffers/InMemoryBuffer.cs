using System.Runtime.InteropServices;

namespace KMeans.Core.Buffers;

/// <summary>
/// The sample in native, 64-byte aligned memory (outside the GC heap, with no 2 GB array limit). A sample larger than
/// the memory available now is refused before anything is allocated: Linux would grant the allocation and kill the
/// process (and the shell hosting it) only when the pages are written.
/// </summary>
public sealed unsafe class InMemoryBuffer : TrainingBuffer
{
    private const nuint Alignment = 64;
    private readonly long _bytes;
    private float* _memory;

    public InMemoryBuffer(long capacityRows, int dimension)
        : base(capacityRows, dimension)
    {
        _bytes = Math.Max(ByteCount(capacityRows), (long)Alignment);
        long available = AvailableMemory.Bytes();
        if (_bytes > available)
            throw new KMeansException(KMeansErrorKind.InsufficientMemory,
                $"The in-memory sample needs {_bytes:N0} bytes, but only {available:N0} bytes of memory are available. " +
                "Train with OnDisk (-OnDisk) to keep the sample in a memory-mapped temporary file, or lower SampleRate or K.",
                _bytes);
        try
        {
            _memory = (float*)NativeMemory.AlignedAlloc((nuint)_bytes, Alignment);
        }
        catch (OutOfMemoryException e)
        {
            throw new KMeansException(KMeansErrorKind.InsufficientMemory,
                $"Could not allocate the {_bytes:N0}-byte in-memory sample. Train with OnDisk (-OnDisk), or lower SampleRate or K.",
                _bytes, e);
        }
        GC.AddMemoryPressure(_bytes);
    }

    public override bool IsOnDisk => false;

    protected override void WriteRowsCore(long firstRow, ReadOnlySpan<float> rows) =>
        rows.CopyTo(new Span<float>(_memory + firstRow * Dimension, rows.Length));

    protected override float* SealCore(long rowCount) => _memory;

    protected override void Release(bool disposing)
    {
        if (_memory == null)
            return;
        NativeMemory.AlignedFree(_memory);
        _memory = null;
        GC.RemoveMemoryPressure(_bytes);
    }
}
