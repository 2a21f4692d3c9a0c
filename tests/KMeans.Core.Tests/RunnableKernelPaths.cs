using KMeans.Core.Distance;

namespace KMeans.Core.Tests;

/// <summary>The kernel paths this machine can run: the portable one always, the vector ones its CPU supports.</summary>
internal static class RunnableKernelPaths
{
    public static IEnumerable<KernelPath> All()
    {
        yield return KernelPath.Portable;
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported)
            yield return KernelPath.Avx2;
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            yield return KernelPath.Avx512;
    }
}
