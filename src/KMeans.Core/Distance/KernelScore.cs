using System.Numerics.Tensors;

namespace KMeans.Core.Distance;

/// <summary>
/// The score ‖c‖² − 2·x·c that <see cref="AssignmentKernel.Assign"/> gives one (row, centroid) pair, bit for bit, at
/// O(d) cost: rows whose label is kept without running the kernel still need it for their loss.
/// </summary>
internal static class KernelScore
{
    /// <summary>Whether <see cref="AssignmentKernel.Assign"/> takes a register-blocked (AVX-512 or AVX2) path.</summary>
    public static bool KernelIsTiled => AssignmentKernel.UsesAvx512 || AssignmentKernel.UsesAvx2;

    /// <summary>
    /// <paramref name="row"/> must be the same memory the kernel read (the buffer row, not a copy) when the kernel is
    /// not tiled: its dot product then comes from <see cref="TensorPrimitives.Dot{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>,
    /// whose summation order follows the address of its first argument.
    /// </summary>
    public static float Of(ReadOnlySpan<float> row, PackedCentroids centroids, int centroid)
    {
        int d = centroids.Dimension;
        ReadOnlySpan<float> plain = centroids.Plain.AsSpan(centroid * d, d);
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
    internal static float Tiled(ReadOnlySpan<float> row, ReadOnlySpan<float> centroid, float norm)
    {
        float dot = 0f;
        for (int j = 0; j < row.Length; j++)
            dot = MathF.FusedMultiplyAdd(row[j], centroid[j], dot);
        return MathF.FusedMultiplyAdd(dot, -2f, norm);
    }

    internal static float Portable(ReadOnlySpan<float> row, ReadOnlySpan<float> centroid, float norm) =>
        norm - 2f * TensorPrimitives.Dot(row, centroid);
}
