using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>In-memory against on-disk on one workload, both measured in the same run.</summary>
internal sealed record TableResult(
    string Workload,
    int Threads,
    int SamplesPerBuffer,
    Summary InMemoryMsPerIteration,
    Summary OnDiskMsPerIteration,
    double OnDiskOverInMemory,
    Summary PairedRatio,
    Summary CleanPairedRatio,
    Summary CleanInMemoryMsPerIteration,
    Summary CleanOnDiskMsPerIteration,
    Summary InMemoryTrainMs,
    Summary OnDiskTrainMs,
    Summary InMemorySampleBuildMs,
    Summary OnDiskSampleBuildMs,
    bool CentroidsIdentical,
    List<TrainingMeasurement> Samples);

/// <summary>
/// The published table (d=128, K=512, n=131,072 uniform, 20 iterations, tolerance 0, one redo, random init): the same
/// process alternates the buffers (in-memory first in even pairs, on-disk first in odd ones) after one warm-up of
/// each, so that drift in machine load falls on both alike; the ratio comes from this one run. On a shared machine
/// it adds pairs (up to as many again) until <c>samples</c> pairs ran undisturbed by other jobs.
/// </summary>
internal static class TableScenario
{
    private const int Iterations = 20;
    private const int WarmUpIterations = 3;

    /// <summary>A pair is clean when other processes used at most this share of the machine during both samples.</summary>
    public const double CleanOthersShare = 0.10;

    public static TableResult Run(BenchOptions options, BenchReport report)
    {
        Workload workload = options.WorkloadsOr(Workload.W1)[0];
        DatasetFile data = DatasetFile.Locate(workload, options.DataDirectory);
        int samples = options.SamplesOr(10);
        Console.WriteLine($"== table: {workload.Id} ({workload.DatasetName}) n={workload.Rows:N0} d={workload.Dimension} K={workload.K}, " +
                          $"{Iterations} iterations, random init, {options.Threads} threads, {samples} samples per buffer " +
                          $"(up to {samples} more pairs while fewer than {samples} are clean)");

        foreach (bool onDisk in new[] { false, true })
            TrainingMeasurement.Run(data, Options(workload, options, onDisk) with { MaxIterations = WarmUpIterations }, out _);

        var inMemory = new List<TrainingMeasurement>();
        var onDiskRuns = new List<TrainingMeasurement>();
        int cleanPairs = 0;
        for (int pair = 0; pair < samples || (cleanPairs < samples && pair < 2 * samples); pair++)
        {
            foreach (bool onDisk in pair % 2 == 0 ? new[] { false, true } : [true, false])
            {
                TrainingMeasurement m = TrainingMeasurement.Run(data, Options(workload, options, onDisk), out _);
                (onDisk ? onDiskRuns : inMemory).Add(m);
                Console.Error.WriteLine($"  pair {pair + 1,2} {m.Buffer,-9} {m.MedianIterationMs,8:F1} ms/iteration, " +
                                        $"train {m.TrainWallMs,8:F0} ms, others {KernelScenario.Percent(m.OthersCpuShare)} %");
            }
            if (IsClean(inMemory[^1]) && IsClean(onDiskRuns[^1]))
                cleanPairs++;
        }

        Summary im = Summary.Of(inMemory.Select(m => m.MedianIterationMs));
        Summary od = Summary.Of(onDiskRuns.Select(m => m.MedianIterationMs));
        var pairs = inMemory.Zip(onDiskRuns).ToList();
        var clean = pairs.Where(p => IsClean(p.First) && IsClean(p.Second)).ToList();
        var result = new TableResult(workload.Id, options.Threads, pairs.Count, im, od, od.Median / im.Median,
            Summary.Of(pairs.Select(p => p.Second.MedianIterationMs / p.First.MedianIterationMs)),
            Summary.Of(clean.Select(p => p.Second.MedianIterationMs / p.First.MedianIterationMs)),
            Summary.Of(clean.Select(p => p.First.MedianIterationMs)), Summary.Of(clean.Select(p => p.Second.MedianIterationMs)),
            Summary.Of(inMemory.Select(m => m.TrainWallMs)), Summary.Of(onDiskRuns.Select(m => m.TrainWallMs)),
            Summary.Of(inMemory.Select(m => m.SampleBuildMs)), Summary.Of(onDiskRuns.Select(m => m.SampleBuildMs)),
            inMemory.Concat(onDiskRuns).Select(m => m.CentroidsSha256).Distinct().Count() == 1,
            [.. inMemory, .. onDiskRuns]);
        Print(result);
        report.Table = result;
        return result;
    }

    private static bool IsClean(TrainingMeasurement m) => m.OthersCpuShare <= CleanOthersShare;

    private static KMeansOptions Options(Workload workload, BenchOptions options, bool onDisk) =>
        TrainingMeasurement.Options(workload, options.Threads, InitMethod.Random, Iterations, options.Seed, onDisk);

    private static void Print(TableResult r)
    {
        var table = new TextTable("buffer", "ms/iteration (median)", "range", "train ms (median)", "sample build ms", "GFLOP/s", "others %");
        double flops = Workload.Parse(r.Workload).FlopsPerIteration;
        table.Add("in-memory", $"{r.InMemoryMsPerIteration.Median:F1}", r.InMemoryMsPerIteration.Range("F1"),
            $"{r.InMemoryTrainMs.Median:F0}", $"{r.InMemorySampleBuildMs.Median:F0}", $"{flops / (r.InMemoryMsPerIteration.Median * 1e6):F0}",
            KernelScenario.Percent(Summary.Of(r.Samples.Where(m => m.Buffer == "in-memory").Select(m => m.OthersCpuShare)).Median));
        table.Add("on-disk", $"{r.OnDiskMsPerIteration.Median:F1}", r.OnDiskMsPerIteration.Range("F1"),
            $"{r.OnDiskTrainMs.Median:F0}", $"{r.OnDiskSampleBuildMs.Median:F0}", $"{flops / (r.OnDiskMsPerIteration.Median * 1e6):F0}",
            KernelScenario.Percent(Summary.Of(r.Samples.Where(m => m.Buffer == "on-disk").Select(m => m.OthersCpuShare)).Median));
        table.Write(Console.Out);
        Console.WriteLine($"on-disk / in-memory: {r.OnDiskOverInMemory:F3} (ratio of medians); per pair median {r.PairedRatio.Median:F3}, " +
                          $"range {r.PairedRatio.Range("F3")}; centroids bit-identical across all samples: {(r.CentroidsIdentical ? "yes" : "NO")}");
        Console.WriteLine(r.CleanPairedRatio.Count == 0
            ? $"No pair ran with others ≤ {100 * CleanOthersShare:F0} % on both samples: every ratio above is disturbed by other jobs."
            : $"Clean pairs (others ≤ {100 * CleanOthersShare:F0} % on both samples): {r.CleanPairedRatio.Count}; in-memory " +
              $"{r.CleanInMemoryMsPerIteration.Median:F1} ms, on-disk {r.CleanOnDiskMsPerIteration.Median:F1} ms (medians); " +
              $"on-disk / in-memory per pair median {r.CleanPairedRatio.Median:F3}, range {r.CleanPairedRatio.Range("F3")}.");
        Console.WriteLine();
    }
}
