using System.Runtime.InteropServices;

namespace KMeans.Core.Buffers;

/// <summary>
/// madvise(2) hints for the mapped sample on Linux: every pass reads it in one sequential order, so the kernel may read
/// ahead aggressively and drop pages behind. Elsewhere, and if the call fails, the hints are skipped: they only tune.
/// </summary>
internal static unsafe partial class MemoryAdvice
{
    private const int MadvSequential = 2;
    private const int MadvWillNeed = 3;
    private const long PageSize = 4096;

    public static void Sequential(byte* address, long length) => Advise(address, length, MadvSequential);

    public static void WillNeed(byte* address, long length) => Advise(address, length, MadvWillNeed);

    private static void Advise(byte* address, long length, int advice)
    {
        if (!OperatingSystem.IsLinux() || length <= 0)
            return;
        long start = (long)address & ~(PageSize - 1);
        long end = (long)address + length;
        _ = madvise((void*)start, (nuint)(end - start), advice);
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial int madvise(void* address, nuint length, int advice);
}
