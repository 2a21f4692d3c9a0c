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
        if (IsHeld(path))
            return;
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

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
