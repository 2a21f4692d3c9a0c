namespace KMeans.Bench;

/// <summary>
/// Linux keeps a high-water mark for total RSS (VmHWM) but none for anonymous RSS, which is what tells a buffer that
/// lives in RAM from one the page cache holds. A background thread therefore reads RssAnon every few milliseconds and
/// keeps the maximum; allocations that come and go faster than the period can be missed.
/// </summary>
internal sealed class PeakMemorySampler : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(2);
    private readonly ProcessMemory _memory = new();
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _peakAnonymous;
    private long _peakRss;

    public PeakMemorySampler()
    {
        Sample();
        _thread = new Thread(Loop) { IsBackground = true, Name = "RSS sampler" };
        _thread.Start();
    }

    public long PeakAnonymous => Interlocked.Read(ref _peakAnonymous);

    public long PeakRss => Interlocked.Read(ref _peakRss);

    /// <summary>Stops sampling after one last reading and returns the kernel's own figures at that moment.</summary>
    public MemorySnapshot Stop()
    {
        _stop = true;
        _thread.Join();
        return Sample();
    }

    private void Loop()
    {
        while (!_stop)
        {
            Sample();
            Thread.Sleep(Period);
        }
    }

    private MemorySnapshot Sample()
    {
        MemorySnapshot now = _memory.Read();
        if (now.Anonymous > Interlocked.Read(ref _peakAnonymous))
            Interlocked.Exchange(ref _peakAnonymous, now.Anonymous);
        if (now.Rss > Interlocked.Read(ref _peakRss))
            Interlocked.Exchange(ref _peakRss, now.Rss);
        return now;
    }

    public void Dispose()
    {
        if (!_stop)
            Stop();
        _memory.Dispose();
    }
}
