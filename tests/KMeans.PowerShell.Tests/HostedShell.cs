using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using Engine = System.Management.Automation.PowerShell;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace KMeans.PowerShell.Tests;

/// <summary>
/// A PowerShell 7.6 engine hosted in the test process with the built module imported from out/KMeans/&lt;version&gt;/,
/// as a user would import it. Only Microsoft.PowerShell.Core cmdlets are there besides ours.
/// </summary>
public sealed class HostedShell : IDisposable
{
    public HostedShell()
    {
        InitialSessionState state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(ManifestPath);
        PowerShell = Engine.Create(state);
    }

    public static string RepositoryRoot => Metadata("RepositoryRoot");

    public static string ModuleVersion => Metadata("ModuleVersion");

    public static string ModuleDirectory => Path.Combine(RepositoryRoot, "out", "KMeans", ModuleVersion);

    public static string ManifestPath => Path.Combine(ModuleDirectory, "KMeans.psd1");

    public Engine PowerShell { get; }

    public HostedShell Set(string name, object? value)
    {
        PowerShell.Runspace.SessionStateProxy.SetVariable(name, value);
        return this;
    }

    /// <summary>Runs a script and returns its output; the streams stay readable on <see cref="PowerShell"/>.</summary>
    public Collection<PSObject> Run(string script)
    {
        PowerShell.Commands.Clear();
        ClearStreams();
        return PowerShell.AddScript(script).Invoke();
    }

    /// <summary>
    /// Runs a script that must end in a terminating error, and returns that error. Script output is discarded; a
    /// non-terminating error would not reach the catch block.
    /// </summary>
    public ErrorRecord RunExpectingTerminatingError(string script)
    {
        Collection<PSObject> output = Run($"try {{ $null = & {{ {script} }} }} catch {{ ,$_ }}");
        PSObject caught = Assert.Single(output);
        return Assert.IsType<ErrorRecord>(caught.BaseObject);
    }

    public IReadOnlyList<string> ErrorIds => PowerShell.Streams.Error.Select(e => e.FullyQualifiedErrorId).ToList();

    public void ClearStreams() => PowerShell.Streams.ClearStreams();

    public void Dispose()
    {
        PowerShell.Runspace?.Dispose();
        PowerShell.Dispose();
    }

    private static string Metadata(string key) => typeof(HostedShell).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == key).Value!;
}
