using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KMeans.Core.Numerics;

/// <summary>
/// An array of doubles starting on a 64-byte cache-line boundary: pinned, so that it never moves, with room to skip
/// to the first boundary. 512-bit loads and stores of whole rows then never straddle two lines; an ordinary large
/// array starts wherever the heap put it, which made the update pass's adds up to 1.8× slower on one thread (W2,
/// bench/README.md).
/// </summary>
internal sealed class LineAlignedDoubles
{
    private const int LineBytes = 64;
    private readonly double[] _array;
    private readonly int _start;

    public LineAlignedDoubles(int length)
    {
        _array = GC.AllocateArray<double>(length + LineBytes / sizeof(double), pinned: true);
        _start = FirstOnLine(_array);
        Length = length;
    }

    public int Length { get; }

    public Span<double> Span => _array.AsSpan(_start, Length);

    private static unsafe int FirstOnLine(double[] array)
    {
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return (int)((LineBytes - (address & (LineBytes - 1))) & (LineBytes - 1)) / sizeof(double);
    }
}
