namespace KMeans.Core.Planning;

/// <summary>
/// Whether this user can create a file in a directory, found by creating one: permission bits do not stop root, ACLs
/// and read-only mounts are not in the bits, and a path too long for another name (PATH_MAX) shows only when a file
/// is created. The probe is empty, private and deleted at once.
/// </summary>
internal static class TempDirectoryProbe
{
    /// <summary>Null when a file can be created in <paramref name="directory"/>, else the system's reason.</summary>
    public static string? CannotCreateFile(string directory)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        string path = Path.Combine(directory, $".kmeans-probe-{Guid.NewGuid():N}");
        try
        {
            using var probe = new FileStream(path, options);
            return null;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return FileFailure.Describe(e, path);
        }
    }
}
