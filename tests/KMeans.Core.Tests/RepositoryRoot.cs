namespace KMeans.Core.Tests;

/// <summary>The checkout the tests run from: the nearest folder above the test binaries that holds KMeans.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "KMeans.sln")))
                return directory.FullName;
        }

        throw new InvalidOperationException($"No folder above '{AppContext.BaseDirectory}' holds KMeans.sln.");
    }
}
