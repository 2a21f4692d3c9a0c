namespace KMeans.Bench;

/// <summary>Resident memory of a child process over one measured piece of work, in bytes.</summary>
/// <param name="BaselineRss">VmRSS just before the work (runtime and bench code loaded, nothing built yet).</param>
/// <param name="BaselineAnonymous">RssAnon at the same moment.</param>
/// <param name="PeakRss">VmHWM at the end, reset to the baseline beforehand when the kernel allowed it.</param>
/// <param name="PeakAnonymous">Largest RssAnon seen by the sampler during the work.</param>
internal sealed record MemoryWindow(long BaselineRss, long BaselineAnonymous, long PeakRss, long PeakAnonymous, bool PeakRssWasReset)
{
    public long AnonymousAboveBaseline => PeakAnonymous - BaselineAnonymous;

    public long RssAboveBaseline => PeakRss - BaselineRss;

    /// <summary>Runs <paramref name="work"/> between a baseline (after a full GC) and a last reading, sampling RssAnon.</summary>
    public static T Measure<T>(Func<T> work, out MemoryWindow window)
    {
        using var memory = new ProcessMemory();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        MemorySnapshot baseline = memory.Read();
        bool reset = ProcessMemory.TryResetPeak();
        T result;
        MemorySnapshot end;
        long peakAnonymous;
        using (var sampler = new PeakMemorySampler())
        {
            result = work();
            end = sampler.Stop();
            peakAnonymous = sampler.PeakAnonymous;
        }
        long peakRss = reset ? end.PeakRss : Math.Max(end.PeakRss, baseline.PeakRss);
        window = new MemoryWindow(baseline.Rss, baseline.Anonymous, peakRss, peakAnonymous, reset);
        return result;
    }
}
