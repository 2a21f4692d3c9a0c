using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using KMeans.Core.Distance;

namespace KMeans.Core.Sampling;

/// <summary>
/// The in-place fast Walsh–Hadamard transform (unnormalised, Sylvester order) of a power-of-two length: log2 n levels
/// of butterflies (a, b) → (a + b, a − b). Each output is the same sequence of exactly rounded additions whichever path
/// computes it: a vector lane adds the same two floats as the scalar loop, and ±v + w is computed as one rounding.
/// </summary>
/// <remarks>
/// The vector paths do three levels per read of the values (eight vectors in registers; the first pass also does the
/// levels inside each vector, so with 16 lanes the levels 1 to 64 of a block of 128 are done in one read), so a
/// 1,024-value transform reads and writes its values two or three times instead of ten. Every value still goes through
/// the levels in ascending order, so the order of roundings is the scalar loop's. Both widths share the pass code
/// through a lane-width struct: the JIT compiles them once per width, with that width's members inlined.
/// </remarks>
internal static class WalshHadamard
{
    /// <summary>On the widest path this machine runs: 16 lanes with AVX-512, 8 with AVX2, else the scalar loop.</summary>
    public static void Transform(Span<float> values) =>
        Transform(values, Avx512F.IsSupported ? KernelPath.Avx512 : Avx2.IsSupported ? KernelPath.Avx2 : KernelPath.Portable);

    /// <summary>On <paramref name="path"/>, which this machine must support (tests run each one it has).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transform(Span<float> values, KernelPath path)
    {
        int n = values.Length;
        if (n == 0 || (n & (n - 1)) != 0)
            throw new ArgumentException($"The length must be a power of two, not {n}.", nameof(values));
        ref float x = ref MemoryMarshal.GetReference(values);
        if (path == KernelPath.Avx512 && n >= Lanes16.Count)
            Vectorised<Lanes16, Vector512<float>>(ref x, n);
        else if (path == KernelPath.Avx2 && n >= Lanes8.Count)
            Vectorised<Lanes8, Vector256<float>>(ref x, n);
        else
            Scalar(ref x, n);
    }

