namespace KMeans.Core.Files;

/// <summary>
/// Paths with their symbolic links followed as the operating system follows them: component by component from the
/// root, each link's relative target taken from the real directory the link is in (.NET's ResolveLinkTarget takes it
/// from the link's path as written, so a chain through a linked directory named the wrong file). ".." is taken by
/// name, as GetFullPath and PowerShell's providers already fold it.
/// </summary>
public static class SymbolicLinks
{
    /// <summary>Links followed along one path before it is taken as leading nowhere, as Linux's ELOOP limit.</summary>
    private const int MostLinks = 40;

    /// <summary>
    /// The names a file goes by: <paramref name="fullPath"/> with its directory followed, then each link it leads
    /// through, ending at the file itself (which may not exist); ending at a link when the chain loops.
    /// </summary>
    public static IReadOnlyList<string> Chain(string fullPath)
    {
        var names = new List<string>();
        string current = DirectoryFollowed(fullPath);
        while (true)
        {
            names.Add(current);
            if (names.Count > MostLinks || LinkTarget(current) is not string link)
                return names;
            current = DirectoryFollowed(Path.GetFullPath(link, Path.GetDirectoryName(current) ?? current));
        }
    }

    /// <summary>Whether <see cref="Chain"/> ended at a link, because it loops or runs longer than the system allows.</summary>
    public static bool Loops(IReadOnlyList<string> chain) => LinkTarget(chain[^1]) is not null;

    /// <summary>The path with the links along its directory followed, its own name as it is.</summary>
    public static string DirectoryFollowed(string fullPath)
    {
        int links = 0;
        return Path.GetDirectoryName(fullPath) is string directory
            ? Path.Join(Followed(directory, ref links), Path.GetFileName(fullPath))
            : fullPath;
    }

    private static string Followed(string fullPath, ref int links)
    {
        string root = Path.GetPathRoot(fullPath) ?? "";
        string current = root;
        foreach (string part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Join(current, part);
            if (LinkTarget(current) is not string link)
                continue;
            if (++links > MostLinks)
                return fullPath;
            current = Followed(Path.GetFullPath(link, Path.GetDirectoryName(current) ?? root), ref links);
        }
        return current;
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
