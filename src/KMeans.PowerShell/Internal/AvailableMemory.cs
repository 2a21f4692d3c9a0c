using System.Globalization;

namespace KMeans.PowerShell.Internal;

/// <summary>Memory the system can give a new workload now, without swapping.</summary>
internal static class AvailableMemory
{
    /// <summary>An in-memory run "fits comfortably" when it needs at most this share of available memory.</summary>
    public const double ComfortableShare = 0.8;

    public static long Bytes() => FromProcMeminfo() ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Linux's MemAvailable counts reclaimable page cache, which GC figures do not.</summary>
    private static long? FromProcMeminfo()
    {
        const string path = "/proc/meminfo";
        if (!OperatingSystem.IsLinux() || !File.Exists(path))
            return null;
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    continue;
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kib))
                    return kib * 1024;
            }
        }
        catch (IOException)
        {
        }
        return null;
    }
}
