using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KMeans.Bench;

/// <summary>
/// The machine's own ceiling for the kernel's instruction mix: fused multiply-adds of the width the kernel runs
/// (512-bit on 24 independent register accumulators with AVX-512, 256-bit on 12 with AVX2, the kernel's own counts), no
/// memory traffic. The kernel's GFLOP/s read as a share of this figure (not of a published sgemm number, which may
/// come from another CPU generation).
/// </summary>
internal static class PeakFlops
{
    private const long Rounds = 20_000_000;

    public static bool IsAvailable => Avx512F.IsSupported || Fma.IsSupported;

    /// <summary>The width of the loop that <see cref="Measure"/> runs, as the kernel's tiles are named.</summary>
    public static string Width => Avx512F.IsSupported ? "512-bit" : "256-bit";

    /// <summary>
    /// GFLOP/s of <paramref name="threads"/> threads each running the FMA loop at once: the sum of each thread's rate
    /// over its own loop, the threads released together, so that a thread the pool starts late does not count as slow.
    /// </summary>
    public static double Measure(int threads)
    {
        Func<long, float> loop = Avx512F.IsSupported ? Loop512 : Loop256;
        long flopsPerRound = Avx512F.IsSupported ? 24 * Vector512<float>.Count * 2 : 12 * Vector256<float>.Count * 2;
        loop(1000);
        var start = new Barrier(threads);
        var seconds = new double[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, thread =>
        {
            start.SignalAndWait();
            long begin = Stopwatch.GetTimestamp();
            loop(Rounds);
            seconds[thread] = Stopwatch.GetElapsedTime(begin).TotalSeconds;
        });
        return seconds.Sum(s => Rounds * flopsPerRound / s) / 1e9;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static float Loop512(long rounds)
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static float Loop256(long rounds)
    {
        Vector256<float> b = Vector256.Create(0.999f), c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector256<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long r = 0; r < rounds; r++)
        {
            a0 = Fma.MultiplyAdd(a0, b, c); a1 = Fma.MultiplyAdd(a1, b, c);
            a2 = Fma.MultiplyAdd(a2, b, c); a3 = Fma.MultiplyAdd(a3, b, c);
            a4 = Fma.MultiplyAdd(a4, b, c); a5 = Fma.MultiplyAdd(a5, b, c);
            a6 = Fma.MultiplyAdd(a6, b, c); a7 = Fma.MultiplyAdd(a7, b, c);
            a8 = Fma.MultiplyAdd(a8, b, c); a9 = Fma.MultiplyAdd(a9, b, c);
            a10 = Fma.MultiplyAdd(a10, b, c); a11 = Fma.MultiplyAdd(a11, b, c);
        }
        // Summing every accumulator keeps the JIT from discarding any of the chains.
        Vector256<float> sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return Vector256.Sum(sum);
    }
}
