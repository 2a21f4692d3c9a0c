using System.Runtime.InteropServices;

namespace KMeans.Core.Buffers;

/// <summary>The sample in native, 64-byte aligned memory (outside the GC heap, with no 2 GB array limit).</summary>
public sealed unsafe class InMemoryBuffer : TrainingBuffer
{
    private const nuint Alignment = 64;
    private readonly long _bytes;
    private float* _memory;

    public InMemoryBuffer(long capacityRows, int dimension)
        : base(capacityRows, dimension)
    {
        _bytes = Math.Max(ByteCount(capacityRows), (long)Alignment);
        _memory = (float*)NativeMemory.AlignedAlloc((nuint)_bytes, Alignment);
        GC.AddMemoryPressure(_bytes);
    }

    public override bool IsOnDisk => false;

    protected override void WriteRowsCore(long firstRow, ReadOnlySpan<float> rows) =>
        rows.CopyTo(new Span<float>(_memory + firstRow * Dimension, rows.Length));

    protected override float* SealCore(long rowCount) => _memory;

    protected override void Release()
    {
        if (_memory == null)
            return;
        NativeMemory.AlignedFree(_memory);
        _memory = null;
        GC.RemoveMemoryPressure(_bytes);
    }
}
