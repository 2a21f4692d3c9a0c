using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KMeans.Core.Distance;

/// <summary>
/// The score ‖c‖² − 2·x·c that <see cref="AssignmentKernel.Assign"/> gives one (row, centroid) pair, bit for bit, at
/// O(d) cost: rows whose label is kept without running the kernel still need it for their loss.
/// </summary>
internal static class KernelScore
{
    /// <summary>Whether <see cref="AssignmentKernel.Assign"/> takes a register-blocked (AVX-512 or AVX2) path.</summary>
    public static bool KernelIsTiled => AssignmentKernel.UsesAvx512 || AssignmentKernel.UsesAvx2;

    /// <summary>The score of <paramref name="row"/> against one centroid, by the arithmetic of the kernel's path.</summary>
    public static float Of(ReadOnlySpan<float> row, PackedCentroids centroids, int centroid)
    {
        int d = centroids.Dimension;
        Span<float> plain = centroids.HasOffset ? new float[d] : centroids.Plain.Slice(centroid * d, d);
        if (centroids.HasOffset)
        {
            centroids.CopyScored(centroid, plain);
            row = centroids.RowsRelative(row, 1);
        }
        unsafe
        {
            float norm = centroids.Norms[centroid];
            return KernelIsTiled ? Tiled(row, plain, norm) : Portable(row, plain, norm);
        }
    }

    /// <summary>
    /// Both tiled paths keep one accumulator per pair, start it at 0, add x_j·c_j with one fused multiply-add per
    /// dimension in order, then fuse −2·dot + ‖c‖²; IEEE fused multiply-add rounds the same in a lane as in a scalar.
    /// </summary>
    // Fully optimized from the first call, as the assignment's per-row methods that call these: a fresh process ran
    // TiledFour at tier 0, each multiply-add a call (a Cosine training's first 5 iterations: a tenth of the samples).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float Tiled(ReadOnlySpan<float> row, ReadOnlySpan<float> centroid, float norm)
    {
        float dot = 0f;
        for (int j = 0; j < row.Length; j++)
            dot = MathF.FusedMultiplyAdd(row[j], centroid[j], dot);
        return MathF.FusedMultiplyAdd(dot, -2f, norm);
    }

    /// <summary>
    /// <see cref="Tiled"/> for four pairs at once: <paramref name="rows"/> and <paramref name="centroids"/> hold four
    /// rows of <paramref name="dimension"/> values each. Each pair keeps its own chain in the same order, so every
    /// score is bit-identical to <see cref="Tiled"/>; four independent chains let the multiply-adds overlap instead of
    /// each waiting for the last.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TiledFour(ReadOnlySpan<float> rows, ReadOnlySpan<float> centroids, ReadOnlySpan<float> norms,
        Span<float> scores, int dimension)
    {
        if (rows.Length < 4 * dimension || centroids.Length < 4 * dimension || norms.Length < 4 || scores.Length < 4)
            throw new ArgumentException("TiledFour needs four rows, four centroids, four norms and room for four scores.");
        ref float x = ref MemoryMarshal.GetReference(rows);
        ref float c = ref MemoryMarshal.GetReference(centroids);
        float dot0 = 0f, dot1 = 0f, dot2 = 0f, dot3 = 0f;
        for (int j = 0; j < dimension; j++)
        {
            dot0 = MathF.FusedMultiplyAdd(Unsafe.Add(ref x, j), Unsafe.Add(ref c, j), dot0);
            dot1 = MathF.FusedMultiplyAdd(Unsafe.Add(ref x, dimension + j), Unsafe.Add(ref c, dimension + j), dot1);
            dot2 = MathF.FusedMultiplyAdd(Unsafe.Add(ref x, 2 * dimension + j), Unsafe.Add(ref c, 2 * dimension + j), dot2);
            dot3 = MathF.FusedMultiplyAdd(Unsafe.Add(ref x, 3 * dimension + j), Unsafe.Add(ref c, 3 * dimension + j), dot3);
        }
        scores[0] = MathF.FusedMultiplyAdd(dot0, -2f, norms[0]);
        scores[1] = MathF.FusedMultiplyAdd(dot1, -2f, norms[1]);
        scores[2] = MathF.FusedMultiplyAdd(dot2, -2f, norms[2]);
        scores[3] = MathF.FusedMultiplyAdd(dot3, -2f, norms[3]);
    }

    internal static float Portable(ReadOnlySpan<float> row, ReadOnlySpan<float> centroid, float norm) =>
        norm - 2f * OrderedDot.Of(row, centroid);
}