    private static void Scalar(ref float x, int n)
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
    }

    // The pass methods are compiled fully optimised from their first call, the lane members inlined: they are too
    // large to inline into Transform, and at tier 0 each lane member would be a call (a probe's first 16,384
    // projections ran at 13 µs a row against 1.1 once optimised).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vectorised<TLanes, TVector>(ref float x, int n)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        int level = TLanes.Count;
        if (n >= 8 * level)
        {
            ThreeLevels<TLanes, TVector>(ref x, n, level, withinVectors: true);
            level *= 8;
        }
        else
        {
            for (int i = 0; i < n; i += TLanes.Count)
                TLanes.Store(TLanes.WithinVector(TLanes.Load(ref x, (nuint)i)), ref x, (nuint)i);
        }
        // level ≤ n / 8, not 8 · level ≤ n, which overflows from n = 2²⁸ on.
        for (; level <= n / 8; level *= 8)
            ThreeLevels<TLanes, TVector>(ref x, n, level, withinVectors: false);
        for (; level < n; level *= 2)
            OneLevel<TLanes, TVector>(ref x, n, level);
    }

    /// <summary>
    /// Levels h, 2h and 4h (h a multiple of the lane count), eight vectors at a time: values i + j·h for j = 0 … 7,
    /// where level 2ˡ·h pairs j with j XOR 2ˡ. With <paramref name="withinVectors"/> (h = the lane count) each vector
    /// first gets the levels inside it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ThreeLevels<TLanes, TVector>(ref float x, int n, int h, bool withinVectors)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        for (int start = 0; start < n; start += 8 * h)
        {
            for (int i = start; i < start + h; i += TLanes.Count)
            {
                ref float first = ref Unsafe.Add(ref x, i);
                TVector a0 = TLanes.Load(ref first, 0);
                TVector a1 = TLanes.Load(ref first, (nuint)h);
                TVector a2 = TLanes.Load(ref first, (nuint)(2 * h));
                TVector a3 = TLanes.Load(ref first, (nuint)(3 * h));
                TVector a4 = TLanes.Load(ref first, (nuint)(4 * h));
                TVector a5 = TLanes.Load(ref first, (nuint)(5 * h));
                TVector a6 = TLanes.Load(ref first, (nuint)(6 * h));
                TVector a7 = TLanes.Load(ref first, (nuint)(7 * h));
                if (withinVectors)
                {
                    a0 = TLanes.WithinVector(a0);
                    a1 = TLanes.WithinVector(a1);
                    a2 = TLanes.WithinVector(a2);
                    a3 = TLanes.WithinVector(a3);
                    a4 = TLanes.WithinVector(a4);
                    a5 = TLanes.WithinVector(a5);
                    a6 = TLanes.WithinVector(a6);
                    a7 = TLanes.WithinVector(a7);
                }
                (a0, a1) = (TLanes.Add(a0, a1), TLanes.Subtract(a0, a1));
                (a2, a3) = (TLanes.Add(a2, a3), TLanes.Subtract(a2, a3));
                (a4, a5) = (TLanes.Add(a4, a5), TLanes.Subtract(a4, a5));
                (a6, a7) = (TLanes.Add(a6, a7), TLanes.Subtract(a6, a7));
                (a0, a2) = (TLanes.Add(a0, a2), TLanes.Subtract(a0, a2));
                (a1, a3) = (TLanes.Add(a1, a3), TLanes.Subtract(a1, a3));
                (a4, a6) = (TLanes.Add(a4, a6), TLanes.Subtract(a4, a6));
                (a5, a7) = (TLanes.Add(a5, a7), TLanes.Subtract(a5, a7));
                TLanes.Store(TLanes.Add(a0, a4), ref first, 0);
                TLanes.Store(TLanes.Add(a1, a5), ref first, (nuint)h);
                TLanes.Store(TLanes.Add(a2, a6), ref first, (nuint)(2 * h));
                TLanes.Store(TLanes.Add(a3, a7), ref first, (nuint)(3 * h));
                TLanes.Store(TLanes.Subtract(a0, a4), ref first, (nuint)(4 * h));
                TLanes.Store(TLanes.Subtract(a1, a5), ref first, (nuint)(5 * h));
                TLanes.Store(TLanes.Subtract(a2, a6), ref first, (nuint)(6 * h));
                TLanes.Store(TLanes.Subtract(a3, a7), ref first, (nuint)(7 * h));
            }
        }
    }

    /// <summary>Level h (a multiple of the lane count) on its own: the one or two levels the three-level passes leave.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneLevel<TLanes, TVector>(ref float x, int n, int h)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        for (int start = 0; start < n; start += 2 * h)
        {
            for (int i = start; i < start + h; i += TLanes.Count)
            {
                TVector a = TLanes.Load(ref x, (nuint)i);
                TVector b = TLanes.Load(ref x, (nuint)(i + h));
                TLanes.Store(TLanes.Add(a, b), ref x, (nuint)i);
                TLanes.Store(TLanes.Subtract(a, b), ref x, (nuint)(i + h));
            }
        }
    }

    /// <summary>A vector width: its loads, stores and butterflies, and the levels 1 … Count / 2 inside one vector.</summary>
    private interface ILanes<TVector>
        where TVector : struct
    {
        static abstract int Count { get; }

        static abstract TVector Load(ref float source, nuint offset);

        static abstract void Store(TVector value, ref float destination, nuint offset);

        static abstract TVector Add(TVector a, TVector b);

        static abstract TVector Subtract(TVector a, TVector b);

        /// <summary>Lane i becomes partner + (bit h of i set ? −v : v) for each level h inside the vector, where the partner is lane i XOR h.</summary>
        static abstract TVector WithinVector(TVector v);
    }

    private readonly struct Lanes16 : ILanes<Vector512<float>>
    {
        public static int Count => Vector512<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<float> value, ref float destination, nuint offset) =>
            value.StoreUnsafe(ref destination, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> WithinVector(Vector512<float> v)
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

    private readonly struct Lanes8 : ILanes<Vector256<float>>
    {
        public static int Count => Vector256<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<float> value, ref float destination, nuint offset) =>
            value.StoreUnsafe(ref destination, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> WithinVector(Vector256<float> v)
        {
            v = Level(v, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6), Vector256.Create(1f, -1, 1, -1, 1, -1, 1, -1));
            v = Level(v, Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5), Vector256.Create(1f, 1, -1, -1, 1, 1, -1, -1));
            return Level(v, Vector256.Create(4, 5, 6, 7, 0, 1, 2, 3), Vector256.Create(1f, 1, 1, 1, -1, -1, -1, -1));
        }

        /// <summary>One level inside a vector: the lower lane of a pair gets b + a, the upper a + (−b).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Level(Vector256<float> v, Vector256<int> partners, Vector256<float> signs) =>
            Avx2.PermuteVar8x32(v, partners) + v * signs;
    }
}
