using System.Diagnostics;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// The two passes of a Lloyd iteration timed apart on a built sample, with what each read from storage: the centroid
/// update (every worker thread walks the whole sample, keeping only its own centroids' rows) and the full assignment
/// (blocks shared among the threads, no bound skipping). Medians of <see cref="Rounds"/> rounds after one assignment.
/// </summary>
internal sealed record PhaseProfile(double UpdateMs, double AssignmentMs, StorageCounters UpdateReads, StorageCounters AssignmentReads)
{
    public const int Rounds = 2;

    public static PhaseProfile Measure(TrainingBuffer sample, float[] centroids, int k, int threads)
    {
        int d = sample.Dimension;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        using var packed = new PackedCentroids(k, d);
        var assignment = new Assignment(sample, k, DistanceMetric.L2, KMeansOptions.DefaultRowsPerBlock);
        var sums = new double[(long)k * d];
        var current = (float[])centroids.Clone();
        packed.Pack(current, DistanceMetric.L2);
        assignment.Run(packed, parallel);
        var update = new List<(double Ms, StorageCounters Reads)>();
        var assign = new List<(double Ms, StorageCounters Reads)>();
        for (int round = 0; round < Rounds; round++)
        {
            update.Add(Timed(() => CentroidUpdate.Run(sample, assignment.Blocks, assignment.Labels, assignment.Sizes, current,
                sums, DistanceMetric.L2, parallel, threads)));
            EmptyClusterRepair.Repair(current, assignment.Sizes, d, DistanceMetric.L2);
            packed.Pack(current, DistanceMetric.L2);
            assign.Add(Timed(() => assignment.Run(packed, parallel)));
        }
        return new PhaseProfile(Summary.Of(update.Select(u => u.Ms)).Median, Summary.Of(assign.Select(a => a.Ms)).Median,
            Mean(update), Mean(assign));
    }

    private static (double Ms, StorageCounters Reads) Timed(Action pass)
    {
        StorageCounters before = StorageCounters.Now();
        var watch = Stopwatch.StartNew();
        pass();
        return (watch.Elapsed.TotalMilliseconds, StorageCounters.Now() - before);
    }

    private static StorageCounters Mean(List<(double Ms, StorageCounters Reads)> passes) =>
        new(passes.Sum(p => p.Reads.ReadBytes) / passes.Count, passes.Sum(p => p.Reads.MajorFaults) / passes.Count);
}
