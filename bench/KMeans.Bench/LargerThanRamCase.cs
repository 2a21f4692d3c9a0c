namespace KMeans.Bench;

/// <summary>
/// The larger-than-ram shape from issue 6: a 2 GiB sample (4,194,304 × 128 float32, K = 256, SampleRate 16,384, so the
/// sample is the whole file), trained for a few Lloyd iterations under a 1 GiB memory cgroup.
/// </summary>
internal static class LargerThanRamCase
{
    public const long Rows = 4_194_304;
    public const int Dimension = 128;
    public const int K = 256;
    public const int SampleRate = 16_384;
    public const int Iterations = 5;
    public const long LimitBytes = 1L << 30;
    public const double RatioTarget = 1.3;

    public const string ReadOnce = "read-once";
    public const string TrainOnDisk = "train-on-disk";
    public const string TrainInMemory = "train-in-memory";

    public static Workload Workload { get; } = new("2GiB", $"uniform-{Rows}x{Dimension}", Rows, Dimension, K, "uniform");
}
