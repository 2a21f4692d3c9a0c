namespace KMeans.PowerShell.Paths;

/// <summary>
/// Whether writing a target would replace a file being read. Both paths are compared with every symbolic link along
/// them followed (a linked directory leads the write, and the read, into its target), except the target's own name: a
/// link there is replaced by the write, not followed. Names compare as the platform compares them.
/// </summary>
internal static class SameFile
{
    /// <summary>Links followed along one path before it is taken as leading nowhere, as Linux's ELOOP limit.</summary>
    private const int MostLinks = 40;

    public static bool Replaces(string target, string input)
    {
        string written = Path.GetFullPath(target);
        string writtenDirectory = Path.GetDirectoryName(written) is string directory ? Followed(directory) : written;
        written = Path.Join(writtenDirectory, Path.GetFileName(written));
        return string.Equals(written, Followed(Path.GetFullPath(input)),
            OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// <paramref name="fullPath"/> with the links along it followed, component by component from the root, as
    /// realpath does (except that "..", already folded by GetFullPath, is taken by name); where a link loops or cannot
    /// be read, the path as far as it was followed.
    /// </summary>
    private static string Followed(string fullPath)
    {
        int links = 0;
        return Followed(fullPath, ref links);
    }

    private static string Followed(string fullPath, ref int links)
    {
        string root = Path.GetPathRoot(fullPath) ?? "";
        string current = root;
        foreach (string part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Join(current, part);
            string? link;
            try
            {
                link = new FileInfo(current).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return fullPath;
            }
            if (link is null)
                continue;
            if (++links > MostLinks)
                return fullPath;
            current = Followed(Path.GetFullPath(link, Path.GetDirectoryName(current) ?? root), ref links);
        }
        return current;
    }
}
