using System.Diagnostics;
using System.Text.Json;
using KMeans.Core;
using KMeans.Core.Buffers;
using KMeans.Core.Files;
using KMeans.Core.Sampling;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// The child side of the larger-than-ram scenario. It waits until the parent has moved it into its cgroup, then either
/// trains the 2 GiB sample (on disk or in memory) or reads the file once sequentially.
/// </summary>
internal static class LargerThanRamChild
{
    public const string Scenario = "measure-capped";
    private const int ReadBytes = 1 << 20;

    public static IEnumerable<string> Arguments(string caseName, BenchOptions options) =>
    [
        Scenario, "--case", caseName, "--data-dir", options.DataDirectory, "--seed", options.Seed.ToString(),
        "--threads", options.Threads.ToString(),
    ];

    public static void Run(BenchOptions options)
    {
        string path = ScaleDataFile.PathFor(options.DataDirectory, LargerThanRamCase.Rows, LargerThanRamCase.Dimension);
        CappedResult result = options.Case switch
        {
            LargerThanRamCase.ReadOnce => Read(path),
            LargerThanRamCase.TrainOnDisk => Train(path, options, onDisk: true),
            LargerThanRamCase.TrainInMemory => Train(path, options, onDisk: false),
            _ => throw new BenchUsageException(
                $"{Scenario} needs --case {LargerThanRamCase.ReadOnce}, {LargerThanRamCase.TrainOnDisk} or {LargerThanRamCase.TrainInMemory}, not '{options.Case}'."),
        };
        Console.WriteLine(ChildProcess.ResultMarker + JsonSerializer.Serialize(result, BenchJson.SingleLine));
    }

    private static CappedResult Train(string path, BenchOptions options, bool onDisk)
    {
        var training = new KMeansOptions
        {
            K = LargerThanRamCase.K,
            SampleRate = LargerThanRamCase.SampleRate,
            MaxIterations = LargerThanRamCase.Iterations,
            Tolerance = 0,
            Redos = 1,
            Seed = options.Seed,
            Init = InitMethod.Random,
            Hierarchical = HierarchicalMode.Off,
            OnDisk = onDisk,
            MaxDegreeOfParallelism = options.Threads,
        };
        StorageCounters trainReads = default;
        PhaseProfile? phases = null;
        string? refused = null;
        TrainingMeasurement? measurement = MemoryWindow.Measure(() =>
        {
            var watch = Stopwatch.StartNew();
            using IVectorSource source = VectorFile.Open(path);
            TrainingBuffer sample;
            try
            {
                sample = SampleBuilder.Build(source, training, options.Seed, progress: null, CancellationToken.None, out SamplingSummary summary);
                if (summary.RowsSampled != LargerThanRamCase.Rows)
                    throw new InvalidOperationException($"The sample holds {summary.RowsSampled:N0} rows, not the whole file's {LargerThanRamCase.Rows:N0}.");
            }
            catch (KMeansException e) when (e.Kind == KMeansErrorKind.InsufficientMemory)
            {
                refused = e.Message;
                return null;
            }
            using (sample)
            {
                double buildMs = watch.Elapsed.TotalMilliseconds;
                StorageCounters before = StorageCounters.Now();
                TrainingMeasurement trained = TrainingMeasurement.Train(LargerThanRamCase.Workload, sample, training, buildMs, out KMeansResult result);
                trainReads = StorageCounters.Now() - before;
                phases = PhaseProfile.Measure(sample, result.Centroids, LargerThanRamCase.K, options.Threads);
                return trained;
            }
        }, out MemoryWindow memory);
        return new CappedResult(options.Case!, measurement, refused is null ? trainReads : null, phases, null, null, memory, refused);
    }

    private static CappedResult Read(string path)
    {
        long total = 0;
        double ms = MemoryWindow.Measure(() =>
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            PageCache.Drop(file.SafeFileHandle, path);
            var buffer = new byte[ReadBytes];
            var watch = Stopwatch.StartNew();
            int read;
            while ((read = file.Read(buffer)) > 0)
                total += read;
            return watch.Elapsed.TotalMilliseconds;
        }, out MemoryWindow memory);
        return new CappedResult(LargerThanRamCase.ReadOnce, null, null, null, ms, total, memory);
    }
}
