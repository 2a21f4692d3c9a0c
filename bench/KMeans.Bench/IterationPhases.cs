using System.Diagnostics;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>Median milliseconds of each step of one Lloyd iteration, next to the kernel alone.</summary>
internal sealed record PhaseResult(string Workload, int Threads, double UpdateMs, double RepairMs, double PackMs,
    double AssignmentStepMs, double KernelOnlyMs)
{
    public double IterationMs => UpdateMs + RepairMs + PackMs + AssignmentStepMs;
}

/// <summary>
/// The steps LloydRun performs per iteration, timed one by one on an in-memory sample: centroid update, empty-cluster
/// repair, packing, and the whole assignment step (kernel + exact row loss + sizes), each round followed by the kernel
/// alone on the same centroids. The assignment step less the kernel, and the update's share, show where an iteration
/// spends time beyond the FLOPs.
/// </summary>
internal sealed class IterationPhases : IDisposable
{
    private readonly Workload _workload;
    private readonly int _threads;
    private readonly TrainingBuffer _sample;
    private readonly PackedCentroids _packed;
    private readonly Assignment _assignment;
    private readonly float[] _centroids;
    private readonly CentroidUpdate _update;
    private readonly ParallelOptions _parallel;
    private readonly KernelPass _kernel;

    public IterationPhases(float[] rows, Workload workload, int threads)
    {
        _workload = workload;
        _threads = threads;
        int d = workload.Dimension;
        _sample = TrainingBuffer.Create(onDisk: false, workload.Rows, d, Path.GetTempPath());
        _sample.WriteRows(0, rows);
        _sample.Seal(workload.Rows);
        _packed = new PackedCentroids(workload.K, d, ScreenedAssignment.Screens(null, workload.K, d));
        _assignment = new Assignment(_sample, workload.K, DistanceMetric.L2, KMeansOptions.DefaultRowsPerBlock);
        _centroids = rows.AsSpan(0, workload.K * d).ToArray();
        _update = new CentroidUpdate(workload.K, d, DistanceMetric.L2);
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        _kernel = new KernelPass(rows, workload, _packed);
    }

    public PhaseResult Measure(int samples)
    {
        _packed.Pack(_centroids, DistanceMetric.L2);
        _assignment.Run(_packed, _parallel);
        var update = new List<double>();
        var repair = new List<double>();
        var pack = new List<double>();
        var assign = new List<double>();
        var kernel = new List<double>();
        for (int s = 0; s <= samples; s++)
        {
            var watch = Stopwatch.StartNew();
            _update.Run(_sample, _assignment.Labels, _assignment.Sizes, _centroids, _parallel);
            double updateMs = Lap(watch);
            EmptyClusterRepair.Repair(_centroids, _assignment.Sizes, _workload.Dimension, DistanceMetric.L2);
            double repairMs = Lap(watch);
            _packed.Pack(_centroids, DistanceMetric.L2);
            double packMs = Lap(watch);
            _assignment.Run(_packed, _parallel);
            double assignMs = Lap(watch);
            _kernel.Run(_threads);
            double kernelMs = Lap(watch);
            if (s == 0)
                continue; // the first round warms up the JIT
            update.Add(updateMs);
            repair.Add(repairMs);
            pack.Add(packMs);
            assign.Add(assignMs);
            kernel.Add(kernelMs);
        }
        return new PhaseResult(_workload.Id, _threads, Summary.Of(update).Median, Summary.Of(repair).Median,
            Summary.Of(pack).Median, Summary.Of(assign).Median, Summary.Of(kernel).Median);
    }

    private static double Lap(Stopwatch watch)
    {
        double ms = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        return ms;
    }

    public static void Print(IReadOnlyList<PhaseResult> phases)
    {
        var table = new TextTable("workload", "threads", "update ms", "repair ms", "pack ms", "assignment ms",
            "kernel only ms", "iteration ms", "update %", "assign − kernel %");
        foreach (PhaseResult p in phases)
            table.Add(p.Workload, p.Threads.ToString(), $"{p.UpdateMs:F1}", $"{p.RepairMs:F2}", $"{p.PackMs:F2}",
                $"{p.AssignmentStepMs:F1}", $"{p.KernelOnlyMs:F1}", $"{p.IterationMs:F1}",
                $"{100 * p.UpdateMs / p.IterationMs:F0}", $"{100 * (p.AssignmentStepMs - p.KernelOnlyMs) / p.IterationMs:F0}");
        Console.WriteLine("Steps of one Lloyd iteration (median), as LloydRun runs them, on an in-memory sample:");
        table.Write(Console.Out);
    }

    public void Dispose()
    {
        _packed.Dispose();
        _sample.Dispose();
    }
}
