namespace KMeans.Core.Files;

/// <summary>
/// How -Column finds a column of an Arrow or Parquet file: by its exact name, else by its name in another case, as
/// PowerShell matches parameter names. The formats' names are case-sensitive, so where several columns match only in
/// case no one of them is meant more than another.
/// </summary>
internal static class ColumnNameMatch
{
    /// <summary>The items whose name is <paramref name="name"/> exactly, or if there are none, in any case.</summary>
    public static T[] Find<T>(IEnumerable<T> items, Func<T, string> nameOf, string name)
    {
        T[] exact = items.Where(item => string.Equals(nameOf(item), name, StringComparison.Ordinal)).ToArray();
        return exact.Length > 0
            ? exact
            : items.Where(item => string.Equals(nameOf(item), name, StringComparison.OrdinalIgnoreCase)).ToArray();
    }

    /// <summary>
    /// The refusal of a name that matches several columns: named alike, which no name tells apart, or alike but for
    /// case, which the exact name tells apart.
    /// </summary>
    public static KMeansException Ambiguous(string path, string name, IReadOnlyList<string> matchedNames, string described)
    {
        bool alike = matchedNames.All(matched => string.Equals(matched, matchedNames[0], StringComparison.Ordinal));
        return new KMeansException(KMeansErrorKind.AmbiguousColumn, alike
            ? $"'{path}' has {matchedNames.Count} columns named '{name}' ({described}); no name can tell them apart: rename one where the file is written."
            : $"'{path}' has {matchedNames.Count} columns named '{name}' but for case ({described}); give the name of one exactly.",
            name);
    }
}
