using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// W4 (K = 4,096) trained hierarchically and flat, 20 iterations per run (per node for the tree), tolerance 0, random
/// initialisation, with each result's inertia computed the same way by bench/compare/inertia.py. The tree runs first (it is
/// fast); refine passes are added, one more at a time up to <see cref="MaxRefineIterations"/>, while its loss is more
/// than <see cref="LossGapTarget"/> above flat's. The tree also runs on disk to show the buffer API carries it. For
/// each tree the passes that gathered each level's nodes and the run's peak anonymous memory and RSS are shown.
/// </summary>
internal static class HierarchicalScenario
{
    private const double SpeedupTarget = 10;
    private const double LossGapTarget = 0.02;
    private const int MaxRefineIterations = 2;

    private sealed record TrainedRun(string Name, bool OnDisk, int Refine, TrainingMeasurement Measurement, double InertiaPerRow,
        double OthersShare, string Passes, long PeakAnonymousBytes, long PeakRssBytes);

    public static void Run(BenchOptions options)
    {
        Workload workload = Workload.W4;
        DatasetFile data = DatasetFile.Locate(workload, options.DataDirectory);
        Console.WriteLine($"== hierarchical: {workload.Id} (n={workload.Rows:N0}, d={workload.Dimension}, K={workload.K:N0}); " +
                          $"{WorkloadChild.Iterations} iterations, tolerance 0, random init, {options.Threads} threads, seed {options.Seed}, " +
                          "one sample per configuration (flat takes minutes)");
        Console.WriteLine($"   load average at the start: {MachineInfo.LoadAverageNow()}");

        var runs = new List<TrainedRun>
        {
            Train(data, options, "tree", hierarchical: true, onDisk: false, refine: 0),
            Train(data, options, "tree", hierarchical: true, onDisk: true, refine: 0),
        };
        TrainedRun flat = Train(data, options, "flat", hierarchical: false, onDisk: false, refine: 0);
        runs.Add(flat);
        for (int refine = 1; refine <= MaxRefineIterations && Gap(runs.Last(r => r.Name == "tree" && !r.OnDisk), flat) > LossGapTarget; refine++)
            runs.Add(Train(data, options, "tree", hierarchical: true, onDisk: false, refine));

        var table = new TextTable("training", "buffer", "refine", "train s", "sample s", "speed-up", "inertia/n", "loss gap", "own loss/n",
            "others %", "passes", "anon MiB", "RSS MiB");
        foreach (TrainedRun run in runs)
        {
            table.Add(run.Name, WorkloadChild.BufferName(run.OnDisk), run.Name == "flat" ? "" : run.Refine.ToString(),
                $"{run.Measurement.TrainWallMs / 1000:F1}", $"{run.Measurement.SampleBuildMs / 1000:F1}",
                $"{flat.Measurement.TrainWallMs / run.Measurement.TrainWallMs:F1}×", $"{run.InertiaPerRow:F5}",
                $"{Gap(run, flat) * 100:+0.00;-0.00} %", $"{run.Measurement.LossPerRow:F5}", KernelScenario.Percent(run.OthersShare),
                run.Passes, $"{run.PeakAnonymousBytes >> 20:N0}", $"{run.PeakRssBytes >> 20:N0}");
        }
        table.Write(Console.Out);
        Console.WriteLine("train s = wall time of KMeansTrainer.Train (initialisation included, sample building excluded); speed-up = flat train s / " +
                          "this train s; inertia/n = bench/compare/inertia.py over all rows (global nearest centroid); loss gap = inertia over flat's; " +
                          "own loss/n = the trainer's reported loss (for the tree: rows scored within their node, an upper bound); passes = passes " +
                          "over the parents' rows that gathered each level's nodes, levels 2, 3, ... (HierarchicalK per parent node if each node were " +
                          "gathered alone); anon / RSS MiB = peak anonymous memory / RSS of sampling and training, sampled every " +
                          $"{PeakMemorySampler.Period.TotalMilliseconds:F0} ms.");
        foreach (TrainedRun tree in runs.Where(r => r.Name == "tree" && !r.OnDisk))
        {
            double speedup = flat.Measurement.TrainWallMs / tree.Measurement.TrainWallMs;
            bool pass = speedup >= SpeedupTarget && Gap(tree, flat) <= LossGapTarget;
            Console.WriteLine($"tree with {tree.Refine} refine pass(es): {speedup:F1}× faster (target ≥ {SpeedupTarget}×), loss {Gap(tree, flat) * 100:+0.00;-0.00} % " +
                              $"(target ≤ {LossGapTarget * 100:F0} %): {(pass ? "PASS" : "FAIL")}");
        }
        Console.WriteLine();
    }

    private static double Gap(TrainedRun run, TrainedRun flat) => run.InertiaPerRow / flat.InertiaPerRow - 1;

    private static TrainedRun Train(DatasetFile data, BenchOptions options, string name, bool hierarchical, bool onDisk, int refine)
    {
        KMeansOptions training = TrainingMeasurement.Options(data.Workload, options.Threads, InitMethod.Random,
            WorkloadChild.Iterations, options.Seed, onDisk) with
        {
            Hierarchical = hierarchical ? HierarchicalMode.On : HierarchicalMode.Off,
            RefineIterations = refine,
        };
        TrainingMeasurement measurement;
        KMeansResult result;
        long peakAnonymous, peakRss;
        using (var memory = new PeakMemorySampler())
        {
            measurement = TrainingMeasurement.Run(data, training, out result);
            memory.Stop();
            (peakAnonymous, peakRss) = (memory.PeakAnonymous, memory.PeakRss);
        }
        string passes = string.Join("/", result.Levels.Skip(1).Select(level => level.GatheringPasses));
        double inertia = AnchorInertia.PerRow(data, result.Centroids, $"{name}-{WorkloadChild.BufferName(onDisk)}-refine{refine}");
        Console.Error.WriteLine($"  {name,-4} {WorkloadChild.BufferName(onDisk),-9} refine {refine}: train {measurement.TrainWallMs / 1000:F1} s, " +
                                $"inertia/n {inertia:F5}, own loss/n {measurement.LossPerRow:F5}, load {MachineInfo.LoadAverageNow()}");
        return new TrainedRun(name, onDisk, refine, measurement, inertia, measurement.OthersCpuShare, passes, peakAnonymous, peakRss);
    }
}
