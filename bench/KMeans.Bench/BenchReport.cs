using System.Text.Json;

namespace KMeans.Bench;

/// <summary>Every figure of one bench run, for <c>--json</c>.</summary>
internal sealed class BenchReport
{
    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    public string CommandLine { get; } = string.Join(" ", Environment.GetCommandLineArgs().Skip(1));

    public MachineInfo Machine { get; } = MachineInfo.Current();

    public string? LoadAverageAtEnd { get; set; }

    public TableResult? Table { get; set; }

    public List<WorkloadResult> Workloads { get; } = [];

    /// <summary>Register-only FMA throughput on 1 thread and on all requested threads.</summary>
    public double[]? PeakGflopsPerSecond { get; set; }

    public List<KernelResult> Kernel { get; } = [];

    public List<PhaseResult> IterationPhases { get; } = [];

    public List<InitResult> Init { get; } = [];

    public void Write(string path)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
            Directory.CreateDirectory(directory);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, BenchJson.Options));
        File.Move(temporary, path, overwrite: true);
    }
}
