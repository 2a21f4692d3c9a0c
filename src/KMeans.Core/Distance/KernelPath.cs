namespace KMeans.Core.Distance;

/// <summary>
/// The arithmetic that scores (row, centroid) pairs: AVX-512 tiles, AVX2 tiles, or the portable loop. The machine picks
/// the fastest it has (<see cref="KernelPaths.Machine"/>); tests pick each one the machine can run.
/// </summary>
internal enum KernelPath
{
    Portable,
    Avx2,
    Avx512,
}

internal static class KernelPaths
{
    public static KernelPath Machine =>
        AssignmentKernel.UsesAvx512 ? KernelPath.Avx512 : AssignmentKernel.UsesAvx2 ? KernelPath.Avx2 : KernelPath.Portable;

    /// <summary>The single-nearest kernel on <paramref name="path"/>.</summary>
    public static void Assign(KernelPath path, ReadOnlySpan<float> rows, int count, PackedCentroids centroids,
        Span<int> labels, Span<float> scores, AssignmentKernel.Scratch scratch)
    {
        if (path == KernelPath.Portable)
            AssignmentKernel.AssignPortable(rows, count, centroids, labels, scores);
        else
            AssignmentKernel.AssignTiled(rows, count, centroids, labels, scores, scratch, wide: path == KernelPath.Avx512);
    }
}
