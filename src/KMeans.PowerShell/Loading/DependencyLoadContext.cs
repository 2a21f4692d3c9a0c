using System.Reflection;
using System.Runtime.Loader;

namespace KMeans.PowerShell.Loading;

/// <summary>
/// The module's own load context: it loads the engine and its third-party assemblies from the module's Dependencies/
/// folder, so that another module's Arrow or Parquet version can never clash with ours. Anything not in that folder
/// (the runtime, PowerShell) falls back to the default context.
/// </summary>
internal sealed class DependencyLoadContext(string dependencyDirectory) : AssemblyLoadContext("KMeans.Dependencies")
{
    public string DependencyDirectory { get; } = dependencyDirectory;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string path = Path.Combine(DependencyDirectory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
