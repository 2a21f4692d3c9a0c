using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KMeans.Core.Distance;

/// <summary>
/// A dot product whose summation order depends only on the length, never on where the vectors lie in memory:
/// TensorPrimitives.Dot aligns its loads to the address, so the same row read from a training buffer and from a
/// caller's array could round differently and, on a near-tie, get another label. The portable kernel (machines
/// without AVX2, such as ARM) uses this one, so assignment reproduces training there too.
/// </summary>
internal static class OrderedDot
{
    public static float Of(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"The vectors have {x.Length} and {y.Length} values.", nameof(y));
        ref float a = ref MemoryMarshal.GetReference(x);
        ref float b = ref MemoryMarshal.GetReference(y);
        int n = x.Length;
        int j = 0;
        Vector128<float> s0 = Vector128<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        for (; j <= n - 16; j += 16)
        {
            s0 += Vector128.LoadUnsafe(ref a, (nuint)j) * Vector128.LoadUnsafe(ref b, (nuint)j);
            s1 += Vector128.LoadUnsafe(ref a, (nuint)(j + 4)) * Vector128.LoadUnsafe(ref b, (nuint)(j + 4));
            s2 += Vector128.LoadUnsafe(ref a, (nuint)(j + 8)) * Vector128.LoadUnsafe(ref b, (nuint)(j + 8));
            s3 += Vector128.LoadUnsafe(ref a, (nuint)(j + 12)) * Vector128.LoadUnsafe(ref b, (nuint)(j + 12));
        }
        Vector128<float> s = (s0 + s1) + (s2 + s3);
        float sum = (s.GetElement(0) + s.GetElement(1)) + (s.GetElement(2) + s.GetElement(3));
        for (; j < n; j++)
            sum += x[j] * y[j];
        return sum;
    }
}
