namespace KMeans.Core.Tests.Architecture;

/// <summary>
/// The dependency rule of docs/ARCHITECTURE.md: each folder of the core refers only to the folders listed for it, so
/// the layers only look down. A new folder must be given its place here (and in the document) before it can hold code.
/// </summary>
public class DependencyRuleTests
{
    /// <summary>Folder → the folders it may refer to. The root (KMeansException, error kinds, option names) refers to none.</summary>
    internal static readonly Dictionary<string, string[]> Allowed = new()
    {
        [CoreSourceScan.Root] = [],
        ["Numerics"] = [],
        ["Distance"] = ["Numerics"],
        ["Planning"] = ["Numerics", "Distance"],
        ["Buffers"] = ["Numerics", "Planning"],
        // The file layer sits below Training: a centroid set is made from a result in Training (ResultCentroids).
        ["Files"] = ["Numerics", "Distance", "Buffers"],
        ["SampleData"] = ["Numerics", "Files"],
        ["Sampling"] = ["Numerics", "Distance", "Planning", "Buffers", "Files"],
        ["Training"] = ["Numerics", "Distance", "Planning", "Buffers", "Files", "Sampling"],
        ["Calibration"] = ["Numerics", "Distance", "Planning", "Buffers", "Files", "Sampling", "Training"],
        ["Reporting"] = ["Numerics", "Files", "Training"],
        ["Assigning"] = ["Numerics", "Distance", "Files"],
    };

    /// <summary>
    /// Known exceptions, type by type, listed in docs/ARCHITECTURE.md as debts: the sampler still takes its settings and
    /// reports progress through Training's options and progress records. Nothing else of Training may be used there.
    /// </summary>
    internal static readonly Dictionary<(string Folder, string Target), string[]> AllowedTypes = new()
    {
        [("Sampling", "Training")] = ["KMeansOptions", "TrainingProgress", "SamplingProgress"],
    };

    [Fact]
    public void EveryCoreFolderRefersOnlyToTheFoldersBelowIt()
    {
        ILookup<string, string> files = CoreSourceScan.FilesByFolder();
        Dictionary<string, HashSet<string>> declared = CoreSourceScan.DeclaredTypes(files);

        var violations = new List<string>();
        foreach (IGrouping<string, string> folder in files)
        {
            if (!Allowed.TryGetValue(folder.Key, out string[]? allowed))
            {
                violations.Add($"{folder.Key}/ has no place in the dependency rule: add it to docs/ARCHITECTURE.md and to {nameof(DependencyRuleTests)}.{nameof(Allowed)}.");
                continue;
            }
            foreach (string file in folder)
            {
                foreach ((string target, string type) in CoreSourceScan.References(file, declared))
                {
                    if (target == folder.Key || !declared.ContainsKey(target) || allowed.Contains(target)
                        || (AllowedTypes.TryGetValue((folder.Key, target), out string[]? types) && types.Contains(type)))
                        continue;
                    violations.Add($"{Path.GetRelativePath(CoreSourceScan.CoreDirectory, file)} refers to {target}.{type}, but {folder.Key} may not use {target}.");
                }
            }
        }

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations.Distinct()));
    }

    /// <summary>KMeans.Core, then the file's folders: Training/Checkpoints/X.cs declares KMeans.Core.Training.Checkpoints.</summary>
    private static string ExpectedNamespace(string file)
    {
        string directory = Path.GetRelativePath(CoreSourceScan.CoreDirectory, Path.GetDirectoryName(file)!);
        return directory == "." ? "KMeans.Core" : "KMeans.Core." + directory.Replace(Path.DirectorySeparatorChar, '.');
    }

    [Fact]
    public void EveryCoreFileDeclaresTheNamespaceOfItsFolder()
    {
        var wrong = CoreSourceScan.FilesByFolder()
            .SelectMany(folder => folder.Select(file => (File: file, Expected: ExpectedNamespace(file))))
            .Where(entry => CoreSourceScan.Namespace(entry.File) != entry.Expected)
            .Select(entry => $"{Path.GetRelativePath(CoreSourceScan.CoreDirectory, entry.File)} should declare namespace {entry.Expected}")
            .ToList();

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public void TheRuleHasNoCycle()
    {
        var visiting = new HashSet<string>();
        var done = new HashSet<string>();
        void Visit(string folder, string path)
        {
            Assert.False(visiting.Contains(folder), $"The rule has a cycle: {path}");
            if (!done.Add(folder))
                return;
            visiting.Add(folder);
            foreach (string below in Allowed[folder])
                Visit(below, path + " → " + below);
            visiting.Remove(folder);
        }
        foreach (string folder in Allowed.Keys)
            Visit(folder, folder);
    }

    [Fact]
    public void TheScanSeesUsingsQualifiedAndPartlyQualifiedNamesButNotCommentsOrStrings()
    {
        using var temp = new TempDirectory();
        string file = Path.Combine(temp.Path, "Probe.cs");
        File.WriteAllText(file, """
            using KMeans.Core.Distance;
            using KMeans.Core.Sampling;
            // Training.KMeansTrainer is only mentioned in a comment
            namespace KMeans.Core.Buffers;
            internal static class Probe
            {
                private const string Text = "Sampling.SampleBuilder in a string";
                public static object A() => KMeans.Core.Planning.ResourcePlan.RowsPerBlock;
                public static object B() => Calibration.KernelCalibration.DefaultBudget;
                public static object C(object Centroids) => Centroids.ToString();
                public static int D() => AssignmentKernel.Lanes;
            }
            """);
        var declared = new Dictionary<string, HashSet<string>>
        {
            ["Distance"] = ["AssignmentKernel"],
            ["Training"] = ["KMeansTrainer"],
            ["Sampling"] = ["SampleBuilder"],
            ["Planning"] = ["ResourcePlan"],
            ["Calibration"] = ["KernelCalibration"],
            ["Centroids"] = ["CentroidSet"],
        };

        string[] found = CoreSourceScan.References(file, declared).Select(reference => $"{reference.Folder}.{reference.Type}").Order().ToArray();

        Assert.Equal(["Calibration.KernelCalibration", "Distance.AssignmentKernel", "Planning.ResourcePlan", "Sampling.(unused using)"], found);
        Assert.Equal("KMeans.Core.Buffers", CoreSourceScan.Namespace(file));
    }
}
