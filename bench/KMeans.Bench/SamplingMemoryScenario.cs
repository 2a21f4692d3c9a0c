using System.Text.Json;

namespace KMeans.Bench;

/// <summary>
/// Issue 3's memory claim: building the training sample from a ~1 GiB .npy file streams it, so anonymous memory
/// (what RAM must hold) grows with a batch and, in RAM, with the sample, never with the file; with the on-disk buffer
/// the whole file can be the sample while anonymous memory stays flat. One fresh child process per case.
/// </summary>
internal static class SamplingMemoryScenario
{
    private const double MiB = 1024 * 1024;

    public static void Run(BenchOptions options)
    {
        string path = ScaleDataFile.Ensure(options.DataDirectory, SamplingCase.Rows, SamplingCase.Dimension);
        Console.WriteLine($"== sampling-memory: {path} ({SamplingCase.Rows:N0} × {SamplingCase.Dimension} float32, " +
                          $"{new FileInfo(path).Length / MiB:F0} MiB), seed {options.Seed}, one process per case; load average {MachineInfo.LoadAverageNow()}");
        var table = new TextTable("case", "sample rows", "rows read", "build s", "base RSS", "peak RSS", "RSS +", "base anon",
            "peak anon", "anon +", "anon budget", "verdict");
        foreach (SamplingCase sampling in SamplingCase.All)
        {
            ChildOutcome outcome = GatedChildProcess.Run(SamplingMemoryChild.Arguments(sampling, options), cgroup: null);
            SamplingResult result = outcome.ResultJson is { } json
                ? JsonSerializer.Deserialize<SamplingResult>(json, BenchJson.Options) ?? throw new InvalidOperationException("The child returned no result.")
                : throw new InvalidOperationException($"The sampling child for {sampling.Name} exited with code {outcome.ExitCode}:{Environment.NewLine}{outcome.Output}");
            MemoryWindow memory = result.Memory;
            bool pass = memory.AnonymousAboveBaseline <= sampling.AnonymousBudget;
            Console.Error.WriteLine($"  {sampling.Name}: {sampling.Meaning}; anon + {memory.AnonymousAboveBaseline / MiB:F0} MiB");
            table.Add(sampling.Name, $"{result.SampleRows:N0}", $"{result.RowsRead:N0}", $"{result.BuildMs / 1000:F1}",
                Mib(memory.BaselineRss), Mib(memory.PeakRss), Mib(memory.RssAboveBaseline), Mib(memory.BaselineAnonymous),
                Mib(memory.PeakAnonymous), Mib(memory.AnonymousAboveBaseline), Mib(sampling.AnonymousBudget), pass ? "PASS" : "FAIL");
        }
        table.Write(Console.Out);
        Console.WriteLine("Memory columns in MiB. base = the child just before SampleBuilder.Build; peak RSS = VmHWM (reset at the baseline), " +
                          "which counts the mapped file's pages the kernel may drop at any time; peak anon = RssAnon sampled every " +
                          $"{PeakMemorySampler.Period.TotalMilliseconds:F0} ms, which only RAM (or swap) can hold; budget = 64 MiB, plus the sample when it is in RAM. " +
                          "whole-in-memory is the reference that shows what holding the file costs.");
        Console.WriteLine();
    }

    private static string Mib(long bytes) => $"{bytes / MiB:F0}";
}
