using System.Runtime.InteropServices;

namespace KMeans.Core.Buffers;

/// <summary>
/// madvise(2) hints for the sample's memory on Linux: the mapped sample is read in one sequential order every pass, so
/// the kernel may read ahead aggressively and drop pages behind; the in-memory sample's pages may be faulted in ahead
/// of the writes. Elsewhere, and if the call fails (MADV_POPULATE_WRITE needs Linux 5.14), the hints are skipped: they
/// only tune.
/// </summary>
internal static unsafe partial class MemoryAdvice
{
    private const int MadvSequential = 2;
    private const int MadvWillNeed = 3;
    private const int MadvPopulateWrite = 23;
    private const long PageSize = 4096;

    public static void Sequential(byte* address, long length) => Advise(address, length, MadvSequential);

    public static void WillNeed(byte* address, long length) => Advise(address, length, MadvWillNeed);

    /// <summary>
    /// Faults the range in as a write would, without writing: its contents stay as they are, so it may run while
    /// another thread writes into the range.
    /// </summary>
    public static void PopulateWrite(byte* address, long length) => Advise(address, length, MadvPopulateWrite);

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
