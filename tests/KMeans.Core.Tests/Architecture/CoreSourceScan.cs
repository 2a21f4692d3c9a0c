using System.Text.RegularExpressions;

namespace KMeans.Core.Tests.Architecture;

/// <summary>
/// Which types of other folders of src/KMeans.Core each source file refers to, read from the source: the types of a
/// folder imported by <c>using KMeans.Core.X</c> that the file names, fully qualified <c>KMeans.Core.X.Type</c> names,
/// and partly qualified <c>X.Type</c> names (valid anywhere under KMeans.Core) where Type is declared in folder X. Comments and string literals are ignored. A folder's files
/// declare the namespace KMeans.Core.Folder, so the folder a type is in is the namespace it is in.
/// </summary>
internal static partial class CoreSourceScan
{
    public const string Root = "(root)";

    public static string CoreDirectory => Path.Combine(RepositoryRoot.Path, "src", "KMeans.Core");

    /// <summary>Every source file of the core (bin and obj excluded), by folder: the first directory under the project.</summary>
    public static ILookup<string, string> FilesByFolder() =>
        Directory.EnumerateFiles(CoreDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(file => !IsBuildOutput(file))
            .ToLookup(FolderOf);

    public static string FolderOf(string file)
    {
        string relative = Path.GetRelativePath(CoreDirectory, file);
        int separator = relative.IndexOf(Path.DirectorySeparatorChar);
        return separator < 0 ? Root : relative[..separator];
    }

    /// <summary>The types each folder declares (any nesting), for recognising partly qualified names.</summary>
    public static Dictionary<string, HashSet<string>> DeclaredTypes(ILookup<string, string> files) =>
        files.ToDictionary(folder => folder.Key,
            folder => folder.SelectMany(file => TypeDeclaration().Matches(Code(file)).Select(m => m.Groups["name"].Value)).ToHashSet());

    /// <summary>
    /// The types of other core folders <paramref name="file"/> refers to, as (folder, type): through a using directive
    /// (each type of that folder named in the file; a using of which nothing is named counts as "(unused using)"), a
    /// fully qualified name, or a partly qualified name.
    /// </summary>
    public static IEnumerable<(string Folder, string Type)> References(string file, Dictionary<string, HashSet<string>> declared)
    {
        string code = NamespaceDeclaration().Replace(Code(file), "");
        string body = UsingDirective().Replace(code, "");
        foreach (Match match in UsingDirective().Matches(code))
        {
            string folder = match.Groups["folder"].Value;
            if (!declared.TryGetValue(folder, out HashSet<string>? types))
                continue;
            string[] named = types.Where(type => Regex.IsMatch(body, $@"(?<![\w.]){type}\b")).ToArray();
            if (named.Length == 0)
                yield return (folder, "(unused using)");
            foreach (string type in named)
                yield return (folder, type);
        }
        foreach (Match match in QualifiedName().Matches(body))
            yield return (match.Groups["folder"].Value, match.Groups["type"].Value);
        foreach (Match match in PartlyQualifiedName().Matches(body))
        {
            string folder = match.Groups["folder"].Value;
            if (declared.TryGetValue(folder, out HashSet<string>? types) && types.Contains(match.Groups["type"].Value))
                yield return (folder, match.Groups["type"].Value);
        }
    }

    /// <summary>The namespace a file declares, or null.</summary>
    public static string? Namespace(string file) =>
        NamespaceDeclaration().Match(Code(file)) is { Success: true } match ? match.Groups["name"].Value : null;

    private static bool IsBuildOutput(string file)
    {
        string relative = Path.GetRelativePath(CoreDirectory, file);
        return relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>The file without comments and without the contents of string and character literals.</summary>
    private static string Code(string file) => CommentOrLiteral().Replace(File.ReadAllText(file), match =>
        match.Value.StartsWith('"') || match.Value.StartsWith('\'') || match.Value.StartsWith("@\"", StringComparison.Ordinal)
            ? "\"\""
            : new string('\n', match.Value.Count(c => c == '\n')));

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|""(?:[^""\\\n]|\\.)*""|'(?:[^'\\\n]|\\.)+'", RegexOptions.Singleline)]
    private static partial Regex CommentOrLiteral();

    [GeneratedRegex(@"^\s*using\s+(?:static\s+)?(?:\w+\s*=\s*)?KMeans\.Core\.(?<folder>[A-Z]\w*)[\w.]*\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"\bKMeans\.Core\.(?<folder>[A-Z]\w*)\.(?<type>[A-Z]\w*)")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"(?<![\w.])(?<folder>[A-Z]\w*)\.(?<type>[A-Z]\w*)")]
    private static partial Regex PartlyQualifiedName();

    [GeneratedRegex(@"\b(?:class|struct|record|enum|interface)\s+(?<name>[A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"^\s*namespace\s+(?<name>[\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();
}
