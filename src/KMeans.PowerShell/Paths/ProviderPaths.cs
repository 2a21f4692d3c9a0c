using System.Management.Automation;
using KMeans.Core.Files;
using KMeans.PowerShell.Errors;

namespace KMeans.PowerShell.Paths;

/// <summary>
/// Resolves -Path (wildcards), -LiteralPath and directory parameters through the session's providers, accepting only
/// FileSystem paths, so that relative paths follow the PowerShell location rather than the process directory.
/// </summary>
internal static class ProviderPaths
{
    /// <summary>Existing files matching <paramref name="path"/>; reports FileNotFound or NotFileSystemPath through <paramref name="error"/>.</summary>
    public static IReadOnlyList<string> ResolveExisting(PSCmdlet cmdlet, string path, bool literal, out ErrorRecord? error)
    {
        error = null;
        ProviderInfo provider;
        List<string> resolved;
        try
        {
            if (literal)
            {
                resolved = [cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _)];
            }
            else
            {
                resolved = [.. cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider)];
            }
        }
        catch (ItemNotFoundException)
        {
            error = NotFound(cmdlet, path, literal);
            return [];
        }
        catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
        {
            error = KMeansErrors.PathNotFound(path);
            return [];
        }
        if (provider.Name != "FileSystem")
        {
            error = KMeansErrors.NotFileSystemPath(path, provider.Name);
            return [];
        }
        List<string> files = resolved.Where(File.Exists).ToList();
        if (files.Count == 0)
        {
            error = resolved.FirstOrDefault(Directory.Exists) is string directory
                ? KMeansErrors.PathIsDirectory(path, directory)
                : NotFound(cmdlet, path, literal);
        }
        return files;
    }

    /// <summary>
    /// FileNotFound; where a wildcard pattern matched nothing but a file has the very name given (brackets are
    /// wildcard characters: 'c[1].arrow' matches only 'c1.arrow'), the message says to give it as -LiteralPath.
    /// </summary>
    private static ErrorRecord NotFound(PSCmdlet cmdlet, string path, bool literal) =>
        !literal && WildcardPattern.ContainsWildcardCharacters(path) && NamesExistingFile(cmdlet, path)
            ? KMeansErrors.PathIsLiteralName(path)
            : KMeansErrors.PathNotFound(path);

    /// <summary>
    /// The existing files of every -Path or -LiteralPath value in turn. A value that matches no file is reported as a
    /// non-terminating error and skipped, so that the other values are still processed.
    /// </summary>
    public static IEnumerable<string> ExistingFilesReportingMisses(PSCmdlet cmdlet, IEnumerable<string> paths, bool literal)
    {
        foreach (string path in paths)
        {
            IReadOnlyList<string> files = ResolveExisting(cmdlet, path, literal, out ErrorRecord? error);
            if (error is not null)
                cmdlet.WriteError(error);
            foreach (string file in files)
                yield return file;
        }
    }

    /// <summary>Whether <paramref name="path"/>, taken literally, names an existing FileSystem file.</summary>
    public static bool NamesExistingFile(PSCmdlet cmdlet, string path) =>
        ResolveUnchecked(cmdlet, path, out _) is string resolved && File.Exists(resolved);

    /// <summary>A FileSystem path that may not exist yet (an output file or a directory).</summary>
    public static string? ResolveUnchecked(PSCmdlet cmdlet, string path, out ErrorRecord? error)
    {
        error = null;
        string resolved;
        ProviderInfo provider;
        try
        {
            resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
        {
            error = KMeansErrors.PathNotFound(path);
            return null;
        }
        if (provider.Name != "FileSystem")
        {
            error = KMeansErrors.NotFileSystemPath(path, provider.Name);
            return null;
        }
        return resolved;
    }

    /// <summary>An existing directory for temporary files; TempDirectoryNotFound or NotFileSystemPath otherwise.</summary>
    public static string? ResolveTempDirectory(PSCmdlet cmdlet, string? path, out ErrorRecord? error)
    {
        if (string.IsNullOrEmpty(path))
        {
            error = null;
            return Path.GetTempPath();
        }
        string? directory = ResolveUnchecked(cmdlet, path, out error);
        if (directory is not null && !Directory.Exists(directory))
        {
            error = KMeansErrors.TempDirectoryNotFound(directory, WhyNotADirectory(directory));
            return null;
        }
        return directory;
    }

    /// <summary>
    /// The end of the message for a path that is no directory: a symbolic link is named as one, since a dangling link
    /// looks like a file that exists and its target is what the user must fix.
    /// </summary>
    private static string WhyNotADirectory(string path)
    {
        var entry = new FileInfo(path);
        if (entry.LinkTarget is not null)
        {
            // A chain of links names the file at its end, the one to fix.
            LinkChain chain = SymbolicLinks.Chain(entry.FullName);
            return chain.Loops ? $"is a symbolic link that cannot be followed: its links loop ('{chain.End}')"
                : chain.EndsAtFile ? $"is a symbolic link to the file '{chain.End}', not to a directory"
                : $"is a symbolic link that leads to '{chain.End}', which does not exist";
        }
        return entry.Exists ? "is a file, not a directory" : "does not exist";
    }
}
