using System.Management.Automation;
using System.Runtime.Loader;

namespace KMeans.PowerShell.Tests;

public sealed class ModuleTests : IDisposable
{
    private static readonly string[] ExpectedCmdlets =
    [
        "Export-KMeansCentroid",
        "Export-KMeansReport",
        "Get-KMeansAssignment",
        "Get-KMeansDiskEstimate",
        "Import-KMeansCentroid",
        "Invoke-KMeansTraining",
        "New-KMeansSampleData",
    ];

    private readonly HostedShell _shell = new();

    [Fact]
    public void The_built_module_exports_exactly_the_listed_cmdlets_and_aliases()
    {
        var module = Assert.IsType<PSModuleInfo>(_shell.Run("Get-Module KMeans").Single().BaseObject);

        Assert.Equal(Version.Parse(HostedShell.ModuleVersion), module.Version);
        Assert.Equal(HostedShell.ModuleDirectory.TrimEnd('/'), module.ModuleBase.TrimEnd('/'));
        Assert.Equal(ExpectedCmdlets, module.ExportedCmdlets.Keys.Order());
        Assert.Equal(["Export-KMeansCentroids"], module.ExportedAliases.Keys);
        Assert.Equal("Export-KMeansCentroid", module.ExportedAliases["Export-KMeansCentroids"].ResolvedCommand.Name);
        Assert.Empty(module.ExportedFunctions);
        Assert.Empty(module.ExportedVariables);
        Assert.Equal(new Version(7, 4), module.PowerShellVersion);
        Assert.Equal(["Core"], module.CompatiblePSEditions);
        Assert.Equal(["KMeans.format.ps1xml"], module.ExportedFormatFiles.Select(Path.GetFileName));
    }

    [Fact]
    public void The_source_manifest_lists_exports_explicitly()
    {
        string manifest = File.ReadAllText(Path.Combine(HostedShell.RepositoryRoot, "KMeans.psd1"));

        Assert.Contains("'{{ModuleVersion}}'", manifest);
        Assert.DoesNotContain('*', manifest);
        Assert.Contains("FunctionsToExport    = @()", manifest);
        Assert.Contains("VariablesToExport    = @()", manifest);
    }

    [Fact]
    public void The_engine_and_its_dependencies_load_in_the_module_load_context_only()
    {
        _shell.Set("vectors", TestData.Blobs(200, 4, 2, seed: 1));
        Assert.Equal(2, _shell.Run("$vectors | Invoke-KMeansTraining -K 2 -Seed 1").Count);

        var engine = AssemblyLoadContext.All.SelectMany(c => c.Assemblies).Single(a => a.GetName().Name == "KMeans.Core");
        AssemblyLoadContext context = AssemblyLoadContext.GetLoadContext(engine)!;
        Assert.Equal("KMeans.Dependencies", context.Name);
        Assert.Equal(Path.Combine(HostedShell.ModuleDirectory, "Dependencies", "KMeans.Core.dll"), engine.Location);
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name is "KMeans.Core" or "System.Numerics.Tensors");
        Assert.True(File.Exists(Path.Combine(HostedShell.ModuleDirectory, "Dependencies", "Apache.Arrow.dll")));
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "KMeans.Core.dll")));

        // PowerShell resolves type names only from the default context: engine types stay out of sight.
        Assert.Equal(true, _shell.Run("$null -eq ('KMeans.Core.Training.KMeansOptions' -as [type])").Single().BaseObject);
        Assert.Equal(true, _shell.Run("$null -ne ('KMeans.PowerShell.KMeansCentroid' -as [type])").Single().BaseObject);
    }

    [Fact]
    public void Importing_the_module_again_keeps_it_working()
    {
        _shell.Run($"Import-Module '{HostedShell.ManifestPath}' -Force");
        _shell.Set("vectors", TestData.Blobs(100, 3, 2, seed: 2));

        Assert.Equal(2, _shell.Run("$vectors | Invoke-KMeansTraining -K 2 -Seed 2").Count);
        Assert.Empty(_shell.PowerShell.Streams.Error);
    }

    public void Dispose() => _shell.Dispose();
}
