using KMeans.Core.Buffers;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>One initialisation method's cost, in milliseconds and in Lloyd iterations.</summary>
/// <param name="InitializationMs">From the Train call to the report of the K-th chosen centroid (null when the
/// method reports no progress, as Random).</param>
/// <param name="BeforeFirstIterationMs">From the Train call to the start of iteration 1: set-up, initialisation and
/// the assignment to the initial centroids.</param>
/// <param name="IterationMs">The one Lloyd iteration that followed (its IterationReport.Elapsed).</param>
/// <param name="InitializationInIterations">Initialisation time over the median Random-init iteration time.</param>
internal sealed record InitResult(string Workload, string Init, int Threads, Summary? InitializationMs,
    Summary BeforeFirstIterationMs, Summary IterationMs, Summary TrainWallMs, double LossPerRowAfterOneIteration,
    double? InitializationInIterations);

/// <summary>
/// Initialisation time of every InitMethod (Random, k-means++, k-means‖ and whatever the trainer adds) against one Lloyd
/// iteration: KMeansTrainer with MaxIterations = 1 on one in-memory sample, methods interleaved per sample.
/// </summary>
internal static class InitScenario
{
    public static void Run(BenchOptions options, BenchReport report)
    {
        IReadOnlyList<Workload> workloads = options.WorkloadsOr(Workload.W1);
        int samples = options.SamplesOr(3);
        // Auto only picks one of the others by K, so timing it again would add nothing.
        InitMethod[] methods = Enum.GetValues<InitMethod>().Where(m => m != InitMethod.Auto).ToArray();
        Console.WriteLine($"== init: {string.Join(", ", methods)} on {string.Join(", ", workloads.Select(w => w.Id))}, " +
                          $"MaxIterations = 1, {options.Threads} threads, {samples} samples, median");
        var table = new TextTable("workload", "init", "init ms", "range", "before iter 1 ms", "1 iteration ms",
            "init / iteration", "train ms", "loss/n after 1 iter", "others %");
        foreach (Workload workload in workloads)
        {
            DatasetFile data = DatasetFile.Locate(workload, options.DataDirectory);
            KMeansOptions Training(InitMethod init) =>
                TrainingMeasurement.Options(workload, options.Threads, init, maxIterations: 1, options.Seed, onDisk: false);
            using TrainingBuffer sample = TrainingMeasurement.BuildSample(data, Training(InitMethod.Random), out double buildMs);
            var runs = methods.ToDictionary(m => m, _ => new List<TrainingMeasurement>());
            for (int s = 0; s < samples; s++)
            {
                foreach (InitMethod method in s % 2 == 0 ? methods : methods.Reverse())
                {
                    TrainingMeasurement m = TrainingMeasurement.Train(workload, sample, Training(method), buildMs, out _);
                    runs[method].Add(m);
                    Console.Error.WriteLine($"  {workload.Id} {method,-16} init {m.InitializationMs?.ToString("F0") ?? "-",8} ms, iteration {m.MedianIterationMs:F1} ms");
                }
            }
            double iterationMs = Summary.Of(runs[InitMethod.Random].Select(m => m.MedianIterationMs)).Median;
            foreach (InitMethod method in methods)
            {
                List<TrainingMeasurement> ms = runs[method];
                Summary? init = ms.All(m => m.InitializationMs is not null) ? Summary.Of(ms.Select(m => m.InitializationMs!.Value)) : null;
                var result = new InitResult(workload.Id, method.ToString(), options.Threads, init,
                    Summary.Of(ms.Select(m => m.BeforeFirstIterationMs ?? double.NaN)), Summary.Of(ms.Select(m => m.MedianIterationMs)),
                    Summary.Of(ms.Select(m => m.TrainWallMs)), ms[0].LossPerRow, init is { } i ? i.Median / iterationMs : null);
                report.Init.Add(result);
                table.Add(workload.Id, method.ToString(), init is { } a ? $"{a.Median:F0}" : "-", init is { } b ? b.Range("F0") : "",
                    $"{result.BeforeFirstIterationMs.Median:F0}", $"{result.IterationMs.Median:F1}",
                    result.InitializationInIterations is { } ratio ? $"{ratio:F1}" : "-", $"{result.TrainWallMs.Median:F0}",
                    $"{result.LossPerRowAfterOneIteration:F5}",
                    KernelScenario.Percent(Summary.Of(ms.Select(m => m.OthersCpuShare)).Median));
            }
        }
        table.Write(Console.Out);
        Console.WriteLine("init / iteration = initialisation time over the median Random-init Lloyd iteration of the same run.");
        Console.WriteLine();
    }
}
