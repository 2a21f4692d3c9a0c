namespace KMeans.Core.Tests;

/// <summary>A private, initially empty directory for one test, removed afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "core-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string[] Entries() => Directory.GetFileSystemEntries(Path);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
