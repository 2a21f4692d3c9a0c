namespace KMeans.Core.Files;

/// <summary>
/// Paths with their symbolic links followed as the operating system follows them: part by part from the root, each
/// link's target walked from the real directory the link is in, its ".." the parent of what was already followed
/// (.NET's ResolveLinkTarget and GetFullPath fold ".." by name, so a chain through a linked directory named the wrong
/// file). A path given by the user has had its ".." folded by name already, as PowerShell's providers fold it.
/// </summary>
public static class SymbolicLinks
{
    /// <summary>Links followed along one path before it is taken as leading nowhere, as Linux's ELOOP limit.</summary>
    private const int MostLinks = 40;

    /// <summary>
    /// The names a file goes by: <paramref name="fullPath"/> with its directory followed, then each link it leads
    /// through, ending at the file itself (which may not exist); <see cref="LinkChain.Loops"/> when the links loop or
    /// run longer than the system allows, <see cref="LinkChain.LeadsNowhere"/> when a link's target goes through a
    /// name that is no directory.
    /// </summary>
    public static LinkChain Chain(string fullPath)
    {
        var walk = new WalkState();
        var names = new List<string>();
        string? current = DirectoryFollowed(fullPath, ref walk);
        if (current is null)
            return new LinkChain([fullPath], Loops: true);
        while (current is not null)
        {
            names.Add(current);
            if (walk.LeadsNowhere || LinkTarget(current) is not string link)
                return new LinkChain(names, Loops: false, walk.LeadsNowhere);
            if (++walk.Links > MostLinks)
                break;
            current = NameFollowed(Path.GetDirectoryName(current) ?? current, link, ref walk);
        }
        return new LinkChain(names, Loops: true);
    }

    /// <summary>
    /// Where <paramref name="fullPath"/> leads when it is a symbolic link to neither a file nor a directory (and its
    /// links do not loop): the name to give in a message; null for anything else.
    /// </summary>
    public static string? WhereDanglingLeads(string fullPath) =>
        new FileInfo(fullPath).LinkTarget is not null && !Directory.Exists(fullPath)
            && Chain(fullPath) is { EndsAtFile: false, Loops: false } chain
            ? chain.End
            : null;

    /// <summary>The path with the links along its directory followed, its own name as it is.</summary>
    public static string DirectoryFollowed(string fullPath)
    {
        var walk = new WalkState();
        return DirectoryFollowed(fullPath, ref walk) ?? fullPath;
    }

    private static string? DirectoryFollowed(string fullPath, ref WalkState walk)
    {
        if (Path.GetDirectoryName(fullPath) is not string directory)
            return fullPath;
        return Walk(RootOf(directory), PartsOf(directory), ref walk) is string real
            ? Path.Join(real, Path.GetFileName(fullPath))
            : null;
    }

    /// <summary>A link's target taken from <paramref name="linkDirectory"/>: its directories followed, its own name not.</summary>
    private static string? NameFollowed(string linkDirectory, string target, ref WalkState walk)
    {
        string start = Path.IsPathRooted(target) ? RootOf(target) : linkDirectory;
        string[] parts = PartsOf(target);
        if (parts.Length == 0 || parts[^1] is "." or "..")
            return Walk(start, parts, ref walk);
        // A trailing separator asks the system for a directory there, so the last name is followed too, and the
        // separator kept: a file named so leads nowhere.
        if (Path.EndsInDirectorySeparator(target))
        {
            if (Walk(start, parts, ref walk) is not string named)
                return null;
            walk.LeadsNowhere |= !Directory.Exists(named);
            return named + Path.DirectorySeparatorChar;
        }
        return Walk(start, parts[..^1], ref walk) is string directory ? Path.Join(directory, parts[^1]) : null;
    }

    /// <summary>Follows <paramref name="parts"/> from the real path <paramref name="current"/>; null when links loop.</summary>
    private static string? Walk(string current, string[] parts, ref WalkState walk)
    {
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            if (part is "." or "..")
            {
                // The system takes "." and ".." in the directory reached; after a name that is missing or a file there
                // is none, and the path leads nowhere: the rest is kept as written, so that a message names it.
                if (!Directory.Exists(current))
                {
                    walk.LeadsNowhere = true;
                    return Path.Join(current, string.Join(Path.DirectorySeparatorChar, parts[i..]));
                }
                if (part == "..")
                    current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            string next = Path.Join(current, part);
            if (LinkTarget(next) is not string link)
            {
                current = next;
                continue;
            }
            if (++walk.Links > MostLinks)
                return null;
            string start = Path.IsPathRooted(link) ? RootOf(link) : current;
            if (Walk(start, PartsOf(link), ref walk) is not string followed)
                return null;
            if (walk.LeadsNowhere)
                return Path.Join(followed, string.Join(Path.DirectorySeparatorChar, parts[(i + 1)..]));
            current = followed;
        }
        return current;
    }

    /// <summary>Links followed so far, and whether a name on the way was no directory where the walk needed one.</summary>
    private struct WalkState
    {
        public int Links;
        public bool LeadsNowhere;
    }

    private static string RootOf(string path) => Path.GetPathRoot(path) ?? "";

    private static string[] PartsOf(string path) =>
        path[RootOf(path).Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);

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
