using System.Diagnostics;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// The update step inside whole Lloyd iterations (update, repair, pack, assignment without bound skipping, as
/// <c>IterationPhases</c> times them) on an in-memory sample, three ways alternating in one process, the order rotated
/// every round: <see cref="RangeWalkUpdate"/> (old: each thread walks every row), <c>CentroidUpdate</c>'s pass of its
/// own (new: each thread sums its own run of clusters from a list of their rows, each row read once), and folded, as
/// <c>LloydRun</c> iterates in memory from 2 threads and K ≥ 16 × threads (<c>LloydRun.AddsKeepUp</c>): the sums were
/// taken during the previous assignment, so the iteration is the means, repair, pack and an assignment that takes the
/// next sums range by range. Each iteration is set against numpy's sgemm bound, 2·n·K·d flops at the sgemm rate
/// sampled once per round, after its variants: medians against the median rate, the fastest iteration against the
/// fastest rate, so that a quiet or a busy moment counts for both sides alike. Every round checks that the three give
/// bit-identical centroids from the same labels.
/// </summary>
internal static class UpdateScenario
{
    public static void Run(BenchOptions options)
    {
        IReadOnlyList<Workload> workloads = options.WorkloadsOr(Workload.W1, Workload.W2);
        int rounds = options.SamplesOr(10);
        int threads = options.Threads;
        Console.WriteLine($"== update: range walk (old) vs one row list per thread (new) vs taken during the assignment (folded), {rounds} rounds, {threads} threads, alternating");
        using SgemmRate sgemm = SgemmRate.Start();
        var table = new TextTable("workload", "update", "update ms", "iteration ms", "range", "others %");
        var lines = new List<string>();
        var bounds = new List<(Workload Workload, Timings Timings)>();
        foreach (Workload workload in workloads)
        {
            DatasetFile data = DatasetFile.Locate(workload, options.DataDirectory);
            using var source = new RawFloat32Source(data.DataPath, workload.Rows, workload.Dimension);
            float[] rows = source.ReadAll();
            Timings t = Measure(rows, workload, threads, rounds, sgemm);
            lines.Add($"{workload.Id}: centroids of old, new and folded update {(t.Mismatches == 0 ? "bit-identical" : $"DIFFER in {t.Mismatches} rounds")}; " +
                      $"new / old iteration {t.NewIteration.Median / t.OldIteration.Median:F3}, update {t.NewUpdate.Median / t.OldUpdate.Median:F3}; " +
                      $"folded / new iteration {t.FoldedIteration.Median / t.NewIteration.Median:F3}");
            string others = KernelScenario.Percent(t.Others);
            table.Add(workload.Id, "old", $"{t.OldUpdate.Median:F1}", $"{t.OldIteration.Median:F1}", t.OldIteration.Range("F1"), others);
            table.Add(workload.Id, "new", $"{t.NewUpdate.Median:F1}", $"{t.NewIteration.Median:F1}", t.NewIteration.Range("F1"), others);
            table.Add(workload.Id, "folded", "-", $"{t.FoldedIteration.Median:F1}", t.FoldedIteration.Range("F1"), others);
            bounds.Add((workload, t));
        }
        table.Write(Console.Out);
        foreach ((Workload workload, Timings t) in bounds)
        {
            double medianBoundMs = workload.FlopsPerIteration / (t.Sgemm.Median * 1e9) * 1e3;
            double fastestBoundMs = workload.FlopsPerIteration / (t.Sgemm.Max * 1e9) * 1e3;
            string Ratios(Summary iteration) => $"{iteration.Median / medianBoundMs:F2} (fastest {iteration.Min / fastestBoundMs:F2})";
            Console.WriteLine($"{workload.Id}: numpy sgemm in the same rounds {t.Sgemm.Median:F0} GFLOP/s median ({t.Sgemm.Range("F0")}), " +
                              $"bound {medianBoundMs:F1} ms per iteration ({fastestBoundMs:F1} at the fastest); iteration / bound, median ÷ median " +
                              $"(fastest ÷ fastest): old {Ratios(t.OldIteration)}, new {Ratios(t.NewIteration)}, folded {Ratios(t.FoldedIteration)}.");
        }
        foreach (string line in lines)
            Console.WriteLine(line);
        Console.WriteLine("others % = other processes' share of the machine while the workload ran.");
    }

    private sealed record Timings(Summary OldUpdate, Summary OldIteration, Summary NewUpdate, Summary NewIteration,
        Summary FoldedIteration, Summary Sgemm, int Mismatches, double Others);

