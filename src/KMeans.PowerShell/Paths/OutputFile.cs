using System.Management.Automation;
using KMeans.PowerShell.Errors;

namespace KMeans.PowerShell.Paths;

/// <summary>
/// Resolves the target of a file writer: -LiteralPath as typed; -Path with wildcards allowed only when they match
/// exactly one existing file (as Out-File does), otherwise as typed. Only FileSystem paths are accepted, and no file
/// name of blanks only.
/// </summary>
internal static class OutputFile
{
    public static string? Resolve(PSCmdlet cmdlet, string path, bool literal, out ErrorRecord? error)
    {
        string name = System.IO.Path.GetFileName(path);
        if (name.Length > 0 && string.IsNullOrWhiteSpace(name))
        {
            // Linux takes "   " as a name; a file of that name is never what was meant.
            error = KMeansErrors.BlankFileName(path);
            return null;
        }
        if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
        {
            IReadOnlyList<string> matches = ProviderPaths.ResolveExisting(cmdlet, path, literal: false, out error);
            if (error is { FullyQualifiedErrorId: "NotFileSystemPath" })
                return null;
            if (matches.Count > 1)
            {
                error = KMeansErrors.AmbiguousPath(path, matches.Count);
                return null;
            }
            if (matches.Count == 1)
            {
                error = null;
                return matches[0];
            }
        }
        return ProviderPaths.ResolveUnchecked(cmdlet, path, out error);
    }
}
