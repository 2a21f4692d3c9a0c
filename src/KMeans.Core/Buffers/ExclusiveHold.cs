namespace KMeans.Core.Buffers;

/// <summary>
/// Whether a running process holds a file: the module's writers and the on-disk sample keep their files open without
/// sharing, which is an exclusive lock (flock on Linux and macOS, a share mode on Windows) that ends with the process,
/// so a file nobody can open without sharing belongs to work still under way, and any other is a leftover.
/// </summary>
internal static class ExclusiveHold
{
    /// <summary>
    /// Deletes a leftover; best effort, since another user's file in a shared directory may not be ours to delete and
    /// cleaning up after another process must never stop the work at hand.
    /// </summary>
    public static void DeleteUnlessHeld(string path)
    {
        if (!IsPlainFile(path) || IsHeld(path))
            return;
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Only a regular file, not a link, is probed: opening a FIFO waits for a writer, so one named like a leftover in
    /// a shared directory (a review's mkfifo in /tmp) stalled every on-disk training there. Where statx cannot tell
    /// the file's type (Windows, which has no FIFOs among files; macOS) a file that is no link is taken as regular.
    /// </summary>
    private static bool IsPlainFile(string path) => UnixFileStatus.Of(path) is { } status
        ? status.Type == UnixFileType.Regular
        : new FileInfo(path).LinkTarget is null;

    private static bool IsHeld(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }
}
