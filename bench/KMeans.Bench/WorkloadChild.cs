using System.Runtime.InteropServices;
using System.Text.Json;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// The child side of the workloads scenario: one training of one workload on one buffer, with the process's memory
/// measured from a baseline taken just before the sample is built.
/// </summary>
internal static class WorkloadChild
{
    public const string Scenario = "measure-one";
    public const int Iterations = 20;

    public static IEnumerable<string> Arguments(Workload workload, bool onDisk, BenchOptions options)
    {
        string[] arguments =
        [
            Scenario, "--workload", workload.Id, "--buffer", BufferName(onDisk), "--threads", options.Threads.ToString(),
            "--seed", options.Seed.ToString(), "--data-dir", options.DataDirectory,
        ];
        return options.CentroidsDirectory is { } directory ? [.. arguments, "--centroids-out", directory] : arguments;
    }

    public static string BufferName(bool onDisk) => onDisk ? "on-disk" : "in-memory";

    public static void Run(BenchOptions options)
    {
        Workload workload = options.Workloads.Count == 1
            ? options.Workloads[0]
            : throw new BenchUsageException($"{Scenario} measures exactly one --workload.");
        bool onDisk = options.Buffer switch
        {
            "in-memory" => false,
            "on-disk" => true,
            _ => throw new BenchUsageException($"{Scenario} needs --buffer in-memory or --buffer on-disk."),
        };
        DatasetFile data = DatasetFile.Locate(workload, options.DataDirectory);
        KMeansOptions training = TrainingMeasurement.Options(workload, options.Threads, InitMethod.Random, Iterations,
            options.Seed, onDisk) with { Screen = options.Screen };

        KMeansResult result = null!;
        TrainingMeasurement measurement = MemoryWindow.Measure(() => TrainingMeasurement.Run(data, training, out result),
            out MemoryWindow memory);
        string? centroidsFile = options.CentroidsDirectory is { } directory
            ? WriteCentroids(directory, workload, BufferName(onDisk), result.Centroids)
            : null;
        var outcome = new WorkloadResult(measurement, memory.BaselineRss, memory.BaselineAnonymous, memory.PeakRss,
            memory.PeakAnonymous, memory.PeakRssWasReset,
            WorkloadResult.Budget(workload, options.Threads), centroidsFile);
        Console.WriteLine(ChildProcess.ResultMarker + JsonSerializer.Serialize(outcome, BenchJson.SingleLine));
    }

    /// <summary>Raw float32, K × d row-major, as the anchors write theirs; written beside the target, then renamed.</summary>
    private static string WriteCentroids(string directory, Workload workload, string buffer, float[] centroids)
    {
        Directory.CreateDirectory(directory);
        string path = Path.GetFullPath(Path.Combine(directory, $"{workload.DatasetName}.kmeans-{buffer}.f32"));
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, MemoryMarshal.AsBytes(centroids.AsSpan()).ToArray());
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
