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
/// <remarks>
/// The vector path does three levels per read of the values (eight vectors in registers, the first seven levels, 1 to
/// 64, of a block of 128 in one read), so a 1,024-value transform reads and writes its values twice instead of seven
/// times. Every value still goes through the levels in ascending order, so the order of roundings is the scalar loop's.
/// </remarks>
internal static class WalshHadamard
{
    private const int Lanes = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transform(Span<float> values)
    {
        int n = values.Length;
        if (n == 0 || (n & (n - 1)) != 0)
            throw new ArgumentException($"The length must be a power of two, not {n}.", nameof(values));
        ref float x = ref MemoryMarshal.GetReference(values);
        if (!Avx512F.IsSupported || n < Lanes)
        {
            for (int h = 1; h < n; h *= 2)
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
            return;
        }
        int level = Lanes;
        if (n >= 8 * Lanes)
        {
            ThreeLevels(ref x, n, level, withinVectors: true);
            level *= 8;
        }
        else
        {
            for (int i = 0; i < n; i += Lanes)
                WithinVector(Vector512.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref x, (nuint)i);
        }
        // level ≤ n / 8, not 8 · level ≤ n, which overflows from n = 2²⁸ on.
        for (; level <= n / 8; level *= 8)
            ThreeLevels(ref x, n, level, withinVectors: false);
        for (; level < n; level *= 2)
            OneLevel(ref x, n, level);
    }

    /// <summary>
    /// Levels h, 2h and 4h (h a multiple of 16), eight vectors at a time: values i + j·h for j = 0 … 7, where level
    /// 2ˡ·h pairs j with j XOR 2ˡ. With <paramref name="withinVectors"/> (h = 16) each vector first gets levels 1 … 8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ThreeLevels(ref float x, int n, int h, bool withinVectors)
    {
        for (int start = 0; start < n; start += 8 * h)
        {
            for (int i = start; i < start + h; i += Lanes)
            {
                ref float first = ref Unsafe.Add(ref x, i);
                Vector512<float> a0 = Vector512.LoadUnsafe(ref first);
                Vector512<float> a1 = Vector512.LoadUnsafe(ref first, (nuint)h);
                Vector512<float> a2 = Vector512.LoadUnsafe(ref first, (nuint)(2 * h));
                Vector512<float> a3 = Vector512.LoadUnsafe(ref first, (nuint)(3 * h));
                Vector512<float> a4 = Vector512.LoadUnsafe(ref first, (nuint)(4 * h));
                Vector512<float> a5 = Vector512.LoadUnsafe(ref first, (nuint)(5 * h));
                Vector512<float> a6 = Vector512.LoadUnsafe(ref first, (nuint)(6 * h));
                Vector512<float> a7 = Vector512.LoadUnsafe(ref first, (nuint)(7 * h));
                if (withinVectors)
                {
                    a0 = WithinVector(a0);
                    a1 = WithinVector(a1);
                    a2 = WithinVector(a2);
                    a3 = WithinVector(a3);
                    a4 = WithinVector(a4);
                    a5 = WithinVector(a5);
                    a6 = WithinVector(a6);
                    a7 = WithinVector(a7);
                }
                (a0, a1) = (a0 + a1, a0 - a1);
                (a2, a3) = (a2 + a3, a2 - a3);
                (a4, a5) = (a4 + a5, a4 - a5);
                (a6, a7) = (a6 + a7, a6 - a7);
                (a0, a2) = (a0 + a2, a0 - a2);
                (a1, a3) = (a1 + a3, a1 - a3);
                (a4, a6) = (a4 + a6, a4 - a6);
                (a5, a7) = (a5 + a7, a5 - a7);
                (a0 + a4).StoreUnsafe(ref first);
                (a1 + a5).StoreUnsafe(ref first, (nuint)h);
                (a2 + a6).StoreUnsafe(ref first, (nuint)(2 * h));
                (a3 + a7).StoreUnsafe(ref first, (nuint)(3 * h));
                (a0 - a4).StoreUnsafe(ref first, (nuint)(4 * h));
                (a1 - a5).StoreUnsafe(ref first, (nuint)(5 * h));
                (a2 - a6).StoreUnsafe(ref first, (nuint)(6 * h));
                (a3 - a7).StoreUnsafe(ref first, (nuint)(7 * h));
            }
        }
    }

    /// <summary>Level h (a multiple of 16) on its own: the one or two levels that remain after the three-level passes.</summary>
    private static void OneLevel(ref float x, int n, int h)
    {
        for (int start = 0; start < n; start += 2 * h)
        {
            for (int i = start; i < start + h; i += Lanes)
            {
                Vector512<float> a = Vector512.LoadUnsafe(ref x, (nuint)i);
                Vector512<float> b = Vector512.LoadUnsafe(ref x, (nuint)(i + h));
                (a + b).StoreUnsafe(ref x, (nuint)i);
                (a - b).StoreUnsafe(ref x, (nuint)(i + h));
            }
        }
    }

    /// <summary>
    /// Levels 1, 2, 4 and 8 inside one 16-lane vector: lane i becomes partner + (bit h of i set ? −v : v), where the
    /// partner is lane i XOR h.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> WithinVector(Vector512<float> v)
    {
        v = Level(v, Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14),
            Vector512.Create(1f, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1));
        v = Level(v, Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13),
            Vector512.Create(1f, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1));
        v = Level(v, Vector512.Create(4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11),
            Vector512.Create(1f, 1, 1, 1, -1, -1, -1, -1, 1, 1, 1, 1, -1, -1, -1, -1));
        return Level(v, Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7),
            Vector512.Create(1f, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1));
    }

    /// <summary>One level inside a vector: the lower lane of a pair gets b + a, the upper a + (−b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Level(Vector512<float> v, Vector512<int> partners, Vector512<float> signs) =>
        Avx512F.PermuteVar16x32(v, partners) + v * signs;
}
