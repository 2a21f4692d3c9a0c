using System.Text.Json;

namespace KMeans.Bench;

/// <summary>
/// Issue 6's larger-than-ram case: the 2 GiB sample trained under a 1 GiB cgroup-v1 memory limit (page cache charged
/// too), on disk (must complete) and in memory (must be refused before sampling, as the sample cannot fit), plus, in the same run, the two references of
/// the target: one sequential read of the file under the same limit, and the in-memory training without a limit.
/// Target: on-disk time per iteration under the limit ≤ 1.3 × (read once + in-memory iteration).
/// </summary>
internal static class LargerThanRamScenario
{
    private const double MiB = 1024 * 1024;

    private sealed record Measured(string Case, bool Capped, ChildOutcome Outcome, CappedResult? Result, long FailCount, long OomKills, long MaxUsage);

    public static void Run(BenchOptions options)
    {
        // Fails early, with the reason, where there is no root or no cgroup v1.
        using (new MemoryCgroup(LargerThanRamCase.LimitBytes))
        {
        }
        string path = ScaleDataFile.Ensure(options.DataDirectory, LargerThanRamCase.Rows, LargerThanRamCase.Dimension);
        Console.WriteLine($"== larger-than-ram: {path} ({LargerThanRamCase.Rows:N0} × {LargerThanRamCase.Dimension} float32, " +
                          $"{new FileInfo(path).Length / MiB:F0} MiB), K={LargerThanRamCase.K}, SampleRate {LargerThanRamCase.SampleRate} " +
                          $"(the whole file), {LargerThanRamCase.Iterations} iterations, tolerance 0, random init, flat, {options.Threads} threads, " +
                          $"cgroup v1 limit {LargerThanRamCase.LimitBytes / MiB:F0} MiB; load average {MachineInfo.LoadAverageNow()}");

        var runs = new List<Measured>
        {
            Measure(LargerThanRamCase.ReadOnce, capped: true, options),
            Measure(LargerThanRamCase.TrainOnDisk, capped: true, options),
            Measure(LargerThanRamCase.TrainInMemory, capped: true, options),
            Measure(LargerThanRamCase.TrainInMemory, capped: false, options),
        };
        Print(runs);
        PrintPhases(runs);
        Judge(runs);
        Console.WriteLine($"Load average at the end of the scenario: {MachineInfo.LoadAverageNow()}");
        Console.WriteLine();
    }

    private static Measured Measure(string caseName, bool capped, BenchOptions options)
    {
        using MemoryCgroup? cgroup = capped ? new MemoryCgroup(LargerThanRamCase.LimitBytes) : null;
        ChildOutcome outcome = GatedChildProcess.Run(LargerThanRamChild.Arguments(caseName, options), cgroup);
        CappedResult? result = outcome.ResultJson is { } json ? JsonSerializer.Deserialize<CappedResult>(json, BenchJson.Options) : null;
        var measured = new Measured(caseName, capped, outcome, result, cgroup?.FailCount ?? 0, cgroup?.OomKills ?? 0, cgroup?.MaxUsageBytes ?? 0);
        Console.Error.WriteLine($"  {caseName} {(capped ? "under the limit" : "without limit")}: exit {outcome.ExitCode}" +
                                (result?.Training is { } t ? $", {t.MedianIterationMs:F0} ms/iteration" : "") +
                                (result?.ReadMs is { } r ? $", read in {r:F0} ms" : "") +
                                (capped ? $", failcnt {measured.FailCount}, oom kills {measured.OomKills}" : "") + $", load {MachineInfo.LoadAverageNow()}");
        if (result is null && !outcome.KilledBySigkill)
            Console.Error.WriteLine(outcome.Output);
        return measured;
    }

    private static void Print(List<Measured> runs)
    {
        var table = new TextTable("case", "limit", "outcome", "sample s", "ms/iter (median)", "iterations ms", "read ms", "MiB/s",
            "peak anon", "anon +", "cg max use", "failcnt", "oom kills", "others %");
        foreach (Measured run in runs)
        {
            TrainingMeasurement? training = run.Result?.Training;
            string outcome = run.Result?.Refused is not null ? "refused"
                : run.Result is not null ? "completed"
                : run.Outcome.KilledBySigkill ? (run.OomKills > 0 ? "OOM-killed" : "SIGKILL") : $"exit {run.Outcome.ExitCode}";
            table.Add(run.Case, run.Capped ? $"{LargerThanRamCase.LimitBytes / MiB:F0} MiB" : "none", outcome,
                training is null ? "" : $"{training.SampleBuildMs / 1000:F1}",
                training is null ? "" : $"{training.MedianIterationMs:F0}",
                training is null ? "" : string.Join(" ", training.IterationMs.Select(ms => ms.ToString("F0"))),
                run.Result?.ReadMs is { } read ? $"{read:F0}" : "",
                run.Result?.ReadMs is { } ms && run.Result.ReadBytes is { } bytes ? $"{bytes / MiB / (ms / 1000):F0}" : "",
                run.Result is { } r ? Mib(r.Memory.PeakAnonymous) : "", run.Result is { } a ? Mib(a.Memory.AnonymousAboveBaseline) : "",
                run.Capped ? Mib(run.MaxUsage) : "", run.Capped ? run.FailCount.ToString() : "", run.Capped ? run.OomKills.ToString() : "",
                training is null ? "" : KernelScenario.Percent(training.OthersCpuShare));
        }
        table.Write(Console.Out);
        Console.WriteLine("sample s = reading the .npy and writing the sample (not part of the target); ms/iter = one Lloyd iteration " +
                          "(update + assignment), median of the run; read = the file read once in 1 MiB reads after posix_fadvise(DONTNEED) " +
                          "dropped its cached pages; cg max use = memory.max_usage_in_bytes (page cache included); failcnt = times the " +
                          "group hit its limit (reclaims); oom kills = oom_kill in memory.oom_control; anon in MiB.");
    }

