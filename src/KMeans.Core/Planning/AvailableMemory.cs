using System.Globalization;

namespace KMeans.Core.Planning;

/// <summary>
/// Memory this process can still take without swapping or being killed: the system's available memory, or the room
/// left under the process's memory cgroup limit when that is smaller (containers, systemd slices, CI runners).
/// </summary>
public static class AvailableMemory
{
    /// <summary>An in-memory run "fits comfortably" when it needs at most this share of available memory.</summary>
    public const double ComfortableShare = 0.8;

    public static long Bytes() => OperatingSystem.IsLinux()
        ? Bytes("/", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)
        : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Linux's figure, from /proc and /sys under <paramref name="root"/> (tests give a made-up tree); limits at or above
    /// four times <paramref name="machineBytes"/> mean "no limit", as cgroup v1 writes that as a huge number.
    /// </summary>
    internal static long Bytes(string root, long machineBytes)
    {
        // MemAvailable counts reclaimable page cache, which GC figures do not.
        long system = ReadKeyed(Path.Join(root, "proc/meminfo"), "MemAvailable:") is long kib ? kib * 1024 : machineBytes;
        return CgroupRoom(root, machineBytes) is long room ? Math.Min(system, room) : system;
    }

    /// <summary>
    /// The limit less the usage of the process's memory cgroup (v2 <c>memory.max</c>/<c>memory.current</c>, v1
    /// <c>memory.limit_in_bytes</c>/<c>memory.usage_in_bytes</c>; the smaller where a hybrid system has both), counting
    /// its file cache as room: the usage includes cached file pages, which the kernel evicts before it kills anything.
    /// Null without a limit.
    /// </summary>
    private static long? CgroupRoom(string root, long machineBytes)
    {
        long? smallest = null;
        foreach (string line in ReadLines(Path.Join(root, "proc/self/cgroup")))
        {
            string[] fields = line.Split(':', 3);
            long? room = null;
            if (fields.Length != 3)
                continue;
            if (fields[0] == "0" && fields[1].Length == 0)
            {
                string group = Path.Join(root, "sys/fs/cgroup", fields[2]);
                room = Room(ReadNumber(Path.Join(group, "memory.max")), ReadNumber(Path.Join(group, "memory.current")),
                    ReadKeyed(Path.Join(group, "memory.stat"), "file "), machineBytes);
            }
            else if (fields[1].Split(',').Contains("memory"))
            {
                string group = Path.Join(root, "sys/fs/cgroup/memory", fields[2]);
                room = Room(ReadNumber(Path.Join(group, "memory.limit_in_bytes")),
                    ReadNumber(Path.Join(group, "memory.usage_in_bytes")), ReadKeyed(Path.Join(group, "memory.stat"), "total_cache "),
                    machineBytes);
            }
            if (room < (smallest ?? long.MaxValue))
                smallest = room;
        }
        return smallest;
    }

    private static long? Room(long? limit, long? usage, long? fileCache, long machineBytes)
    {
        if (limit is not long bytes || usage is not long used || bytes / 4 >= machineBytes)
            return null;
        return Math.Max(0, bytes - used + (fileCache ?? 0));
    }

    private static long? ReadNumber(string path)
    {
        foreach (string line in ReadLines(path))
            return long.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : null;
        return null;
    }

    /// <summary>The number after <paramref name="key"/> on the line that starts with it.</summary>
    private static long? ReadKeyed(string path, string key)
    {
        foreach (string line in ReadLines(path))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal))
                continue;
            string[] parts = line[key.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length >= 1 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long value)
                ? value
                : null;
        }
        return null;
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        string[] lines;
        try
        {
            lines = File.Exists(path) ? File.ReadAllLines(path) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lines = [];
        }
        return lines;
    }
}
