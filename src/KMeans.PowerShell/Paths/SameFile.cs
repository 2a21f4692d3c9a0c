using KMeans.Core.Files;

namespace KMeans.PowerShell.Paths;

/// <summary>
/// Whether writing a target would replace a file being read, or a link the input was named through. The target's
/// directory is followed (a linked directory leads the write into its target) but not its own name, since the write
/// replaces a link there; the input is compared as every name of its chain of links, the file at the end included.
/// Names compare as the platform compares them.
/// </summary>
internal static class SameFile
{
    public static bool Replaces(string target, string input)
    {
        string written = SymbolicLinks.DirectoryFollowed(Path.GetFullPath(target));
        return SymbolicLinks.Chain(Path.GetFullPath(input)).Names.Any(name => string.Equals(written, name,
            OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase));
    }
}
