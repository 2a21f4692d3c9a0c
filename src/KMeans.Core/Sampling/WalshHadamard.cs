using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KMeans.Core.Sampling;

/// <summary>
/// The in-place fast Walsh–Hadamard transform (unnormalised, Sylvester order) of a power-of-two length: log2 n levels
/// of butterflies (a, b) → (a + b, a − b). Each output is the same sequence of exactly rounded additions whichever path
/// computes it: a vector lane adds the same two floats as the scalar loop, and ±v + w is computed as one rounding.
/// </summary>
internal static class WalshHadamard
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transform(Span<float> values)
    {
        int n = values.Length;
        if (n == 0 || (n & (n - 1)) != 0)
            throw new ArgumentException($"The length must be a power of two, not {n}.", nameof(values));
        ref float x = ref MemoryMarshal.GetReference(values);
        int h = 1;
        if (Avx512F.IsSupported && n >= Vector512<float>.Count)
        {
            // Levels 1, 2, 4, 8 inside each 16-lane vector: lane i becomes partner + (bit h of i set ? −v : v), where the
            // partner is lane i XOR h.
            for (int i = 0; i < n; i += Vector512<float>.Count)
            {
                Vector512<float> v = Vector512.LoadUnsafe(ref x, (nuint)i);
                v = Level(v, Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14),
                    Vector512.Create(1f, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1));
                v = Level(v, Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13),
                    Vector512.Create(1f, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1));
                v = Level(v, Vector512.Create(4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11),
                    Vector512.Create(1f, 1, 1, 1, -1, -1, -1, -1, 1, 1, 1, 1, -1, -1, -1, -1));
                v = Level(v, Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7),
                    Vector512.Create(1f, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1));
                v.StoreUnsafe(ref x, (nuint)i);
            }
            h = Vector512<float>.Count;
            for (; h < n; h *= 2)
            {
                for (int start = 0; start < n; start += 2 * h)
                {
                    for (int i = start; i < start + h; i += Vector512<float>.Count)
                    {
                        Vector512<float> a = Vector512.LoadUnsafe(ref x, (nuint)i);
                        Vector512<float> b = Vector512.LoadUnsafe(ref x, (nuint)(i + h));
                        (a + b).StoreUnsafe(ref x, (nuint)i);
                        (a - b).StoreUnsafe(ref x, (nuint)(i + h));
                    }
                }
            }
            return;
        }
        for (; h < n; h *= 2)
        {
            for (int start = 0; start < n; start += 2 * h)
            {
                for (int i = start; i < start + h; i++)
                {
                    float a = Unsafe.Add(ref x, i);
                    float b = Unsafe.Add(ref x, i + h);
                    Unsafe.Add(ref x, i) = a + b;
                    Unsafe.Add(ref x, i + h) = a - b;
                }
            }
        }
    }

    /// <summary>One level inside a vector: the lower lane of a pair gets b + a, the upper a + (−b).</summary>
    private static Vector512<float> Level(Vector512<float> v, Vector512<int> partners, Vector512<float> signs) =>
        Avx512F.PermuteVar16x32(v, partners) + v * signs;
}
