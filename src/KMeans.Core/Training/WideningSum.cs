using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KMeans.Core.Training;

/// <summary>Adds float32 rows into float64 accumulators: each element is one exact widening and one rounding add.</summary>
internal static class WideningSum
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(ReadOnlySpan<float> values, Span<double> sums)
    {
        ref float x = ref MemoryMarshal.GetReference(values);
        ref double s = ref MemoryMarshal.GetReference(sums);
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= values.Length - Vector512<float>.Count; j += Vector512<float>.Count)
            {
                (Vector512<double> lower, Vector512<double> upper) = Vector512.Widen(Vector512.LoadUnsafe(ref x, (nuint)j));
                (Vector512.LoadUnsafe(ref s, (nuint)j) + lower).StoreUnsafe(ref s, (nuint)j);
                (Vector512.LoadUnsafe(ref s, (nuint)(j + 8)) + upper).StoreUnsafe(ref s, (nuint)(j + 8));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= values.Length - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)j));
                (Vector256.LoadUnsafe(ref s, (nuint)j) + lower).StoreUnsafe(ref s, (nuint)j);
                (Vector256.LoadUnsafe(ref s, (nuint)(j + 4)) + upper).StoreUnsafe(ref s, (nuint)(j + 4));
            }
        }
        for (; j < values.Length; j++)
            Unsafe.Add(ref s, j) += Unsafe.Add(ref x, j);
    }
}
