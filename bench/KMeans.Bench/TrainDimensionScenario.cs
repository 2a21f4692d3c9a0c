using System.Diagnostics;
using KMeans.Core.Files;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// Whole trainings (sampling, initialisation, 20 Lloyd iterations at tolerance 0, and with a training dimension the
/// final full-dimension pass) at full dimension and with <see cref="KMeansOptions.TrainDimension"/>, alternating in
/// one process, the order swapped every sample: W2 (65,536 × 1,024, K = 256) with 128 dimensions, and Fashion-MNIST
/// (60,000 × 784, K = 64, a 16,384-row sample) with 96 (--train-dimension sets others); with --case W2-tree, W2's
/// rows and K = 4,096, trained as a tree. Reports the speed-up, the ratio of the final full-dimension losses, and
/// (from one more, untimed reduced training) the share of sample rows whose nearest full-dimension centroid is the
/// cluster they were trained into.
/// </summary>
internal static class TrainDimensionScenario
{
    private sealed record Case(string Name, Func<IVectorSource> Source, int K, int TrainDimension);

    private static string Phases(IEnumerable<(double Sampling, double Initialisation, double Iterations, double FinalPass)> phases)
    {
        var list = phases.ToList();
        return $"{Summary.Of(list.Select(p => p.Sampling)).Median:F0} / {Summary.Of(list.Select(p => p.Initialisation)).Median:F0} / " +
               $"{Summary.Of(list.Select(p => p.Iterations)).Median:F0} / {Summary.Of(list.Select(p => p.FinalPass)).Median:F0}";
    }

    public static void Run(BenchOptions options)
    {
        int samples = options.SamplesOr(3);
        var cases = new List<Case>();
        if (options.Case is null or "W2")
        {
            DatasetFile data = DatasetFile.Locate(Workload.W2, options.DataDirectory);
            cases.Add(new Case("W2", () => new RawFloat32Source(data.DataPath, Workload.W2.Rows, Workload.W2.Dimension), Workload.W2.K, 128));
        }
        if (options.Case is "W2-tree")
        {
            // Not in the default run: the tree's final pass by leaves, on W2's rows with K = 4,096 (a tree under Auto).
            DatasetFile data = DatasetFile.Locate(Workload.W2, options.DataDirectory);
            cases.Add(new Case("W2, tree", () => new RawFloat32Source(data.DataPath, Workload.W2.Rows, Workload.W2.Dimension), 4096, 128));
        }
        if (options.Case is null or "fashion-mnist")
        {
            float[][] fashion = FashionMnist.Load(FashionMnist.DefaultPath);
            cases.Add(new Case("Fashion-MNIST", () => new InMemoryVectorSource(fashion, "Fashion-MNIST"), 64, 96));
        }
        Console.WriteLine($"== train-dimension: whole training, full vs reduced dimension, {samples} samples each, alternating, " +
                          $"{options.Threads} threads, 20 iterations, tolerance 0, seed {options.Seed}");
        if (cases.Count == 0)
            throw new BenchUsageException($"--case must be W2, W2-tree or fashion-mnist, not '{options.Case}'.");
        var table = new TextTable("data", "d", "K", "train d", "full ms", "reduced ms", "speed-up", "range", "inertia ratio",
            "partition loss ratio", "agreement", "others %");
        if (options.TrainDimensions.Count > 0)
            cases = cases.SelectMany(c => options.TrainDimensions.Select(m => c with { TrainDimension = m })).ToList();
        foreach (Case c in cases)
        {
            var baseOptions = new KMeansOptions
            {
                K = c.K, MaxIterations = 20, Tolerance = 0, Seed = options.Seed, MaxDegreeOfParallelism = options.Threads,
            };
            var full = new List<(double Ms, KMeansResult Result, (double, double, double, double) Phases)>();
            var reduced = new List<(double Ms, KMeansResult Result, (double, double, double, double) Phases)>();
            CpuContention cpu = CpuContention.Now();
            for (int sample = 0; sample <= samples; sample++)
            {
                foreach (bool useReduced in sample % 2 == 0 ? new[] { false, true } : [true, false])
                {
                    KMeansOptions runOptions = useReduced ? baseOptions with { TrainDimension = c.TrainDimension } : baseOptions;
                    using IVectorSource source = c.Source();
                    var watch = Stopwatch.StartNew();
                    var phases = new TrainingPhaseClock();
                    KMeansResult result = KMeansTrainer.Train(source, runOptions, phases);
                    double ms = watch.Elapsed.TotalMilliseconds;
                    if (sample == 0)
                        continue; // the first pair warms up the JIT and the page cache
                    (useReduced ? reduced : full).Add((ms, result, phases.Stop()));
                }
            }
            double others = CpuContention.Now().OthersShareSince(cpu);
            // The agreement costs a full-dimension assignment, so it is measured apart, after the timed runs.
            KMeansResult measured;
            using (IVectorSource source = c.Source())
            {
                measured = KMeansTrainer.Train(source,
                    baseOptions with { TrainDimension = c.TrainDimension, MeasureNearestCentroidAgreement = true });
            }
            var ratios = full.Zip(reduced, (f, r) => f.Ms / r.Ms).ToList();
            KMeansResult fullResult = full[0].Result;
            KMeansResult reducedResult = reduced[0].Result;
            bool deterministic = full.All(f => f.Result.Loss == fullResult.Loss) && reduced.All(r => r.Result.Loss == reducedResult.Loss)
                && measured.Loss == reducedResult.Loss;
            Summary fullMs = Summary.Of(full.Select(f => f.Ms));
            Summary reducedMs = Summary.Of(reduced.Select(r => r.Ms));
            table.Add(c.Name, reducedResult.Dimension.ToString(), c.K.ToString(), c.TrainDimension.ToString(),
                $"{fullMs.Median:F0}", $"{reducedMs.Median:F0}", $"{fullMs.Median / reducedMs.Median:F2}",
                Summary.Of(ratios).Range("F2"), $"{measured.NearestCentroidLoss / fullResult.Loss:F4}",
                $"{reducedResult.Loss / fullResult.Loss:F4}",
                $"{measured.NearestCentroidAgreement:P2}", KernelScenario.Percent(others));
            Console.WriteLine($"{c.Name}: full loss/n {fullResult.Loss / fullResult.SampleRows:G6}, reduced loss/n " +
                              $"{reducedResult.Loss / reducedResult.SampleRows:G6} (in {c.TrainDimension} dimensions " +
                              $"{reducedResult.TrainDimensionLoss / reducedResult.SampleRows:G6}), {reducedResult.SampleRows:N0} sample rows; " +
                              $"same loss in every sample: {(deterministic ? "yes" : "NO")}.");
            Console.WriteLine($"  phases, median ms (sampling / initialisation / iterations / final pass): full {Phases(full.Select(f => f.Phases))}, " +
                              $"reduced {Phases(reduced.Select(r => r.Phases))}");
        }
        table.Write(Console.Out);
        Console.WriteLine("speed-up = median full ms / median reduced ms (range: per-pair ratios); inertia ratio = the reduced run's " +
                          "centroids with every sample row at its nearest one (measured apart, untimed) / the full run's final loss; " +
                          "partition loss ratio = the reduced run's reported loss (rows kept in their trained cluster) / the full run's; " +
                          "agreement = sample rows whose nearest full-dimension centroid is their trained cluster.");
    }
}
