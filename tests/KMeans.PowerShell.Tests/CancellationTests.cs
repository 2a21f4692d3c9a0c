using System.Diagnostics;
using System.Management.Automation;

namespace KMeans.PowerShell.Tests;

public sealed class CancellationTests : IDisposable
{
    private readonly HostedShell _shell = new();
    private readonly ScratchDirectory _scratch = new();

    /// <summary>Reads open files and thread times from /proc.</summary>
    [GatedFact(Gate.Linux)]
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
        var iterations = new ProgressWatch(engine.Streams.Progress,
            p => p.StatusDescription?.StartsWith("Iteration ", StringComparison.Ordinal) == true);
        IAsyncResult running = engine.BeginInvoke(input, output);

        Assert.True(SpinWait.SpinUntil(() => iterations.Count >= 3, TimeSpan.FromSeconds(30)),
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
        // A worker still iterating would keep at least one core busy. The runtime's own background JIT (tiered
        // compilation of the hot loops just run) is not ours, so its thread is left out of the count.
        Dictionary<int, (string Name, long Ticks)> before = ThreadCpuTicks();
        Thread.Sleep(TimeSpan.FromSeconds(1));
        long busyTicks = ThreadCpuTicks()
            .Where(thread => !thread.Value.Name.StartsWith(".NET Tiered", StringComparison.Ordinal))
            .Sum(thread => thread.Value.Ticks - (before.TryGetValue(thread.Key, out var earlier) ? earlier.Ticks : 0));
        Assert.True(busyTicks < 30, $"Threads used {busyTicks} clock ticks of CPU in the second after Stop: a worker is still running.");
    }

    /// <summary>The sample file is unlinked as soon as it is opened; its descriptor still names it.</summary>
    private static List<string> OpenSampleFiles()
    {
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

    /// <summary>User plus system CPU time of each thread of this process, in clock ticks (1/100 s), from /proc.</summary>
    private static Dictionary<int, (string Name, long Ticks)> ThreadCpuTicks()
    {
        var threads = new Dictionary<int, (string, long)>();
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                // Fields after the parenthesised name: state is the first, utime the 12th and stime the 13th.
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                string name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                threads[int.Parse(Path.GetFileName(task))] = (name, long.Parse(fields[11]) + long.Parse(fields[12]));
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }
        return threads;
    }

    public void Dispose()
    {
        _shell.Dispose();
        _scratch.Dispose();
    }
}
