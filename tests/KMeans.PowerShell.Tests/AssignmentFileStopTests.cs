using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

/// <summary>Ctrl+C while Get-KMeansAssignment -OutFile writes: no partial file, no temporary file, the old file kept.</summary>
public sealed class AssignmentFileStopTests : IDisposable
{
    private readonly HostedShell _shell = new();
    private readonly ScratchDirectory _scratch = new();

    [Fact]
    public void Stop_mid_write_leaves_the_existing_target_as_it_was_and_no_temporary_file()
    {
        string rows = _scratch.File("rows.npy");
        string centroids = _scratch.File("centroids.npy");
        string target = _scratch.File("labels.parquet");
        // 2 · 100,000 · 16,384 · 128 flops: seconds of work even at the kernel's full speed, so the stop lands mid-write.
        _shell.Run($"$null = New-KMeansSampleData -Path '{rows}' -Rows 100000 -Dimension 128 -Seed 1; " +
                   $"$null = New-KMeansSampleData -Path '{centroids}' -Rows 16384 -Dimension 128 -Seed 2");
        File.WriteAllText(target, "old");
        var engine = _shell.PowerShell;
        engine.Commands.Clear();
        engine.AddCommand("Get-KMeansAssignment").AddParameter("Path", rows).AddParameter("Centroid", centroids)
            .AddParameter("OutFile", target).AddParameter("Force");
        var output = new PSDataCollection<PSObject>();
        var rowsReported = new ProgressWatch(engine.Streams.Progress,
            p => p.RecordType == ProgressRecordType.Processing && p.StatusDescription.Contains(" of ", StringComparison.Ordinal));
        IAsyncResult running = engine.BeginInvoke<PSObject, PSObject>(null, output);

        Assert.True(SpinWait.SpinUntil(() => rowsReported.Count > 0 || running.IsCompleted, TimeSpan.FromSeconds(60)),
            "No rows were assigned within a minute.");
        Assert.False(running.IsCompleted, "The assignment finished before it could be stopped.");
        Assert.Contains(Directory.GetFiles(_scratch.Path), file => file.EndsWith(".tmp", StringComparison.Ordinal));
        engine.Stop();

        Assert.True(running.IsCompleted);
        Assert.Equal(PSInvocationState.Stopped, engine.InvocationStateInfo.State);
        Assert.Empty(output);
        Assert.Equal("old", File.ReadAllText(target));
        Assert.Equal(new[] { centroids, target, rows }.Order(), Directory.GetFiles(_scratch.Path).Order());
    }

    public void Dispose()
    {
        _shell.Dispose();
        _scratch.Dispose();
    }
}
