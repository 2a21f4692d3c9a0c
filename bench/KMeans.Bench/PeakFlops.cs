using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KMeans.Bench;

/// <summary>
/// The machine's own ceiling for the kernel's instruction mix: 512-bit FMAs on 24 independent register accumulators,
/// no memory traffic. The kernel's GFLOP/s read as a share of this figure (not of a published sgemm number, which
/// may come from another CPU generation).
/// </summary>
internal static class PeakFlops
{
    private const int Accumulators = 24;
    private const long Rounds = 20_000_000;

    public static bool IsAvailable => Avx512F.IsSupported;

    /// <summary>GFLOP/s of <paramref name="threads"/> threads each running the FMA loop at once.</summary>
    public static double Measure(int threads)
    {
        Loop(1000);
        var watch = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => Loop(Rounds));
        double seconds = watch.Elapsed.TotalSeconds;
        return threads * Rounds * Accumulators * Vector512<float>.Count * 2.0 / seconds / 1e9;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static float Loop(long rounds)
    {
        Vector512<float> b = Vector512.Create(0.999f), c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector512<float> a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        Vector512<float> a16 = a0, a17 = a0, a18 = a0, a19 = a0, a20 = a0, a21 = a0, a22 = a0, a23 = a0;
        for (long r = 0; r < rounds; r++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, b, c); a1 = Avx512F.FusedMultiplyAdd(a1, b, c);
            a2 = Avx512F.FusedMultiplyAdd(a2, b, c); a3 = Avx512F.FusedMultiplyAdd(a3, b, c);
            a4 = Avx512F.FusedMultiplyAdd(a4, b, c); a5 = Avx512F.FusedMultiplyAdd(a5, b, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, b, c); a7 = Avx512F.FusedMultiplyAdd(a7, b, c);
            a8 = Avx512F.FusedMultiplyAdd(a8, b, c); a9 = Avx512F.FusedMultiplyAdd(a9, b, c);
            a10 = Avx512F.FusedMultiplyAdd(a10, b, c); a11 = Avx512F.FusedMultiplyAdd(a11, b, c);
            a12 = Avx512F.FusedMultiplyAdd(a12, b, c); a13 = Avx512F.FusedMultiplyAdd(a13, b, c);
            a14 = Avx512F.FusedMultiplyAdd(a14, b, c); a15 = Avx512F.FusedMultiplyAdd(a15, b, c);
            a16 = Avx512F.FusedMultiplyAdd(a16, b, c); a17 = Avx512F.FusedMultiplyAdd(a17, b, c);
            a18 = Avx512F.FusedMultiplyAdd(a18, b, c); a19 = Avx512F.FusedMultiplyAdd(a19, b, c);
            a20 = Avx512F.FusedMultiplyAdd(a20, b, c); a21 = Avx512F.FusedMultiplyAdd(a21, b, c);
            a22 = Avx512F.FusedMultiplyAdd(a22, b, c); a23 = Avx512F.FusedMultiplyAdd(a23, b, c);
        }
        // Summing every accumulator keeps the JIT from discarding any of the chains.
        Vector512<float> sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15
                               + a16 + a17 + a18 + a19 + a20 + a21 + a22 + a23;
        return Vector512.Sum(sum);
    }
}
