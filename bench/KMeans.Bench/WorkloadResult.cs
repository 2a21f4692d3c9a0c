namespace KMeans.Bench;

/// <summary>One training of a workload in its own process, with that process's memory figures (bytes).</summary>
/// <param name="BaselineRss">VmRSS just before the sample was built (runtime, bench code, nothing trained yet).</param>
/// <param name="BaselineAnonymous">RssAnon at the same moment.</param>
/// <param name="PeakRss">VmHWM at the end, reset to the baseline beforehand when the kernel allowed it.</param>
/// <param name="PeakAnonymous">Largest RssAnon seen by the sampler during sample building and training.</param>
/// <param name="AnonymousBudget">The on-disk target: 64 MiB + K·d·4·(threads + 2) above the baseline.</param>
internal sealed record WorkloadResult(
    TrainingMeasurement Measurement,
    long BaselineRss,
    long BaselineAnonymous,
    long PeakRss,
    long PeakAnonymous,
    bool PeakRssWasReset,
    long AnonymousBudget,
    string? CentroidsFile)
{
    public long AnonymousAboveBaseline => PeakAnonymous - BaselineAnonymous;

    public static long Budget(Workload workload, int threads) =>
        64L * 1024 * 1024 + (long)workload.K * workload.Dimension * sizeof(float) * (threads + 2);
}
