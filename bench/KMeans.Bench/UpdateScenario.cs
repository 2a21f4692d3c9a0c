using System.Diagnostics;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// The update step old and new, inside whole Lloyd iterations (update, repair, pack, assignment without bound skipping,
/// as <c>IterationPhases</c> times them) on an in-memory sample: <see cref="RangeWalkUpdate"/> (each thread walks every
/// row) against <c>CentroidUpdate</c> (each thread sums its own run of clusters from a list of their rows, each row read once), alternating in one process, the order
/// swapped every round. Each iteration is set against numpy's sgemm bound (2·n·K·d flops at the fastest sgemm rate
/// measured before and after each workload, in the same run). Before every round both updates run on the same labels and their centroids are
/// compared bit for bit.
/// </summary>
internal static class UpdateScenario
{
    public static void Run(BenchOptions options)
    {
        IReadOnlyList<Workload> workloads = options.WorkloadsOr(Workload.W1, Workload.W2);
        int rounds = options.SamplesOr(10);
        int threads = options.Threads;
        Console.WriteLine($"== update: range walk (old) vs one row list per thread (new), {rounds} rounds, {threads} threads, alternating");
        var sgemm = new List<double> { SgemmRate.Measure() };
        var table = new TextTable("workload", "update", "update ms", "iteration ms", "range", "others %");
        var lines = new List<string>();
        var bounds = new List<(Workload Workload, Summary Old, Summary New)>();
        foreach (Workload workload in workloads)
        {
            DatasetFile data = DatasetFile.Locate(workload, options.DataDirectory);
            using var source = new RawFloat32Source(data.DataPath, workload.Rows, workload.Dimension);
            float[] rows = source.ReadAll();
            (Summary oldUpdate, Summary oldIteration, Summary newUpdate, Summary newIteration, int mismatches, double others) =
                Measure(rows, workload, threads, rounds);
            lines.Add($"{workload.Id}: centroids of old and new update {(mismatches == 0 ? "bit-identical" : $"DIFFER in {mismatches} rounds")}; " +
                      $"new / old iteration {newIteration.Median / oldIteration.Median:F3}, update {newUpdate.Median / oldUpdate.Median:F3}");
            table.Add(workload.Id, "old", $"{oldUpdate.Median:F1}", $"{oldIteration.Median:F1}", oldIteration.Range("F1"), KernelScenario.Percent(others));
            table.Add(workload.Id, "new", $"{newUpdate.Median:F1}", $"{newIteration.Median:F1}", newIteration.Range("F1"), KernelScenario.Percent(others));
            bounds.Add((workload, oldIteration, newIteration));
            sgemm.Add(SgemmRate.Measure());
        }
        // Other processes can only slow sgemm down, so the fastest measurement is the machine's rate.
        double rate = sgemm.Max();
        Console.WriteLine($"numpy sgemm, before and after each workload: {string.Join(", ", sgemm.Select(g => g.ToString("F0")))} GFLOP/s; " +
                          $"bound = 2·n·K·d at the fastest, {rate:F0} GFLOP/s.");
        table.Write(Console.Out);
        foreach ((Workload workload, Summary oldIteration, Summary newIteration) in bounds)
        {
            double boundMs = workload.FlopsPerIteration / (rate * 1e9) * 1e3;
            Console.WriteLine($"{workload.Id} sgemm bound {boundMs:F1} ms per iteration: iteration / bound old {oldIteration.Median / boundMs:F2} " +
                              $"(fastest {oldIteration.Min / boundMs:F2}), new {newIteration.Median / boundMs:F2} (fastest {newIteration.Min / boundMs:F2}).");
        }
        foreach (string line in lines)
            Console.WriteLine(line);
        Console.WriteLine("others % = other processes' share of the machine while the workload ran.");
    }

    private static (Summary OldUpdate, Summary OldIteration, Summary NewUpdate, Summary NewIteration, int Mismatches, double Others)
        Measure(float[] rows, Workload workload, int threads, int rounds)
    {
        int d = workload.Dimension;
        int k = workload.K;
        using TrainingBuffer sample = TrainingBuffer.Create(onDisk: false, workload.Rows, d, Path.GetTempPath());
        sample.WriteRows(0, rows);
        sample.Seal(workload.Rows);
        using var packed = new PackedCentroids(k, d);
        var assignment = new Assignment(sample, k, DistanceMetric.L2, KMeansOptions.DefaultRowsPerBlock);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        var rangeWalk = new RangeWalkUpdate(k, d);
        var grouped = new CentroidUpdate(k, d, DistanceMetric.L2);
        float[] centroids = rows.AsSpan(0, k * d).ToArray();
        packed.Pack(centroids, DistanceMetric.L2);
        assignment.Run(packed, parallel);
        var times = new Dictionary<bool, (List<double> Update, List<double> Iteration)>
        {
            [false] = ([], []),
            [true] = ([], []),
        };
        int mismatches = 0;
        CpuContention cpu = CpuContention.Now();
        for (int round = 0; round <= rounds; round++)
        {
            float[] byWalk = (float[])centroids.Clone();
            float[] byGroup = (float[])centroids.Clone();
            rangeWalk.Run(sample, assignment.Blocks, assignment.Labels, assignment.Sizes, byWalk, parallel);
            grouped.Run(sample, assignment.Labels, assignment.Sizes, byGroup, parallel);
            if (!byWalk.AsSpan().SequenceEqual(byGroup))
                mismatches++;
            foreach (bool useNew in round % 2 == 0 ? new[] { false, true } : [true, false])
            {
                var watch = Stopwatch.StartNew();
                if (useNew)
                    grouped.Run(sample, assignment.Labels, assignment.Sizes, centroids, parallel);
                else
                    rangeWalk.Run(sample, assignment.Blocks, assignment.Labels, assignment.Sizes, centroids, parallel);
                double updateMs = watch.Elapsed.TotalMilliseconds;
                EmptyClusterRepair.Repair(centroids, assignment.Sizes, d, DistanceMetric.L2);
                packed.Pack(centroids, DistanceMetric.L2);
                assignment.Run(packed, parallel);
                double iterationMs = watch.Elapsed.TotalMilliseconds;
                if (round == 0)
                    continue; // the first round warms up the JIT
                times[useNew].Update.Add(updateMs);
                times[useNew].Iteration.Add(iterationMs);
            }
        }
        double others = CpuContention.Now().OthersShareSince(cpu);
        return (Summary.Of(times[false].Update), Summary.Of(times[false].Iteration), Summary.Of(times[true].Update),
            Summary.Of(times[true].Iteration), mismatches, others);
    }
}
