namespace KMeans.PowerShell.Paths;

/// <summary>
/// Whether writing a target would replace a file being read: the target's own path (a symbolic link there is replaced,
/// not followed) against the input's path and the file its links lead to, compared as the platform compares names.
/// </summary>
internal static class SameFile
{
    public static bool Replaces(string target, string input)
    {
        string written = Path.GetFullPath(target);
        string named = Path.GetFullPath(input);
        return Same(written, named) || Same(written, LinkTarget(named));
    }

    private static bool Same(string path, string other) =>
        string.Equals(path, other, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

    private static string LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            // A link that loops or cannot be read leads to no file a target could replace.
            return path;
        }
    }
}
