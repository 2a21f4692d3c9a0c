namespace KMeans.PowerShell.Paths;

/// <summary>
/// Whether writing a target would replace a file being read, or the link the input was named by. Paths are compared
/// with every symbolic link along their directories followed (a linked directory leads the write, and the read, into
/// its target); the target's own name is not followed, since the write replaces a link there; the input's is compared
/// both ways, as the link it was named by and as the file that link leads to. Names compare as the platform compares
/// them.
/// </summary>
internal static class SameFile
{
    /// <summary>Links followed along one path before it is taken as leading nowhere, as Linux's ELOOP limit.</summary>
    private const int MostLinks = 40;

    public static bool Replaces(string target, string input)
    {
        string written = DirectoryFollowed(Path.GetFullPath(target));
        string named = Path.GetFullPath(input);
        return Same(written, DirectoryFollowed(named)) || Same(written, Followed(named));
    }

    private static bool Same(string path, string other) =>
        string.Equals(path, other, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

    /// <summary>The path with the links along its directory followed, its own name as it is.</summary>
    private static string DirectoryFollowed(string fullPath) =>
        Path.GetDirectoryName(fullPath) is string directory
            ? Path.Join(Followed(directory), Path.GetFileName(fullPath))
            : fullPath;

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
