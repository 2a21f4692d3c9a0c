using System.Diagnostics;
using KMeans.Core.Training;
using KMeans.Core.Training.Checkpoints;

namespace KMeans.Bench;

/// <summary>
/// The cost of checkpoints on W4 (K = 4,096, trained as a tree like Invoke-KMeansTraining does by default at that K):
/// training without a checkpoint and with the default 5-minute interval, alternating, <see cref="Pairs"/> pairs on one
/// sample; then one training with a checkpoint after every iteration and tree node; then the cost of one write of the
/// finished checkpoint, timed alone.
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
            var without = new List<double>();
            var with = new List<double>();
            for (int pair = 0; pair < Pairs; pair++)
            {
                without.Add(Train(data, training, checkpoint: null));
                with.Add(Train(data, training, Checkpoint(directory, $"default-{pair}.kmc", CheckpointOptions.DefaultInterval)));
                Console.Error.WriteLine($"  pair {pair + 1}: without {without[^1]:F0} ms, with {with[^1]:F0} ms, load {MachineInfo.LoadAverageNow()}");
            }
            double everyIteration = Train(data, training, Checkpoint(directory, "every.kmc", TimeSpan.Zero));
            string finished = Path.Combine(directory, "every.kmc");
            CheckpointState state = CheckpointFile.Read(finished);
            var writes = new List<double>();
            for (int write = 0; write < Writes; write++)
            {
                var watch = Stopwatch.StartNew();
                CheckpointFile.Write(finished, state);
                writes.Add(watch.Elapsed.TotalMilliseconds);
            }

            double medianWithout = Summary.Of(without).Median;
            double medianWith = Summary.Of(with).Median;
            var table = new TextTable("training", "runs", "median train ms", "vs without");
            table.Add("without checkpoint", $"{Pairs}", $"{medianWithout:F0}", "");
            table.Add("checkpoint, 5 min interval", $"{Pairs}", $"{medianWith:F0}", $"{(medianWith / medianWithout - 1) * 100:+0.0;-0.0} %");
            table.Add("checkpoint, interval 0", "1", $"{everyIteration:F0}", $"{(everyIteration / medianWithout - 1) * 100:+0.0;-0.0} %");
            table.Write(Console.Out);
            Console.WriteLine($"one checkpoint write ({new FileInfo(finished).Length:N0} bytes, flushed to disk, renamed): median " +
                              $"{Summary.Of(writes).Median:F1} ms over {Writes} writes");
            Console.WriteLine($"overhead with the default interval: {(medianWith / medianWithout - 1) * 100:+0.0;-0.0} % (target ≤ 2 %): " +
                              $"{(medianWith <= medianWithout * 1.02 ? "PASS" : "FAIL")}");
            Console.WriteLine();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static CheckpointOptions Checkpoint(string directory, string name, TimeSpan interval) =>
        new() { Path = Path.Combine(directory, name), Interval = interval };

    /// <summary>Wall milliseconds of one training from the file, sampling included (a resumed run rebuilds it too).</summary>
    private static double Train(DatasetFile data, KMeansOptions training, CheckpointOptions? checkpoint)
    {
        using var source = new RawFloat32Source(data.DataPath, data.Workload.Rows, data.Workload.Dimension);
        var watch = Stopwatch.StartNew();
        KMeansTrainer.Train(source, training, checkpoint);
        return watch.Elapsed.TotalMilliseconds;
    }
}
