using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KMeans.Core.Numerics;

/// <summary>
/// An array starting on a 64-byte cache-line boundary: pinned, so that it never moves, with room to skip to the first
/// boundary. 512-bit loads and stores of whole lines then never straddle two lines; an ordinary array starts wherever
/// the heap put it (8 bytes past a boundary or more, 7 times in 8), which made the update pass's adds up to 1.8× slower
/// on one thread (W2) and the kernel's per-lane bests cost a split load and store per row and tile (bench/README.md).
/// </summary>
internal sealed class LineAligned<T> where T : unmanaged
{
    private const int LineBytes = 64;
    private readonly T[] _array;
    private readonly int _start;

    public unsafe LineAligned(int length)
    {
        _array = GC.AllocateArray<T>(length + LineBytes / sizeof(T), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        _start = (int)((LineBytes - (address & (LineBytes - 1))) & (LineBytes - 1)) / sizeof(T);
        Length = length;
    }

    public int Length { get; }

    public Span<T> Span => _array.AsSpan(_start, Length);
}
