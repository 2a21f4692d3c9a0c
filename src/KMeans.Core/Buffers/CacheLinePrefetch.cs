using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace KMeans.Core.Buffers;

/// <summary>
/// Asks the processor to bring values into its caches ahead of use, where rows (or lists) are read in an order the
/// hardware prefetchers cannot foresee: a thread's sparse, increasing subset of the sample in the update, a
/// partition's rows, rows by regret and gathered rows in balancing. The item about <see cref="BytesAhead"/> ahead in
/// the list (at least the next but one) is requested, up to its first 4 KiB (the streamers follow the rest of a
/// longer row). In balancing it halved the time of the constrained passes' means on the skewed mixture (65,536 × 128,
/// 22 ms to 11 ms for five passes).
/// </summary>
internal static unsafe class CacheLinePrefetch
{
    private const int BytesAhead = 8 << 10;

    private const int LineBytes = 64;

    private const int Lines = 64;

    /// <summary>How many items of <paramref name="bytesPerItem"/> bytes ahead of the one being read to request.</summary>
    public static int ItemsAhead(int bytesPerItem) => Math.Clamp(BytesAhead / bytesPerItem, 2, 16);

    public static void Request<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        if (!Sse.IsSupported || values.IsEmpty)
            return;
        byte* start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(values));
        int bytes = Math.Min(values.Length * sizeof(T), Lines * LineBytes);
        for (int offset = 0; offset < bytes; offset += LineBytes)
            Sse.Prefetch0(start + offset);
    }
}
