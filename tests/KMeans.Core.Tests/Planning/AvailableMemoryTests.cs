using KMeans.Core.Planning;

namespace KMeans.Core.Tests.Planning;

/// <summary>
/// Available memory on Linux, read from made-up /proc and /sys trees: the system's MemAvailable, or less when the
/// process's memory cgroup (v1, v2, or both on a hybrid system) leaves less room under its limit.
/// </summary>
public class AvailableMemoryTests
{
    private const long GiB = 1L << 30;
    private const long Machine = 24 * GiB;
    private const string MemInfo = "MemTotal:       25165824 kB\nMemFree:         1048576 kB\nMemAvailable:   20971520 kB\n";

    [Fact]
    public void WithoutACgroupLimitItIsMemAvailable()
    {
        using var root = Tree(("proc/meminfo", MemInfo), ("proc/self/cgroup", "0::/\n"));

        Assert.Equal(20 * GiB, AvailableMemory.Bytes(root.Path, Machine));
    }

    [Fact]
    public void UnderACgroupV1LimitItIsTheRoomLeftCountingFileCacheAsRoom()
    {
        using var root = Tree(("proc/meminfo", MemInfo), ("proc/self/cgroup", "9:name=systemd:/\n4:memory:/job\n3:cpu,cpuacct:/\n"),
            ("sys/fs/cgroup/memory/job/memory.limit_in_bytes", $"{GiB}\n"),
            ("sys/fs/cgroup/memory/job/memory.usage_in_bytes", $"{700L << 20}\n"),
            ("sys/fs/cgroup/memory/job/memory.stat", $"cache {1L << 20}\nrss {400L << 20}\ntotal_cache {300L << 20}\n"));

        Assert.Equal(GiB - (700L << 20) + (300L << 20), AvailableMemory.Bytes(root.Path, Machine));
    }

    [Fact]
    public void UnderACgroupV2LimitItIsTheRoomLeftCountingFileCacheAsRoom()
    {
        using var root = Tree(("proc/meminfo", MemInfo), ("proc/self/cgroup", "0::/user.slice/job\n"),
            ("sys/fs/cgroup/user.slice/job/memory.max", $"{2 * GiB}\n"),
            ("sys/fs/cgroup/user.slice/job/memory.current", $"{GiB}\n"),
            ("sys/fs/cgroup/user.slice/job/memory.stat", $"anon {GiB}\nfile {100L << 20}\nkernel 0\n"));

        Assert.Equal(GiB + (100L << 20), AvailableMemory.Bytes(root.Path, Machine));
    }

    [Fact]
    public void NoLimitWrittenAsMaxOrAsV1sHugeNumberLeavesMemAvailable()
    {
        using var v2 = Tree(("proc/meminfo", MemInfo), ("proc/self/cgroup", "0::/job\n"),
            ("sys/fs/cgroup/job/memory.max", "max\n"), ("sys/fs/cgroup/job/memory.current", $"{GiB}\n"));
        using var v1 = Tree(("proc/meminfo", MemInfo), ("proc/self/cgroup", "4:memory:/\n"),
            ("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n"),
            ("sys/fs/cgroup/memory/memory.usage_in_bytes", $"{GiB}\n"));

        Assert.Equal(20 * GiB, AvailableMemory.Bytes(v2.Path, Machine));
        Assert.Equal(20 * GiB, AvailableMemory.Bytes(v1.Path, Machine));
    }

    [Fact]
    public void OnAHybridSystemTheV1MemoryControllerCountsThoughTheUnifiedGroupHasNoLimit()
    {
        using var root = Tree(("proc/meminfo", MemInfo), ("proc/self/cgroup", "0::/job\n4:memory:/job\n"),
            ("sys/fs/cgroup/memory/job/memory.limit_in_bytes", $"{GiB}\n"),
            ("sys/fs/cgroup/memory/job/memory.usage_in_bytes", $"{GiB / 4}\n"));

        Assert.Equal(3 * GiB / 4, AvailableMemory.Bytes(root.Path, Machine));
    }

    [Fact]
    public void WithoutProcItIsTheMachinesMemory()
    {
        using var root = Tree();

        Assert.Equal(Machine, AvailableMemory.Bytes(root.Path, Machine));
    }

    [Fact]
    public void OnThisMachineItIsPositiveAndAtMostWhatTheRuntimeSees()
    {
        Assert.InRange(AvailableMemory.Bytes(), 1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }

    private static TempDirectory Tree(params (string Path, string Text)[] files)
    {
        var root = new TempDirectory();
        foreach ((string path, string text) in files)
        {
            string full = System.IO.Path.Combine(root.Path, path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        return root;
    }
}
