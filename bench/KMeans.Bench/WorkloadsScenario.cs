using System.Text.Json;

namespace KMeans.Bench;

/// <summary>
/// W1–W4, both buffers, each training (20 iterations, tolerance 0, one redo, random init) in a fresh child process so
/// that its peak memory is its own. Buffers alternate per sample, as in the table.
/// </summary>
internal static class WorkloadsScenario
{
    private const double MiB = 1024 * 1024;

    public static void Run(BenchOptions options, BenchReport report)
    {
        IReadOnlyList<Workload> workloads = options.WorkloadsOr([.. Workload.All]);
        int samples = options.SamplesOr(1);
        foreach (Workload workload in workloads)
            DatasetFile.Locate(workload, options.DataDirectory);
        Console.WriteLine($"== workloads: {string.Join(", ", workloads.Select(w => w.Id))}; {WorkloadChild.Iterations} iterations, " +
                          $"tolerance 0, 1 redo, random init, {options.Threads} threads, {samples} sample(s) per buffer, one process per training");

        var results = new List<WorkloadResult>();
        foreach (Workload workload in workloads)
        {
            for (int sample = 0; sample < samples; sample++)
            {
                foreach (bool onDisk in sample % 2 == 0 ? new[] { false, true } : [true, false])
                {
                    string json = ChildProcess.Run(WorkloadChild.Arguments(workload, onDisk, options));
                    WorkloadResult result = JsonSerializer.Deserialize<WorkloadResult>(json, BenchJson.Options)
                                            ?? throw new InvalidOperationException("The child process returned no result.");
                    results.Add(result);
                    Console.Error.WriteLine($"  {workload.Id} {result.Measurement.Buffer,-9} {result.Measurement.MedianIterationMs,9:F1} ms/iteration, " +
                                            $"peak anon {result.PeakAnonymous / MiB:F0} MiB, others {KernelScenario.Percent(result.Measurement.OthersCpuShare)} %");
                }
            }
        }
        report.Workloads.AddRange(results);
        Print(workloads, results);
    }

    private static void Print(IReadOnlyList<Workload> workloads, List<WorkloadResult> results)
    {
        var table = new TextTable("workload", "buffer", "ms/iter", "range", "GFLOP/s", "train ms", "sample ms", "loss/n",
            "base RSS", "peak RSS", "base anon", "peak anon", "anon +", "anon budget", "others %");
        foreach (Workload workload in workloads)
        {
            foreach (string buffer in new[] { "in-memory", "on-disk" })
            {
                List<WorkloadResult> runs = results.Where(r => r.Measurement.Workload == workload.Id && r.Measurement.Buffer == buffer).ToList();
                if (runs.Count == 0)
                    continue;
                Summary ms = Summary.Of(runs.Select(r => r.Measurement.MedianIterationMs));
                WorkloadResult first = runs[0];
                table.Add(workload.Id, buffer, $"{ms.Median:F1}", ms.Range("F1"), $"{workload.FlopsPerIteration / (ms.Median * 1e6):F0}",
                    $"{Summary.Of(runs.Select(r => r.Measurement.TrainWallMs)).Median:F0}",
                    $"{Summary.Of(runs.Select(r => r.Measurement.SampleBuildMs)).Median:F0}",
                    $"{first.Measurement.LossPerRow:F5}",
                    Mib(runs.Max(r => r.BaselineRss)), Mib(runs.Max(r => r.PeakRss)),
                    Mib(runs.Max(r => r.BaselineAnonymous)), Mib(runs.Max(r => r.PeakAnonymous)),
                    Mib(runs.Max(r => r.AnonymousAboveBaseline)), buffer == "on-disk" ? Mib(first.AnonymousBudget) : "",
                    KernelScenario.Percent(Summary.Of(runs.Select(r => r.Measurement.OthersCpuShare)).Median));
            }
        }
        table.Write(Console.Out);
        Console.WriteLine("Memory columns in MiB: base = the child process just before building the sample; peak RSS = VmHWM " +
                          $"(reset at the baseline: {(results.All(r => r.PeakRssWasReset) ? "yes" : "no")}); peak anon = RssAnon sampled every " +
                          $"{PeakMemorySampler.Period.TotalMilliseconds:F0} ms; anon + = peak anon − base anon; budget = 64 MiB + K·d·4·(threads+2);" +
                          " others % = share of the machine's CPU used by other processes during training.");
        foreach (Workload workload in workloads)
        {
            double im = Median(results, workload, "in-memory");
            double od = Median(results, workload, "on-disk");
            bool identical = results.Where(r => r.Measurement.Workload == workload.Id).Select(r => r.Measurement.CentroidsSha256).Distinct().Count() == 1;
            Console.WriteLine($"{workload.Id}: on-disk / in-memory = {od / im:F3}; centroids bit-identical: {(identical ? "yes" : "NO")}");
        }
        Console.WriteLine();
    }

    private static double Median(List<WorkloadResult> results, Workload workload, string buffer) =>
        Summary.Of(results.Where(r => r.Measurement.Workload == workload.Id && r.Measurement.Buffer == buffer)
            .Select(r => r.Measurement.MedianIterationMs)).Median;

    private static string Mib(long bytes) => $"{bytes / MiB:F0}";
}
