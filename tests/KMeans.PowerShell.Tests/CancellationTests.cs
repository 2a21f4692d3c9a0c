using System.Diagnostics;
using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

public sealed class CancellationTests : IDisposable
{
    private readonly HostedShell _shell = new();
    private readonly ScratchDirectory _scratch = new();

    [Fact]
    public void Stop_during_training_returns_within_about_an_iteration_and_leaves_no_temp_file_or_running_worker()
    {
        // 4,000 × 32 rows and K = 64 without a tolerance would iterate for minutes.
        float[][] vectors = TestData.Blobs(4000, 32, 8, seed: 5);
        var input = new PSDataCollection<float[]>(vectors);
        input.Complete();
        var output = new PSDataCollection<PSObject>();
        var engine = _shell.PowerShell;
        engine.AddCommand("Invoke-KMeansTraining")
            .AddParameter("K", 64).AddParameter("Init", "Random").AddParameter("Tolerance", 0.0)
            .AddParameter("MaxIterations", 1_000_000).AddParameter("OnDisk").AddParameter("TempDirectory", _scratch.Path);
        IAsyncResult running = engine.BeginInvoke(input, output);

        Assert.True(SpinWait.SpinUntil(() => IterationsReported(engine) >= 3, TimeSpan.FromSeconds(30)),
            "Training did not reach its third iteration.");
        Assert.True(OpenSampleFiles().Count > 0, "The on-disk sample should be open while training runs.");
        var stopping = Stopwatch.StartNew();
        engine.Stop();
        stopping.Stop();

        Assert.True(running.IsCompleted);
        Assert.Equal(PSInvocationState.Stopped, engine.InvocationStateInfo.State);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(2), $"Stop took {stopping.Elapsed}.");
        Assert.Empty(output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch.Path));
        Assert.Empty(OpenSampleFiles());
        TimeSpan before = Process.GetCurrentProcess().TotalProcessorTime;
        Thread.Sleep(500);
        TimeSpan busy = Process.GetCurrentProcess().TotalProcessorTime - before;
        Assert.True(busy < TimeSpan.FromMilliseconds(250), $"The process used {busy} of CPU in 500 ms after Stop: a worker is still running.");
    }

    private static int IterationsReported(System.Management.Automation.PowerShell engine) =>
        engine.Streams.Progress.ToArray().Count(p => p.StatusDescription?.StartsWith("Iteration ", StringComparison.Ordinal) == true);

    /// <summary>The sample file is unlinked as soon as it is opened; on Linux its descriptor still names it.</summary>
    private static List<string> OpenSampleFiles()
    {
        if (!OperatingSystem.IsLinux())
            return [];
        var open = new List<string>();
        foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.Contains("kmeans-sample-", StringComparison.Ordinal))
                    open.Add(target);
            }
            catch (IOException)
            {
                // The descriptor closed while we looked.
            }
        }
        return open;
    }

    public void Dispose()
    {
        _shell.Dispose();
        _scratch.Dispose();
    }
}