    private enum Variant
    {
        Old,
        New,
        Folded,
    }

    private static Timings Measure(float[] rows, Workload workload, int threads, int rounds, SgemmRate sgemm)
    {
        int d = workload.Dimension;
        int k = workload.K;
        using TrainingBuffer sample = TrainingBuffer.Create(onDisk: false, workload.Rows, d, Path.GetTempPath());
        sample.WriteRows(0, rows);
        sample.Seal(workload.Rows);
        using var packed = new PackedCentroids(k, d, ScreenedAssignment.Screens(null, k, d));
        var assignment = new Assignment(sample, k, DistanceMetric.L2, KMeansOptions.DefaultRowsPerBlock);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        var rangeWalk = new RangeWalkUpdate(k, d);
        var grouped = new CentroidUpdate(k, d, DistanceMetric.L2);
        var folding = new CentroidUpdate(k, d, DistanceMetric.L2);
        float[] centroids = rows.AsSpan(0, k * d).ToArray();
        packed.Pack(centroids, DistanceMetric.L2);
        assignment.Run(packed, parallel);
        var update = new Dictionary<Variant, List<double>> { [Variant.Old] = [], [Variant.New] = [] };
        var iteration = new Dictionary<Variant, List<double>> { [Variant.Old] = [], [Variant.New] = [], [Variant.Folded] = [] };
        Variant[] variants = [Variant.Old, Variant.New, Variant.Folded];
        int mismatches = 0;
        var rates = new List<double>();
        // The timed rounds' ticks alone: numpy's sample between them is this run's own work, not competition.
        CpuContention timed = default;
        for (int round = 0; round <= rounds; round++)
        {
            CpuContention roundStart = CpuContention.Now();
            float[] byWalk = (float[])centroids.Clone();
            float[] byGroup = (float[])centroids.Clone();
            float[] byFold = (float[])centroids.Clone();
            // The same centroids assign the same labels again, this time taking their sums on the way.
            packed.Pack(centroids, DistanceMetric.L2);
            assignment.Run(packed, parallel, update: folding);
            rangeWalk.Run(sample, assignment.Blocks, assignment.Labels, assignment.Sizes, byWalk, parallel);
            grouped.Run(sample, assignment.Labels, assignment.Sizes, byGroup, parallel);
            folding.Apply(assignment.Sizes, byFold);
            if (!byWalk.AsSpan().SequenceEqual(byGroup) || !byFold.AsSpan().SequenceEqual(byGroup))
                mismatches++;
            for (int v = 0; v < variants.Length; v++)
            {
                Variant variant = variants[(v + round) % variants.Length];
                // Each variant starts from sums of the current labels: the folded one took them in the assignment above
                // or in its own previous pass, and rebuilds them (untimed) when another variant assigned since.
                if (variant == Variant.Folded && v > 0)
                    folding.AddAll(sample, assignment.Labels, parallel);
                var watch = Stopwatch.StartNew();
                switch (variant)
                {
                    case Variant.Old:
                        rangeWalk.Run(sample, assignment.Blocks, assignment.Labels, assignment.Sizes, centroids, parallel);
                        break;
                    case Variant.New:
                        grouped.Run(sample, assignment.Labels, assignment.Sizes, centroids, parallel);
                        break;
                    default:
                        folding.Apply(assignment.Sizes, centroids);
                        break;
                }
                double updateMs = watch.Elapsed.TotalMilliseconds;
                EmptyClusterRepair.Repair(centroids, assignment.Sizes, d, DistanceMetric.L2);
                packed.Pack(centroids, DistanceMetric.L2);
                assignment.Run(packed, parallel, update: variant == Variant.Folded ? folding : null);
                double iterationMs = watch.Elapsed.TotalMilliseconds;
                if (round == 0)
                    continue; // the first round warms up the JIT
                if (variant != Variant.Folded)
                    update[variant].Add(updateMs);
                iteration[variant].Add(iterationMs);
            }
            timed = timed.Plus(CpuContention.Now().Since(roundStart));
            if (round > 0)
                rates.Add(sgemm.Sample());
        }
        return new Timings(Summary.Of(update[Variant.Old]), Summary.Of(iteration[Variant.Old]), Summary.Of(update[Variant.New]),
            Summary.Of(iteration[Variant.New]), Summary.Of(iteration[Variant.Folded]), Summary.Of(rates), mismatches, timed.OthersShare);
    }
}
