using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace KMeans.PowerShell.Binding;

/// <summary>
/// Tab completion of file and directory paths, relative to the current FileSystem location. It reads the directory
/// itself rather than going through provider cmdlets, so it works in any host, including ones that load only
/// Microsoft.PowerShell.Core.
/// </summary>
internal sealed class FileSystemPathCompleter : IArgumentCompleter
{
    private const string CurrentLocationScript = "$ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath";

    private static readonly char[] NeedsQuotes = [' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', '&', ',', '@', '#'];

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string typed = wordToComplete.Trim('\'', '"');
        int separator = typed.LastIndexOfAny(['/', Path.DirectorySeparatorChar]);
        string directoryPart = typed[..(separator + 1)];
        string prefix = typed[(separator + 1)..];
        string searched = Path.GetFullPath(Path.Combine(CurrentDirectory(), ExpandHome(directoryPart)));
        if (!Directory.Exists(searched))
            return [];
        return Directory.EnumerateFileSystemEntries(searched)
            .Where(entry => Path.GetFileName(entry).StartsWith(prefix, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            .Order(StringComparer.OrdinalIgnoreCase)
            .Select(entry =>
            {
                string name = Path.GetFileName(entry);
                string text = directoryPart + name;
                string quoted = text.IndexOfAny(NeedsQuotes) >= 0 ? $"'{text.Replace("'", "''")}'" : text;
                var type = Directory.Exists(entry) ? CompletionResultType.ProviderContainer : CompletionResultType.ProviderItem;
                return new CompletionResult(quoted, name, type, entry);
            })
            .ToList();
    }

    private static string ExpandHome(string path) => path.StartsWith('~')
        ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..]
        : path;

    private static string CurrentDirectory()
    {
        // Completers run on the pipeline thread of the session being completed, where a script block sees its state; a
        // new, unbound script block each time, so that it never runs in another session's state.
        if (Runspace.DefaultRunspace is not null)
        {
            var location = ScriptBlock.Create(CurrentLocationScript).Invoke().FirstOrDefault()?.BaseObject as string;
            if (!string.IsNullOrEmpty(location))
                return location;
        }
        return Environment.CurrentDirectory;
    }
}
