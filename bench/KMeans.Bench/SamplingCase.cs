namespace KMeans.Bench;

/// <summary>One way of building a training sample from the ~1 GiB file of the sampling-memory scenario.</summary>
internal sealed record SamplingCase(string Name, int K, int SampleRate, bool OnDisk, string Meaning, int? TrainDimension = null)
{
    public const long Rows = 2_097_152;
    public const int Dimension = 128;
    public const long FileBytes = Rows * Dimension * sizeof(float);

    /// <summary>The on-disk target: what the workloads scenario allows above the baseline before centroids (64 MiB).</summary>
    public const long AnonymousAllowance = 64L * 1024 * 1024;

    public static IReadOnlyList<SamplingCase> All { get; } =
    [
        new("small-in-memory", 256, 256, false, "256 × 256 = 65,536 rows (32 MiB) kept in RAM"),
        new("whole-on-disk", 256, 8_192, true, "the whole file (1 GiB) in the memory-mapped temp file"),
        new("whole-in-memory", 256, 8_192, false, "the whole file (1 GiB) in RAM: what O(file) looks like"),
        new("whole-projected", 256, 8_192, false,
            "the whole file projected to 16 dimensions (128 MiB) in RAM with each row's origin and hash (32 MiB): -TrainDimension 16",
            TrainDimension: 16),
    ];

    /// <summary>The sample's rows at the dimension kept (the training dimension when the input is read again), and with a
    /// training dimension each row's origin and hash (16 bytes).</summary>
    public long SampleBytes => Math.Min(Rows, (long)K * SampleRate) * ((TrainDimension ?? Dimension) * sizeof(float)
        + (TrainDimension is null ? 0 : 2 * sizeof(long)));

    /// <summary>Anonymous memory the case may add: the allowance, plus the sample itself when it lives in RAM.</summary>
    public long AnonymousBudget => AnonymousAllowance + (OnDisk ? 0 : SampleBytes);

    public static SamplingCase Parse(string? name) =>
        All.FirstOrDefault(c => c.Name == name)
        ?? throw new BenchUsageException($"--case must be one of {string.Join(", ", All.Select(c => c.Name))}, not '{name}'.");
}
