using System.Diagnostics;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Core.Planning;

/// <summary>
/// Measures this machine's speed for the work of a training run by running the trainer's own code on synthetic
/// uniform rows: the assignment step (the kernel, against <see cref="Centroids"/> centroids), the update step, and
/// greedy k-means++ seeding. Each phase times passes until its share of the budget is spent and keeps the fastest:
/// the first passes are the warm-up (tiered JIT needs about half a second in a fresh process to promote the hot
/// methods), and the fastest is the machine's speed when the run has its cores (a machine shared with other work
/// trains slower). The sample is about 8 MiB (more when that gives every thread a block, 32 MiB at most): larger
/// than a core's L2 cache but not always than its L3 cache, so the update and seeding rates can be optimistic for a
/// sample that streams from memory or disk. The assignment is bound by arithmetic, not memory.
/// </summary>
public static class KernelCalibration
{
    /// <summary>A budget that keeps the calibration under about a second on an idle machine.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(1);

    /// <summary>Larger dimensions are measured at this one: beyond it the rate per flop no longer changes.</summary>
    public const int MaxDimension = 4096;

    /// <summary>Centroids the assignment is timed against: several kernel tiles, as in any real run.</summary>
    public const int Centroids = 128;

    /// <summary>k-means++ over this many centroids is timed: enough candidate passes to time, few enough to be quick.</summary>
    internal const int SeedingCentroids = 4;

    private const int SampleValues = 1 << 21;
    private const double AssignmentShare = 0.6;
    private const double UpdateShare = 0.2;
    private const int MinimumPasses = 3;

    /// <summary>
    /// Times the assignment, update and seeding steps on <paramref name="threads"/> threads at
    /// <paramref name="dimension"/> dimensions within about <paramref name="budget"/> (a slow machine may exceed it by
    /// a few passes: every phase times at least <see cref="MinimumPasses"/> passes).
    /// </summary>
    public static CalibrationResult Measure(int dimension, int threads, TimeSpan budget, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(budget, TimeSpan.Zero);
        var watch = Stopwatch.StartNew();
        int d = Math.Min(dimension, MaxDimension);
        using InMemoryBuffer sample = SyntheticSample(SampleRows(d, threads), d);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };

        var centroids = new float[(long)Centroids * d];
        sample.Rows(0, Centroids).CopyTo(centroids);
        using var packed = new PackedCentroids(Centroids, d);
        packed.Pack(centroids, DistanceMetric.L2);
        var assignment = new Assignment(sample, Centroids, DistanceMetric.L2, KMeansOptions.DefaultRowsPerBlock);
        TimeSpan assign = FastestPass(budget * AssignmentShare, cancellationToken, () => assignment.Run(packed, parallel));

        var sums = new double[(long)Centroids * d];
        var updated = new float[centroids.Length];
        TimeSpan update = FastestPass(budget * UpdateShare, cancellationToken, () =>
            CentroidUpdate.Run(sample, assignment.Blocks, assignment.Labels, assignment.Sizes, updated, sums,
                DistanceMetric.L2, parallel, threads));

        int draw = 0;
        TimeSpan seeding = FastestPass(budget * (1 - AssignmentShare - UpdateShare), cancellationToken, () =>
            KMeansPlusPlusInitializer.Choose(sample, SeedingCentroids, new SeededRandom(1, ++draw), assignment.Blocks,
                parallel, _ => { }));

        double values = (double)sample.RowCount * d;
        return new CalibrationResult(
            d,
            threads,
            KernelGflops: 2.0 * values * Centroids / assign.TotalSeconds / 1e9,
            UpdateValuesPerSecond: values / update.TotalSeconds,
            SeedingValuesPerSecond: TrainingCostModel.SeedingPasses(SeedingCentroids) * values / seeding.TotalSeconds,
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

    private static InMemoryBuffer SyntheticSample(long rows, int dimension)
    {
        var sample = new InMemoryBuffer(rows, dimension);
        try
        {
            var random = new Random(20_240_601);
            var row = new float[dimension];
            for (long i = 0; i < rows; i++)
            {
                for (int j = 0; j < dimension; j++)
                    row[j] = random.NextSingle();
                sample.WriteRows(i, row);
            }
            sample.Seal(rows);
            return sample;
        }
        catch
        {
            sample.Dispose();
            throw;
        }
    }

    /// <summary>Times passes until <paramref name="share"/> is spent (at least <see cref="MinimumPasses"/>); returns the fastest.</summary>
    private static TimeSpan FastestPass(TimeSpan share, CancellationToken cancellationToken, Action pass)
    {
        var phase = Stopwatch.StartNew();
        TimeSpan fastest = TimeSpan.MaxValue;
        for (int passes = 0; passes < MinimumPasses || phase.Elapsed < share; passes++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            pass();
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            if (elapsed < fastest)
                fastest = elapsed;
        }
        return fastest;
    }
}
