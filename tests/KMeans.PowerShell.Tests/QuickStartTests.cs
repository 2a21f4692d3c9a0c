using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

public sealed class QuickStartTests : IDisposable
{
    // Without the module: the quick start imports the built one from out/ itself, as in a fresh pwsh.
    private readonly HostedShell _shell = new(importModule: false);
    private readonly ScratchDirectory _scratch = new();

    [Fact]
    public void The_quick_start_runs_green_with_progress_and_writes_its_files()
    {
        string script = Path.Combine(HostedShell.RepositoryRoot, "examples", "quickstart.ps1");
        _shell.Set("script", script).Set("dir", _scratch.File("out"));

        var output = _shell.Run("& $script -OutputDirectory $dir");

        Assert.Empty(_shell.PowerShell.Streams.Error);
        List<string> lines = output.Where(o => o.BaseObject is string).Select(o => (string)o.BaseObject).ToList();
        Assert.Contains(lines, l => l.StartsWith("Training     K = 12", StringComparison.Ordinal) && l.Contains("on disk: True"));
        Assert.Contains(lines, l => l.StartsWith("Centroids    ", StringComparison.Ordinal) && l.Contains("12 centroids of dimension 32"));
        var summary = output.Where(o => o.TypeName() == "KMeans.PowerShell.KMeansAssignmentSummary").ToList();
        Assert.Equal(12, summary.Count);
        Assert.Equal(20000, summary.Sum(s => s.Get<long>("Count")));
        Assert.Contains(_shell.PowerShell.Streams.Progress, p => p.StatusDescription.StartsWith("Iteration ", StringComparison.Ordinal));
        Assert.Equal(["centroids.arrow", "sample.parquet"], Directory.EnumerateFileSystemEntries(_scratch.File("out")).Select(Path.GetFileName).Order());
        Assert.Equal(HostedShell.ModuleDirectory.TrimEnd('/'), _shell.Run("(Get-Module KMeans).ModuleBase").Single().ToString().TrimEnd('/'));
    }

    public void Dispose()
    {
        _shell.Dispose();
        _scratch.Dispose();
    }
}
