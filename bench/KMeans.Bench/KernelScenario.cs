using System.Diagnostics;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>One configuration of the assignment kernel: its time per pass over all rows and achieved GFLOP/s.</summary>
internal sealed record KernelResult(string Workload, string Path, int Threads, Summary MsPerPass, double GflopsPerSecond,
    int LabelsDifferingFromReference, double OthersCpuShare);

/// <summary>
/// AssignmentKernel.Assign alone, over every row of the W1 and W2 files in memory (no buffer, no loss, no update),
/// with the first K rows as centroids: single-threaded, then on all requested threads over the trainer's block
/// partition, then the portable fallback for reference. Labels of every configuration are compared with
/// the single-threaded tile's (the tile must match across thread counts; the portable path rounds differently).
/// </summary>
internal static class KernelScenario
{
    public static void Run(BenchOptions options, BenchReport report)
    {
        IReadOnlyList<Workload> workloads = options.WorkloadsOr(Workload.W1, Workload.W2);
        int samples = options.SamplesOr(5);
        Console.WriteLine($"== kernel: AssignmentKernel.Assign ({TilePath}), " +
                          $"{KMeansOptions.DefaultRowsPerBlock} rows per block, {samples} samples, median");
        if (PeakFlops.IsAvailable)
        {
            CpuContention cpu = CpuContention.Now();
            double one = PeakFlops.Measure(1);
            double all = PeakFlops.Measure(options.Threads);
            double others = CpuContention.Now().OthersShareSince(cpu);
            report.PeakGflopsPerSecond = [one, all];
            Console.WriteLine($"Machine ceiling (register-only {PeakFlops.Width} FMA loop): {one:F0} GFLOP/s on 1 thread, {all:F0} on {options.Threads} " +
                              $"(others {Percent(others)} %).");
        }
        var table = new TextTable("workload", "path", "threads", "ms/pass", "range", "GFLOP/s", "labels ≠ 1-thread tile", "others %");
        foreach (Workload workload in workloads)
        {
            DatasetFile data = DatasetFile.Locate(workload, options.DataDirectory);
            using var source = new RawFloat32Source(data.DataPath, workload.Rows, workload.Dimension);
            float[] rows = source.ReadAll();
            using var packed = new PackedCentroids(workload.K, workload.Dimension);
            packed.Pack(rows.AsSpan(0, workload.K * workload.Dimension), DistanceMetric.L2);
            var pass = new KernelPass(rows, workload, packed);

            pass.Run(threads: 1);
            int[] reference = pass.Labels.ToArray();
            var results = new List<KernelResult>
            {
                Measure(workload, pass, portable: false, 1, samples, reference),
                Measure(workload, pass, portable: false, options.Threads, samples, reference),
            };
            results.Add(Measure(workload, pass, portable: true, options.Threads, Math.Min(samples, 3), reference));
            foreach (KernelResult r in results)
                table.Add(r.Workload, r.Path, r.Threads.ToString(), $"{r.MsPerPass.Median:F1}", r.MsPerPass.Range("F1"),
                    $"{r.GflopsPerSecond:F0}", r.LabelsDifferingFromReference.ToString(), Percent(r.OthersCpuShare));
            report.Kernel.AddRange(results);

            using var phases = new IterationPhases(rows, workload, options.Threads);
            report.IterationPhases.Add(phases.Measure(samples));
        }
        table.Write(Console.Out);
        Console.WriteLine("others % = share of the machine's CPU time used by other processes during the measurement.");
        Console.WriteLine();
        IterationPhases.Print(report.IterationPhases);
    }

    private static string TilePath =>
        AssignmentKernel.UsesAvx512 ? "AVX-512 tile" : AssignmentKernel.UsesAvx2 ? "AVX2 tile" : "portable";

    public static string Percent(double share) => double.IsNaN(share) ? "n/a" : $"{100 * share:F0}";

    private static KernelResult Measure(Workload workload, KernelPass pass, bool portable, int threads, int samples,
        int[] reference)
    {
        pass.Run(threads, portable);
        int differing = 0;
        for (int i = 0; i < reference.Length; i++)
            differing += pass.Labels[i] != reference[i] ? 1 : 0;
        var times = new List<double>();
        CpuContention cpu = CpuContention.Now();
        for (int s = 0; s < samples; s++)
        {
            var watch = Stopwatch.StartNew();
            pass.Run(threads, portable);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        Summary ms = Summary.Of(times);
        return new KernelResult(workload.Id, portable ? "portable" : TilePath, threads, ms, workload.FlopsPerIteration / (ms.Median * 1e6), differing,
            CpuContention.Now().OthersShareSince(cpu));
    }
}
