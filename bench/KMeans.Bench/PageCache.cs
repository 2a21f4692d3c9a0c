using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KMeans.Bench;

/// <summary>
/// Drops one file's pages from the page cache, so the next read comes from disk. posix_fadvise(DONTNEED) skips dirty
/// pages, and a file the bench has just written is still dirty, so it is flushed (fdatasync) first.
/// </summary>
internal static partial class PageCache
{
    private const int PosixFadviseDontNeed = 4;

    public static void Drop(SafeFileHandle file, string path)
    {
        if (FileDataSync(file) != 0)
            throw new IOException($"fdatasync({path}) failed with error {Marshal.GetLastPInvokeError()}.");
        int error = PosixFadvise(file, 0, 0, PosixFadviseDontNeed);
        if (error != 0)
            throw new IOException($"posix_fadvise({path}, DONTNEED) failed with error {error}.");
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FileDataSync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(SafeFileHandle fd, long offset, long length, int advice);
}
