using System.Globalization;

namespace KMeans.Bench;

/// <summary>
/// A fresh cgroup-v1 memory group with a hard limit, for one child process. In v1 the page cache a process faults in
/// is charged to its group too, so pages of a mapped file beyond the limit are evicted and read again: the situation
/// of a sample larger than the machine's memory. Removed on dispose (the child must have exited).
/// </summary>
internal sealed class MemoryCgroup : IDisposable
{
    public const string Root = "/sys/fs/cgroup/memory";
    private static int s_created;

    public MemoryCgroup(long limitBytes)
    {
        if (!Directory.Exists(Root) || !File.Exists(Path.Combine(Root, "cgroup.procs")))
            throw new BenchUsageException($"The larger-than-ram scenario needs cgroup v1's memory controller at {Root}, which is not mounted here.");
        if (Environment.UserName != "root")
            throw new BenchUsageException($"The larger-than-ram scenario needs root to create a memory cgroup under {Root}; it runs as {Environment.UserName}.");
        GroupDirectory = Path.Combine(Root, $"kmeans-bench-{Environment.ProcessId}-{Interlocked.Increment(ref s_created)}");
        Directory.CreateDirectory(GroupDirectory);
        try
        {
            Write("memory.limit_in_bytes", limitBytes.ToString(CultureInfo.InvariantCulture));
            LimitBytes = ReadLong("memory.limit_in_bytes");
        }
        catch
        {
            Directory.Delete(GroupDirectory);
            throw;
        }
    }

    public string GroupDirectory { get; }

    /// <summary>The limit as the kernel stored it (rounded to whole pages).</summary>
    public long LimitBytes { get; }

    public void Add(int processId) => Write("cgroup.procs", processId.ToString(CultureInfo.InvariantCulture));

    /// <summary>How often the group hit its limit (each one a reclaim, not necessarily a kill).</summary>
    public long FailCount => ReadLong("memory.failcnt");

    public long MaxUsageBytes => ReadLong("memory.max_usage_in_bytes");

    /// <summary>Processes the OOM killer killed in this group ("oom_kill" in memory.oom_control; 0 on kernels without it).</summary>
    public long OomKills
    {
        get
        {
            foreach (string line in File.ReadAllLines(Path.Combine(GroupDirectory, "memory.oom_control")))
            {
                string[] parts = line.Split(' ');
                if (parts.Length == 2 && parts[0] == "oom_kill")
                    return long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
            return 0;
        }
    }

    private void Write(string file, string value) => File.WriteAllText(Path.Combine(GroupDirectory, file), value);

    private long ReadLong(string file) =>
        long.Parse(File.ReadAllText(Path.Combine(GroupDirectory, file)).Trim(), CultureInfo.InvariantCulture);

    public void Dispose()
    {
        // rmdir fails while a task is still in the group; the caller waits for its child before disposing.
        if (Directory.Exists(GroupDirectory))
            Directory.Delete(GroupDirectory);
    }
}
