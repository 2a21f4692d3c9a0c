using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using KMeans.Core.Files;
using KMeans.PowerShell.Mapping;

namespace KMeans.PowerShell.Binding;

/// <summary>
/// Tab completion of -Column: the vector columns of the first file given to -Path or -LiteralPath, read from its
/// schema (in the -InputFormat typed, if any) by the same code that later opens it. Completion never fails: a missing
/// or unreadable file completes nothing.
/// </summary>
internal sealed class VectorColumnCompleter : IArgumentCompleter
{
    // The session's own path resolution, so that relative paths, PSDrives and (for -Path) wildcards mean what they
    // mean to the cmdlet.
    private const string ResolveScript = """
        param([string] $Path, [bool] $Literal)
        if ($Literal) { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path) }
        else { $provider = $null; $ExecutionContext.SessionState.Path.GetResolvedProviderPathFromPSPath($Path, [ref] $provider) }
        """;

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        bool literal = fakeBoundParameters.Contains("LiteralPath");
        string? typedPath = FirstPath(fakeBoundParameters[literal ? "LiteralPath" : "Path"]);
        if (typedPath is null || Runspace.DefaultRunspace is null)
            return [];
        string prefix = wordToComplete.Trim('\'', '"');
        try
        {
            string? file = ScriptBlock.Create(ResolveScript).Invoke(typedPath, literal).FirstOrDefault()?.BaseObject as string;
            if (file is null)
                return [];
            return VectorFile.VectorColumnNames(file, InputFormat(fakeBoundParameters["InputFormat"]))
                .Where(name => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(name => new CompletionResult(Quote(name), name, CompletionResultType.ParameterValue, $"Vector column '{name}' of {file}"))
                .ToList();
        }
        catch (Exception e) when (e is RuntimeException or KMeans.Core.KMeansException or IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The -InputFormat typed so far, or null when none is or it names no format.</summary>
    private static VectorFileFormat? InputFormat(object? bound) =>
        VectorConverter.Unwrap(bound) switch
        {
            KMeansVectorFormat format => format.ToCore(),
            string name when Enum.TryParse(name, ignoreCase: true, out KMeansVectorFormat format) => format.ToCore(),
            _ => null,
        };

    private static string? FirstPath(object? bound) => bound switch
    {
        string path => path,
        IEnumerable paths => paths.Cast<object?>().Select(VectorConverter.Unwrap).OfType<string>().FirstOrDefault(),
        _ => null,
    };

    private static string Quote(string name) =>
        name.Length > 0 && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.') ? name : $"'{name.Replace("'", "''")}'";
}
