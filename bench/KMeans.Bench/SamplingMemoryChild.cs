using System.Diagnostics;
using System.Text.Json;
using KMeans.Core.Files;
using KMeans.Core.Sampling;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>The child side of the sampling-memory scenario: builds one sample from the .npy file and disposes it.</summary>
internal static class SamplingMemoryChild
{
    public const string Scenario = "measure-sampling";

    public static IEnumerable<string> Arguments(SamplingCase sampling, BenchOptions options) =>
        [Scenario, "--case", sampling.Name, "--data-dir", options.DataDirectory, "--seed", options.Seed.ToString()];

    public static void Run(BenchOptions options)
    {
        SamplingCase sampling = SamplingCase.Parse(options.Case);
        string path = ScaleDataFile.PathFor(options.DataDirectory, SamplingCase.Rows, SamplingCase.Dimension);
        var training = new KMeansOptions
        {
            K = sampling.K, SampleRate = sampling.SampleRate, OnDisk = sampling.OnDisk, Seed = options.Seed,
            TrainDimension = sampling.TrainDimension,
        };
        using IVectorSource source = VectorFile.Open(path);
        var watch = new Stopwatch();
        SamplingSummary summary = MemoryWindow.Measure(() =>
        {
            watch.Start();
            using ProjectedSample sample = sampling.TrainDimension is int trainDimension
                ? SampleBuilder.BuildProjected(source, training, options.Seed,
                    RandomizedHadamardProjection.Create(SamplingCase.Dimension, trainDimension, options.Seed), progress: null,
                    CancellationToken.None, out SamplingSummary built)
                : new ProjectedSample(SampleBuilder.Build(source, training, options.Seed, progress: null, CancellationToken.None,
                    out built), projected: null);
            watch.Stop();
            return built;
        }, out MemoryWindow memory);
        var result = new SamplingResult(sampling.Name, summary.RowsSampled, summary.RowsRead, watch.Elapsed.TotalMilliseconds, memory);
        Console.WriteLine(ChildProcess.ResultMarker + JsonSerializer.Serialize(result, BenchJson.SingleLine));
    }
}
