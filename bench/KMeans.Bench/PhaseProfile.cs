using System.Diagnostics;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// The passes of a Lloyd iteration timed apart on a built sample, with what each read from storage: the centroid
/// update alone (each thread sums its own clusters' rows from a list, each row read once), the full assignment
/// alone (blocks shared among the threads, no bound skipping), and the assignment taking the next update's sums range
/// by range, as <c>LloydRun</c> runs it. Medians of <see cref="Rounds"/> rounds after one assignment.
/// </summary>
internal sealed record PhaseProfile(double UpdateMs, double AssignmentMs, double FusedMs, StorageCounters UpdateReads,
    StorageCounters AssignmentReads, StorageCounters FusedReads)
{
    public const int Rounds = 2;

    public static PhaseProfile Measure(TrainingBuffer sample, float[] centroids, int k, int threads)
    {
        int d = sample.Dimension;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        using var packed = new PackedCentroids(k, d);
        var assignment = new Assignment(sample, k, DistanceMetric.L2, KMeansOptions.DefaultRowsPerBlock);
        var centroidUpdate = new CentroidUpdate(k, d, DistanceMetric.L2);
        var current = (float[])centroids.Clone();
        packed.Pack(current, DistanceMetric.L2);
        assignment.Run(packed, parallel);
        var update = new List<(double Ms, StorageCounters Reads)>();
        var assign = new List<(double Ms, StorageCounters Reads)>();
        var fused = new List<(double Ms, StorageCounters Reads)>();
        for (int round = 0; round < Rounds; round++)
        {
            update.Add(Timed(() => centroidUpdate.Run(sample, assignment.Labels, assignment.Sizes, current, parallel)));
            EmptyClusterRepair.Repair(current, assignment.Sizes, d, DistanceMetric.L2);
            packed.Pack(current, DistanceMetric.L2);
            assign.Add(Timed(() => assignment.Run(packed, parallel)));
            fused.Add(Timed(() => assignment.Run(packed, parallel, update: centroidUpdate)));
        }
        return new PhaseProfile(Median(update), Median(assign), Median(fused), Mean(update), Mean(assign), Mean(fused));
    }

    private static (double Ms, StorageCounters Reads) Timed(Action pass)
    {
        StorageCounters before = StorageCounters.Now();
        var watch = Stopwatch.StartNew();
        pass();
        return (watch.Elapsed.TotalMilliseconds, StorageCounters.Now() - before);
    }

    private static double Median(List<(double Ms, StorageCounters Reads)> passes) => Summary.Of(passes.Select(p => p.Ms)).Median;

    private static StorageCounters Mean(List<(double Ms, StorageCounters Reads)> passes) =>
        new(passes.Sum(p => p.Reads.ReadBytes) / passes.Count, passes.Sum(p => p.Reads.MajorFaults) / passes.Count);
}
