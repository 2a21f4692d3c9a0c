using System.Runtime.InteropServices;

namespace KMeans.Core.Buffers;

/// <summary>
/// The sample in native, 64-byte aligned memory (outside the GC heap, with no 2 GB array limit). Whether a run fits in
/// memory is decided before, by <see cref="Planning.ResourcePlan.EnsureFitsInMemory"/>.
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
        try
        {
            _memory = (float*)NativeMemory.AlignedAlloc((nuint)_bytes, Alignment);
        }
        catch (OutOfMemoryException e)
        {
            throw new KMeansException(KMeansErrorKind.InsufficientMemory,
                new OptionMessage($"Could not allocate the {_bytes:N0}-byte in-memory sample. Train with {{0}}, or lower {{1}} or K.",
                    KMeansOption.OnDisk, KMeansOption.SampleRate),
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
