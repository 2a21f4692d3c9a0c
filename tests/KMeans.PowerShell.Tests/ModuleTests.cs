using System.Runtime.Loader;

namespace KMeans.PowerShell.Tests;

public sealed class ModuleTests : IDisposable
{
    private readonly HostedShell _shell = new();

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

    public void Dispose() => _shell.Dispose();
}
