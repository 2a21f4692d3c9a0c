namespace KMeans.PowerShell.Errors;

/// <summary>How messages name what an item is: "a String", "an Int32", "null".</summary>
internal static class TypeWords
{
    public static string WithArticle(string typeName) =>
        ("AEIOU".Contains(char.ToUpperInvariant(typeName.FirstOrDefault())) ? "an " : "a ") + typeName;

    public static string Of(object? value) => value is null ? "null" : WithArticle(value.GetType().Name);
}
