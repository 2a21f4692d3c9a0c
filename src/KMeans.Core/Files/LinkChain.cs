namespace KMeans.Core.Files;

/// <summary>
/// The names a file goes by through its links, ending at the file (or, when the links loop, at a link). With
/// <paramref name="LeadsNowhere"/> a link's target goes through a name that is missing or a file where the system
/// needs a directory (before "..", or before a trailing separator): the end is kept as written from there, and
/// nothing is found there even if a name folded by hand would exist.
/// </summary>
public sealed record LinkChain(IReadOnlyList<string> Names, bool Loops, bool LeadsNowhere = false)
{
    /// <summary>Whether the system finds a file at the end of the links.</summary>
    public bool EndsAtFile => !Loops && !LeadsNowhere && File.Exists(End);

    /// <summary>Where the chain ends: the file the links lead to.</summary>
    public string End => Names[^1];
}
