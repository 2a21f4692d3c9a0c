using System.Diagnostics;
using KMeans.Core.Sampling;
using KMeans.Core.Training;
using KMeans.Core.Training.Checkpoints;

namespace KMeans.Bench;

/// <summary>
/// The cost of checkpoints on W4 (K = 4,096, trained as a tree like Invoke-KMeansTraining does by default at that K):
/// training without a checkpoint and with the default 5-minute interval, alternating, <see cref="Pairs"/> pairs, each
/// timed in wall time and in this process's CPU time (less disturbed by other jobs on a shared machine); then one
/// training with a checkpoint after every iteration and tree node; then one write of a checkpoint taken in the
/// refinement after the tree (top level, every node and the refinement: the largest a tree writes) timed alone, which bounds what the default interval costs: a training
/// shorter than the interval writes once, at the end; and the sample's probe, which every checkpointed training takes once.
/// </summary>
internal static class CheckpointScenario
{
    private const int Pairs = 3;
    private const int Writes = 10;

    public static void Run(BenchOptions options)
    {
        Workload workload = Workload.W4;
        DatasetFile data = DatasetFile.Locate(workload, options.DataDirectory);
        KMeansOptions training = TrainingMeasurement.Options(workload, options.Threads, InitMethod.Auto,
            WorkloadChild.Iterations, options.Seed, onDisk: false) with { Hierarchical = HierarchicalMode.Auto };
        Console.WriteLine($"== checkpoint: {workload.Id} (n={workload.Rows:N0}, d={workload.Dimension}, K={workload.K:N0}) as a tree, " +
                          $"{WorkloadChild.Iterations} iterations per node, {options.Threads} threads, seed {options.Seed}; " +
                          $"{Pairs} alternating pairs without / with -CheckpointPath (default interval)");
        Console.WriteLine($"   load average at the start: {MachineInfo.LoadAverageNow()} (the machine is shared: timings are noisy)");
        string directory = Directory.CreateTempSubdirectory("kmeans-checkpoint-bench-").FullName;
        try
        {
            var without = new List<Timing>();
            var with = new List<Timing>();
            for (int pair = 0; pair < Pairs; pair++)
            {
                without.Add(Train(data, training, checkpoint: null));
                with.Add(Train(data, training, Checkpoint(directory, $"default-{pair}.kmc", CheckpointOptions.DefaultInterval)));
                Console.Error.WriteLine($"  pair {pair + 1}: without {without[^1]}, with {with[^1]}, load {MachineInfo.LoadAverageNow()}");
            }
            string stopped = Path.Combine(directory, "stopped.kmc");
            StopInTheRefinement(data, training, Checkpoint(directory, "stopped.kmc", TimeSpan.Zero));
            Timing everyIteration = Train(data, training, Checkpoint(directory, "every.kmc", TimeSpan.Zero));
            CheckpointState state = CheckpointFile.Read(stopped);
            double probe = ProbeMilliseconds(data, training);
            var writes = new List<double>();
            for (int repeat = 0; repeat < Writes; repeat++)
            {
                var watch = Stopwatch.StartNew();
                CheckpointFile.Write(stopped, state);
                writes.Add(watch.Elapsed.TotalMilliseconds);
            }

            Timing medianWithout = Timing.Median(without);
            Timing medianWith = Timing.Median(with);
            var table = new TextTable("training", "runs", "median wall ms", "vs without", "median CPU ms", "vs without");
            table.Add("without checkpoint", $"{Pairs}", $"{medianWithout.WallMs:F0}", "", $"{medianWithout.CpuMs:F0}", "");
            table.Add("checkpoint, 5 min interval", $"{Pairs}", $"{medianWith.WallMs:F0}", Change(medianWith.WallMs, medianWithout.WallMs),
                $"{medianWith.CpuMs:F0}", Change(medianWith.CpuMs, medianWithout.CpuMs));
            table.Add("checkpoint, interval 0", "1", $"{everyIteration.WallMs:F0}", Change(everyIteration.WallMs, medianWithout.WallMs),
                $"{everyIteration.CpuMs:F0}", Change(everyIteration.CpuMs, medianWithout.CpuMs));
            table.Write(Console.Out);
            double write = Summary.Of(writes).Median;
            Console.WriteLine($"one write of a checkpoint holding the top level, every node and the refinement ({new FileInfo(stopped).Length:N0} bytes, " +
                              $"flushed to disk, renamed): median {write:F1} ms over {Writes} writes, " +
                              $"{write / medianWithout.WallMs * 100:F2} % of the median training without a checkpoint");
            Console.WriteLine($"the sample's probe (every row's hash, taken once per checkpointed training): median {probe:F1} ms over " +
                              $"{Writes} takes, {probe / medianWithout.WallMs * 100:F2} % of the median training without a checkpoint");
            Console.WriteLine("with the default interval a training shorter than 5 minutes writes once, at the end (the result alone, " +
                              "smaller than that); a longer one at most once per 5 minutes, i.e. at most " +
                              $"{write / TimeSpan.FromMinutes(5).TotalMilliseconds * 100:F3} % of its time");
            Console.WriteLine();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static CheckpointOptions Checkpoint(string directory, string name, TimeSpan interval) =>
        new() { Path = Path.Combine(directory, name), Interval = interval };

    private static string Change(double value, double baseline) => $"{(value / baseline - 1) * 100:+0.0;-0.0} %";

    private readonly record struct Timing(double WallMs, double CpuMs)
    {
        public static Timing Median(List<Timing> timings) =>
            new(Summary.Of(timings.Select(t => t.WallMs)).Median, Summary.Of(timings.Select(t => t.CpuMs)).Median);

        public override string ToString() => $"{WallMs:F0} ms wall, {CpuMs:F0} ms CPU";
    }

    /// <summary>The median time of the checkpoint's sample probe (<see cref="CheckpointFingerprint.Sample"/>) on W4's sample.</summary>
    private static double ProbeMilliseconds(DatasetFile data, KMeansOptions training)
    {
        using var source = new RawFloat32Source(data.DataPath, data.Workload.Rows, data.Workload.Dimension);
        using var sample = new ProjectedSample(SampleBuilder.Build(source, training, training.Seed!.Value, null, CancellationToken.None,
            out _), projected: null);
        var takes = new List<double>();
        for (int repeat = 0; repeat < Writes; repeat++)
        {
            var watch = Stopwatch.StartNew();
            CheckpointFingerprint.Sample(sample, CancellationToken.None);
            takes.Add(watch.Elapsed.TotalMilliseconds);
        }
        return Summary.Of(takes).Median;
    }

    /// <summary>One training from the file, sampling included (a resumed run rebuilds it too).</summary>
    private static Timing Train(DatasetFile data, KMeansOptions training, CheckpointOptions? checkpoint)
    {
        using var source = new RawFloat32Source(data.DataPath, data.Workload.Rows, data.Workload.Dimension);
        using Process self = Process.GetCurrentProcess();
        TimeSpan cpu = self.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        KMeansTrainer.Train(source, training, checkpoint);
        double wall = watch.Elapsed.TotalMilliseconds;
        self.Refresh();
        return new Timing(wall, (self.TotalProcessorTime - cpu).TotalMilliseconds);
    }

    /// <summary>
    /// Trains the tree and stops after the first of two refinement iterations: the checkpoint then holds the top level,
    /// every node and the refinement.
    /// </summary>
    private static void StopInTheRefinement(DatasetFile data, KMeansOptions training, CheckpointOptions checkpoint)
    {
        using var source = new RawFloat32Source(data.DataPath, data.Workload.Rows, data.Workload.Dimension);
        using var stop = new CancellationTokenSource();
        var refinement = new StopWhen(report => report is IterationReport { MaxIterations: 2 }, stop);
        try
        {
            KMeansTrainer.Train(source, training with { RefineIterations = 2 }, checkpoint, refinement, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class StopWhen(Func<TrainingProgress, bool> stopHere, CancellationTokenSource stop) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (stopHere(value))
                stop.Cancel();
        }
    }
}