    private static void Judge(List<Measured> runs)
    {
        TrainingMeasurement? capped = runs.Single(r => r.Capped && r.Case == LargerThanRamCase.TrainOnDisk).Result?.Training;
        TrainingMeasurement? compute = runs.Single(r => !r.Capped && r.Case == LargerThanRamCase.TrainInMemory).Result?.Training;
        double? read = runs.Single(r => r.Case == LargerThanRamCase.ReadOnce).Result?.ReadMs;
        Measured inMemoryCapped = runs.Single(r => r.Capped && r.Case == LargerThanRamCase.TrainInMemory);
        Console.WriteLine($"on disk under the limit: {(capped is null ? "did NOT complete: FAIL" : "completed: PASS")}");
        string inMemoryOutcome = inMemoryCapped.Result switch
        {
            { Refused: { } message } => $"refused before sampling, as it must be: \"{message}\"",
            null when inMemoryCapped.OomKills > 0 => "OOM-killed: FAIL (it must be refused before sampling)",
            null => $"ended with exit code {inMemoryCapped.Outcome.ExitCode}: FAIL",
            _ => "completed (unexpected: the limit did not bind)",
        };
        Console.WriteLine($"in memory under the limit: {inMemoryOutcome}");
        if (capped is null || compute is null || read is null)
            return;
        double ratio = capped.MedianIterationMs / (read.Value + compute.MedianIterationMs);
        Console.WriteLine($"ratio = {capped.MedianIterationMs:F0} / ({read.Value:F0} + {compute.MedianIterationMs:F0}) = {ratio:F2} " +
                          $"(target ≤ {LargerThanRamCase.RatioTarget}): {(ratio <= LargerThanRamCase.RatioTarget ? "PASS" : "FAIL")}");
        Console.WriteLine($"centroids on disk under the limit and in memory without it bit-identical: {(capped.CentroidsSha256 == compute.CentroidsSha256 ? "yes" : "NO")}");
    }

    private static string Mib(long bytes) => $"{bytes / MiB:F0}";

    private static string Passes(long bytes) => $"{(double)bytes / (LargerThanRamCase.Rows * LargerThanRamCase.Dimension * sizeof(float)):F2}";

    private static void PrintPhases(List<Measured> runs)
    {
        var table = new TextTable("case", "limit", "train: sample passes read", "major faults", "update ms", "update: passes read",
            "assignment ms", "assignment: passes read", "assignment + sums ms", "assignment + sums: passes read");
        foreach (Measured run in runs.Where(r => r.Result?.Phases is not null))
        {
            CappedResult result = run.Result!;
            PhaseProfile phases = result.Phases!;
            StorageCounters train = result.TrainReads!.Value;
            table.Add(run.Case, run.Capped ? $"{LargerThanRamCase.LimitBytes / MiB:F0} MiB" : "none", Passes(train.ReadBytes),
                $"{train.MajorFaults:N0}", $"{phases.UpdateMs:F0}", Passes(phases.UpdateReads.ReadBytes), $"{phases.AssignmentMs:F0}",
                Passes(phases.AssignmentReads.ReadBytes), $"{phases.FusedMs:F0}", Passes(phases.FusedReads.ReadBytes));
        }
        table.Write(Console.Out);
        Console.WriteLine("Where the time goes. passes read = bytes the process read from storage (/proc/self/io read_bytes) / the 2 GiB " +
                          $"sample. Train = initialisation + one assignment + {LargerThanRamCase.Iterations} iterations; update and assignment " +
                          $"are timed apart after training (median of {PhaseProfile.Rounds} rounds, full assignment without bound skipping); " +
                          "assignment + sums is the pass as Lloyd iterations run it, the next update's sums taken range by range.");
    }
}
