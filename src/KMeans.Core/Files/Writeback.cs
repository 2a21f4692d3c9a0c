using System.Runtime.InteropServices;

namespace KMeans.Core.Files;

/// <summary>
/// sync_file_range(2) on Linux: starts writing a range of a file to disk without waiting for it, so that a writer
/// that goes on producing lets the disk work meanwhile, and the fsync of an atomic commit waits only for the tail.
/// Elsewhere, and if the call fails, nothing happens: the commit's fsync still makes the file durable.
/// </summary>
internal static partial class Writeback
{
    private const uint SyncFileRangeWrite = 2;

    /// <summary>Flushes <paramref name="stream"/>'s buffer to the system, then starts writing [offset, offset + count) to disk.</summary>
    public static void Start(FileStream stream, long offset, long count)
    {
        if (!OperatingSystem.IsLinux() || count <= 0)
            return;
        stream.Flush(flushToDisk: false);
        bool added = false;
        try
        {
            stream.SafeFileHandle.DangerousAddRef(ref added);
            _ = sync_file_range((int)stream.SafeFileHandle.DangerousGetHandle(), offset, count, SyncFileRangeWrite);
        }
        finally
        {
            if (added)
                stream.SafeFileHandle.DangerousRelease();
        }
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial int sync_file_range(int fileDescriptor, long offset, long count, uint flags);
}
