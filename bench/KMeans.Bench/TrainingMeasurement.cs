using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using KMeans.Core.Buffers;
using KMeans.Core.Sampling;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// One timed training: sample building and the Train call are timed apart, iterations by the trainer.
/// <see cref="OthersCpuShare"/> is the share of the machine other processes used during the Train call.
/// </summary>
internal sealed record TrainingMeasurement(
    string Workload,
    string Buffer,
    int Threads,
    string Init,
    double SampleBuildMs,
    double TrainWallMs,
    double MedianIterationMs,
    double[] IterationMs,
    double[] LossPerRowHistory,
    int Iterations,
    double LossPerRow,
    double GflopsPerSecond,
    double? InitializationMs,
    double? BeforeFirstIterationMs,
    double OthersCpuShare,
    string CentroidsSha256)
{
    public const int DefaultSeed = 1234;

    /// <summary>
    /// The workloads' settings: flat Lloyd (no hierarchy, as scikit-learn and FAISS train) for a fixed number of
    /// iterations (tolerance 0), one redo, the whole file as the sample (SampleRate × K equals every workload's rows).
    /// </summary>
    public static KMeansOptions Options(Workload workload, int threads, InitMethod init, int maxIterations, int seed,
        bool onDisk) => new()
    {
        K = workload.K,
        MaxIterations = maxIterations,
        Tolerance = 0,
        Redos = 1,
        Seed = seed,
        Init = init,
        Hierarchical = HierarchicalMode.Off,
        OnDisk = onDisk,
        MaxDegreeOfParallelism = threads,
    };

    public static TrainingBuffer BuildSample(DatasetFile data, KMeansOptions options, out double buildMs)
    {
        var watch = Stopwatch.StartNew();
        using var source = new RawFloat32Source(data.DataPath, data.Workload.Rows, data.Workload.Dimension);
        TrainingBuffer sample = SampleBuilder.Build(source, options, options.Seed!.Value, progress: null,
            CancellationToken.None, out SamplingSummary summary);
        buildMs = watch.Elapsed.TotalMilliseconds;
        if (summary.RowsSampled != data.Workload.Rows)
        {
            sample.Dispose();
            throw new InvalidOperationException(
                $"The sample of {data.Workload.Id} holds {summary.RowsSampled} rows, not all {data.Workload.Rows}: the benchmark would not train the anchors' data.");
        }
        return sample;
    }

    /// <summary>Builds the sample, trains on it and disposes it; <paramref name="result"/> keeps the centroids.</summary>
    public static TrainingMeasurement Run(DatasetFile data, KMeansOptions options, out KMeansResult result)
    {
        using TrainingBuffer sample = BuildSample(data, options, out double buildMs);
        return Train(data.Workload, sample, options, buildMs, out result);
    }

    public static TrainingMeasurement Train(Workload workload, TrainingBuffer sample, KMeansOptions options,
        double sampleBuildMs, out KMeansResult result)
    {
        var progress = new TimedProgress();
        CpuContention cpu = CpuContention.Now();
        var watch = Stopwatch.StartNew();
        progress.Restart();
        result = KMeansTrainer.Train(sample, options, progress);
        double wallMs = watch.Elapsed.TotalMilliseconds;
        double[] iterations = result.History.Select(r => r.Elapsed.TotalMilliseconds).ToArray();
        double median = Summary.Of(iterations).Median;
        double? beforeFirst = progress.FirstIterationReported is { } reported
            ? (reported - result.History[0].Elapsed).TotalMilliseconds
            : null;
        return new TrainingMeasurement(workload.Id, sample.IsOnDisk ? "on-disk" : "in-memory", options.EffectiveParallelism,
            options.Init.ToString(), sampleBuildMs, wallMs, median, iterations,
            result.History.Select(r => r.Loss / sample.RowCount).ToArray(), result.Iterations,
            result.Loss / sample.RowCount, workload.FlopsPerIteration / (median * 1e6),
            progress.InitializationDone?.TotalMilliseconds, beforeFirst,
            CpuContention.Now().OthersShareSince(cpu), Sha256(result.Centroids));
    }

    public static string Sha256(float[] values) =>
        Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())));
}
