namespace KMeans.Bench;

/// <summary>
/// The bench's own Python scripts (bench/compare): the workload generator and the inertia metric shared with
/// scikit-learn and FAISS. Found by walking up from the bench's binaries to the repository's bench folder, so the
/// bench works from any clone.
/// </summary>
internal static class ComparisonScripts
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string> Folder = new(Locate);

    public static string Generator => Path.Combine(Folder.Value, "datasets.py");

    public static string Inertia => Path.Combine(Folder.Value, "inertia.py");

    public static string GenerateCommand => $"{Python} {Generator}";

    private static string Locate()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "bench", "compare");
            if (File.Exists(Path.Combine(candidate, "datasets.py")))
                return candidate;
        }
        throw new BenchUsageException(
            $"bench/compare/datasets.py was not found above {AppContext.BaseDirectory}: run the bench from its repository.");
    }
}
