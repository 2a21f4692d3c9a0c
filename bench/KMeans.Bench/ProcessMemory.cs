using Microsoft.Win32.SafeHandles;

namespace KMeans.Bench;

/// <summary>Resident memory of this process, in bytes, as Linux reports it in /proc/self/status.</summary>
/// <param name="Rss">VmRSS: everything resident, including pages of memory-mapped files.</param>
/// <param name="Anonymous">RssAnon: resident memory backed by no file (heaps, native buffers, stacks).</param>
/// <param name="PeakRss">VmHWM: the kernel's high-water mark of VmRSS since start or the last reset.</param>
internal readonly record struct MemorySnapshot(long Rss, long Anonymous, long PeakRss);

/// <summary>
/// Reads /proc/self/status through one open handle and a reused buffer, so that sampling it every few milliseconds
/// allocates nothing and does not itself move the figures it measures.
/// </summary>
internal sealed class ProcessMemory : IDisposable
{
    private const string StatusPath = "/proc/self/status";
    private readonly SafeFileHandle? _status;
    private readonly byte[] _buffer = new byte[8192];

    public ProcessMemory()
    {
        if (File.Exists(StatusPath))
            _status = File.OpenHandle(StatusPath);
    }

    public bool IsAvailable => _status is not null;

    /// <summary>The current figures; zeros where /proc is unavailable (not Linux).</summary>
    public MemorySnapshot Read()
    {
        if (_status is null)
            return default;
        int length = RandomAccess.Read(_status, _buffer, fileOffset: 0);
        ReadOnlySpan<byte> text = _buffer.AsSpan(0, length);
        return new MemorySnapshot(Kilobytes(text, "VmRSS:"u8) * 1024, Kilobytes(text, "RssAnon:"u8) * 1024,
            Kilobytes(text, "VmHWM:"u8) * 1024);
    }

    /// <summary>
    /// Resets VmHWM to the current RSS by writing "5" to /proc/self/clear_refs; false where the kernel does not allow it.
    /// </summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long Kilobytes(ReadOnlySpan<byte> text, ReadOnlySpan<byte> field)
    {
        int at = text.IndexOf(field);
        if (at < 0)
            return 0;
        long value = 0;
        for (int i = at + field.Length; i < text.Length && text[i] != (byte)'\n'; i++)
        {
            byte b = text[i];
            if (b is >= (byte)'0' and <= (byte)'9')
                value = value * 10 + (b - '0');
        }
        return value;
    }

    public void Dispose() => _status?.Dispose();
}
