namespace KMeans.Core.Tests;

/// <summary>A private, initially empty directory for one test (or test class), removed with its contents afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "core-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string[] Entries() => Directory.GetFileSystemEntries(Path);

    /// <summary>
    /// Creates, inside this directory, a directory where no file can be created, and returns its path. Permissions do
    /// not stop root, but Linux's PATH_MAX (4,096) does: the directory exists, yet no file name fits inside it.
    /// </summary>
    public string NestedBeyondAnyFileName()
    {
        string deep = Path;
        while (deep.Length < 4096 - 300)
            deep = System.IO.Path.Combine(deep, new string('d', 250));
        deep = System.IO.Path.Combine(deep, new string('e', 4096 - 40 - deep.Length));
        Directory.CreateDirectory(deep);
        return deep;
    }

    /// <summary>Names of every file in the directory, sorted, to prove that nothing was left behind.</summary>
    public string[] FileNames() =>
        Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
