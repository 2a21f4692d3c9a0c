using System.Runtime.InteropServices;

namespace KMeans.Core.Buffers;

/// <summary>
/// The sample in native, 64-byte aligned memory (outside the GC heap, with no 2 GB array limit). Whether a run fits in
/// memory is decided before, by <see cref="Planning.ResourcePlan.EnsureFitsInMemory"/>.
/// </summary>
/// <remarks>
/// The first write to each 4 KiB page faults, and in sampling those faults cost about as much as reading and screening
/// the source (W2's 256 MiB sample, a process's later trainings: 115–120 ms of sampling, 70–95 ms with the pages faulted
/// in meanwhile on another thread; bench/README.md). So when every row will be written (<see cref="ExpectEveryRow"/>), a
/// background task faults the pages in with MADV_POPULATE_WRITE, which leaves their contents alone, from the last page
/// backwards: the sampler writes from the first, and the two meet instead of faulting the same pages. Transparent huge
/// pages, which fault 512 times less often, were slower in a fresh process, whose memory the host had to back anew.
/// </remarks>
public sealed unsafe class InMemoryBuffer : TrainingBuffer
{
    private const nuint Alignment = 64;
    private const long FaultInStepBytes = 2 << 20;
    private readonly long _bytes;
    private float* _memory;
    private Task? _faultingIn;
    private volatile bool _stopFaultingIn;

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

    /// <summary>The background task of <see cref="ExpectEveryRow"/>, for tests; null before the call and off Linux.</summary>
    internal Task? FaultingIn => _faultingIn;

    public override void ExpectEveryRow()
    {
        if (!OperatingSystem.IsLinux() || _faultingIn is not null)
            return;
        _faultingIn = Task.Run(() =>
        {
            for (long end = _bytes; end > 0 && !_stopFaultingIn; end -= FaultInStepBytes)
            {
                long start = Math.Max(0, end - FaultInStepBytes);
                MemoryAdvice.PopulateWrite((byte*)_memory + start, end - start);
            }
        });
    }

    protected override void WriteRowsCore(long firstRow, ReadOnlySpan<float> rows) =>
        rows.CopyTo(new Span<float>(_memory + firstRow * Dimension, rows.Length));

    protected override float* SealCore(long rowCount) => _memory;

    protected override void Release(bool disposing)
    {
        if (_memory == null)
            return;
        // The task holds this buffer, so a finalizer never runs while it does: only Dispose waits, for one step at most.
        _stopFaultingIn = true;
        _faultingIn?.Wait();
        NativeMemory.AlignedFree(_memory);
        _memory = null;
        GC.RemoveMemoryPressure(_bytes);
    }
}
