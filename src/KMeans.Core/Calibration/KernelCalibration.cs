using System.Diagnostics;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Core.Calibration;

/// <summary>
/// Measures this machine's speed for the work of a training run by running the trainer's own code on synthetic
/// uniform rows: the assignment step (the kernel, against <see cref="Centroids"/> centroids), the update step, and
/// greedy k-means++ seeding. All three first run in turn for half the budget, so that tiered JIT promotes their hot
/// methods (in a fresh process that takes about half a second, and a step timed before then looks several times
/// slower). Then each step is timed on its own until its share of the budget is spent, and the fastest pass kept:
/// the machine's speed when the run has its cores (a machine shared with other work trains slower). The sample is
/// about 8 MiB (more when that gives every thread a block, 32 MiB at most): larger than a core's L2 cache but not
/// always than its L3 cache, so the update and seeding rates can be optimistic for a sample that streams from memory
/// or disk. The assignment is bound by arithmetic, not memory.
/// </summary>
public static class KernelCalibration
{
    /// <summary>A budget that keeps the calibration under about a second on an idle machine.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(1);

    /// <summary>Larger dimensions are measured at this one: beyond it the rate per flop no longer changes.</summary>
    public const int MaxDimension = 4096;

    /// <summary>Centroids the assignment is timed against: two kernel tiles, so that tiles follow one another as in a real run.</summary>
    public const int Centroids = 128;

    /// <summary>k-means++ over this many centroids is timed: enough candidate passes to time, few enough to be quick.</summary>
    internal const int SeedingCentroids = 4;

    private const int SampleValues = 1 << 21;
    private const double WarmUpShare = 0.5;
    private const double AssignmentShare = 0.3;
    private const double UpdateShare = 0.1;
    private const double SeedingShare = 0.1;
    private const int MinimumPasses = 3;
    private const double Improvement = 0.05;
    private const int MaxOvertime = 3;

    /// <summary>
    /// Times the assignment, update and seeding steps on <paramref name="threads"/> threads at
    /// <paramref name="dimension"/> dimensions in about <paramref name="budget"/>: up to <see cref="MaxOvertime"/>
    /// times as long while the JIT is still making the steps faster, and a few passes longer on a slow machine
    /// (every phase times at least <see cref="MinimumPasses"/> passes).
    /// </summary>
    public static CalibrationResult Measure(int dimension, int threads, TimeSpan budget, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(budget, TimeSpan.Zero);
        var watch = Stopwatch.StartNew();
        int d = Math.Min(dimension, MaxDimension);
        using var workload = new CalibrationWorkload(SampleRows(d, threads), d, threads, cancellationToken);
        _ = FastestPass(budget * WarmUpShare, cancellationToken, () =>
        {
            workload.Assign();
            workload.Update();
            workload.Seed();
        });
        TimeSpan assign = FastestPass(budget * AssignmentShare, cancellationToken, workload.Assign);
        TimeSpan update = FastestPass(budget * UpdateShare, cancellationToken, workload.Update);
        TimeSpan seeding = FastestPass(budget * SeedingShare, cancellationToken, workload.Seed);

        return new CalibrationResult(
            d,
            threads,
            KernelGflops: 2.0 * workload.Values * Centroids / assign.TotalSeconds / 1e9,
            UpdateValuesPerSecond: workload.Values / update.TotalSeconds,
            SeedingValuesPerSecond: TrainingCostModel.SeedingPasses(SeedingCentroids) * workload.Values / seeding.TotalSeconds,
            CentroidGroup: KernelScore.KernelIsTiled ? PackedCentroids.TileWidth : 1,
            watch.Elapsed);
    }

    /// <summary>About <see cref="SampleValues"/> values, in whole blocks, with one block per thread when that fits.</summary>
    private static long SampleRows(int dimension, int threads)
    {
        int block = KMeansOptions.DefaultRowsPerBlock;
        long rows = Math.Max((long)SampleValues / dimension, Math.Min((long)threads * block, 4L * SampleValues / dimension));
        return Math.Max(1, (rows + block - 1) / block) * block;
    }

    /// <summary>
    /// Times passes until <paramref name="share"/> is spent (at least <see cref="MinimumPasses"/>) and the fastest has
    /// stopped improving: while the JIT is still promoting methods, as in a process that has just loaded a large
    /// host, passes keep getting faster, and the phase goes on for up to <see cref="MaxOvertime"/> times its share.
    /// </summary>
    private static TimeSpan FastestPass(TimeSpan share, CancellationToken cancellationToken, Action pass)
    {
        var phase = Stopwatch.StartNew();
        TimeSpan fastest = TimeSpan.MaxValue;
        TimeSpan lastImproved = TimeSpan.Zero;
        for (int passes = 1; ; passes++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            pass();
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            if (elapsed < fastest * (1 - Improvement))
                lastImproved = phase.Elapsed;
            if (elapsed < fastest)
                fastest = elapsed;
            TimeSpan spent = phase.Elapsed;
            bool settled = spent - lastImproved >= spent / 2;
            if (passes >= MinimumPasses && ((spent >= share && settled) || spent >= share * MaxOvertime))
                return fastest;
        }
    }
}
