using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KMeans.Core.Distance;

/// <summary>
/// ‖x − c‖² summed directly from the differences: a row's L2 loss (<see cref="RowLoss"/>), the distance that
/// assignment reports, k-means++ seeding's D², and under a square root the skip bounds' distances. The kernel's
/// expanded ‖c‖² − 2·x·c loses digits to cancellation when x is near c. Inlined into the caller's loop, so that a row
/// costs no call and no generic dispatch, and a fresh process never runs it unoptimized (its callers are fully
/// optimized from their first call; TensorPrimitives.Distance, used before, ran at tier 0 through most of a fresh
/// process's first training).
/// </summary>
internal static class SquaredDistance
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Of(ReadOnlySpan<float> x, ReadOnlySpan<float> c)
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float cs = ref MemoryMarshal.GetReference(c);
        int length = x.Length;
        int j = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            Vector512<float> even = Vector512<float>.Zero, odd = Vector512<float>.Zero;
            for (; j <= length - 2 * Vector512<float>.Count; j += 2 * Vector512<float>.Count)
            {
                Vector512<float> d0 = Vector512.LoadUnsafe(ref xs, (nuint)j) - Vector512.LoadUnsafe(ref cs, (nuint)j);
                Vector512<float> d1 = Vector512.LoadUnsafe(ref xs, (nuint)(j + 16)) - Vector512.LoadUnsafe(ref cs, (nuint)(j + 16));
                even += d0 * d0;
                odd += d1 * d1;
            }
            if (j <= length - Vector512<float>.Count)
            {
                Vector512<float> d0 = Vector512.LoadUnsafe(ref xs, (nuint)j) - Vector512.LoadUnsafe(ref cs, (nuint)j);
                even += d0 * d0;
                j += Vector512<float>.Count;
            }
            sum = Vector512.Sum(even + odd);
        }
        else if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            Vector256<float> even = Vector256<float>.Zero, odd = Vector256<float>.Zero;
            for (; j <= length - 2 * Vector256<float>.Count; j += 2 * Vector256<float>.Count)
            {
                Vector256<float> d0 = Vector256.LoadUnsafe(ref xs, (nuint)j) - Vector256.LoadUnsafe(ref cs, (nuint)j);
                Vector256<float> d1 = Vector256.LoadUnsafe(ref xs, (nuint)(j + 8)) - Vector256.LoadUnsafe(ref cs, (nuint)(j + 8));
                even += d0 * d0;
                odd += d1 * d1;
            }
            if (j <= length - Vector256<float>.Count)
            {
                Vector256<float> d0 = Vector256.LoadUnsafe(ref xs, (nuint)j) - Vector256.LoadUnsafe(ref cs, (nuint)j);
                even += d0 * d0;
                j += Vector256<float>.Count;
            }
            sum = Vector256.Sum(even + odd);
        }
        for (; j < length; j++)
        {
            float d = Unsafe.Add(ref xs, j) - Unsafe.Add(ref cs, j);
            sum += d * d;
        }
        return sum;
    }
}
