using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KMeans.Bench;

/// <summary>Drops one file's clean pages from the page cache (posix_fadvise DONTNEED), so the next read comes from disk.</summary>
internal static partial class PageCache
{
    private const int PosixFadviseDontNeed = 4;

    public static void Drop(SafeFileHandle file)
    {
        int error = PosixFadvise(file, 0, 0, PosixFadviseDontNeed);
        if (error != 0)
            throw new IOException($"posix_fadvise(DONTNEED) failed with error {error}.");
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(SafeFileHandle fd, long offset, long length, int advice);
}
