using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace KMeans.PowerShell.Loading;

/// <summary>
/// Runs when the module is imported, before any cmdlet touches the engine: it lets the default load context find
/// KMeans.Core (and only it) in the module's <see cref="DependencyLoadContext"/>. The engine's own dependencies are then
/// resolved by that context, out of sight of the default one.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineAssemblyName = "KMeans.Core";

    private static readonly DependencyLoadContext DependencyContext = new(Path.Combine(
        Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "Dependencies"));

    public void OnImport()
    {
        // Removing first keeps a single handler when the module is imported again (Import-Module -Force).
        AssemblyLoadContext.Default.Resolving -= ResolveEngine;
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName assemblyName) =>
        assemblyName.Name == EngineAssemblyName ? DependencyContext.LoadFromAssemblyName(assemblyName) : null;
}
