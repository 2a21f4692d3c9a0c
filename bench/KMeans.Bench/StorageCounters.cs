using System.Globalization;

namespace KMeans.Bench;

/// <summary>
/// This process's reads from storage so far: read_bytes from /proc/self/io (bytes the kernel fetched from the block
/// layer for it, page-fault read-ahead of a mapped file included) and major page faults from /proc/self/stat.
/// Their growth over a pass over an on-disk sample tells how often its bytes came from disk rather than the cache.
/// </summary>
internal readonly record struct StorageCounters(long ReadBytes, long MajorFaults)
{
    public static StorageCounters Now()
    {
        long readBytes = 0;
        foreach (string line in File.ReadAllLines("/proc/self/io"))
        {
            if (line.StartsWith("read_bytes:", StringComparison.Ordinal))
                readBytes = long.Parse(line["read_bytes:".Length..].Trim(), CultureInfo.InvariantCulture);
        }
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis are plain numbers.
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long majorFaults = long.Parse(fields[12 - 3], CultureInfo.InvariantCulture);
        return new StorageCounters(readBytes, majorFaults);
    }

    public static StorageCounters operator -(StorageCounters after, StorageCounters before) =>
        new(after.ReadBytes - before.ReadBytes, after.MajorFaults - before.MajorFaults);
}
