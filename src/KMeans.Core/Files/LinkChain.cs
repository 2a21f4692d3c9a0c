namespace KMeans.Core.Files;

/// <summary>The names a file goes by through its links, ending at the file (or, when the links loop, at a link).</summary>
public sealed record LinkChain(IReadOnlyList<string> Names, bool Loops)
{
    /// <summary>Where the chain ends: the file the links lead to.</summary>
    public string End => Names[^1];
}
