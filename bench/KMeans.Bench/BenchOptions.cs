using System.Globalization;

namespace KMeans.Bench;

/// <summary>The parsed command line: <c>&lt;scenario&gt; [--workload W1..W4] [--samples N] [...]</c>.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/KMeans.Bench -- <scenario> [options]
          scenarios: table | workloads | kernel | init | all | sampling-memory | larger-than-ram | hierarchical (see bench/SCALE.md)
                     | update | train-dimension | checkpoint | assign | balance | production | nearest-lists | tile-widths | screen
          --workload W1..W4   workload(s) to run, repeatable or comma-separated (default: the scenario's own set)
          --samples N         measurements per buffer / configuration (default: table 10, workloads 1, kernel 5, init 3)
          --data-dir DIR      where gen_data.py wrote NAME.f32 + NAME.json (default /tmp/kmeans-bench)
          --threads N         worker threads for training and the multi-threaded kernel (default: all cores)
          --seed N            seed for sampling and initialisation (default 1234)
          --json FILE         also write every figure as JSON
          --centroids-out DIR workloads: write the trained centroids as raw float32 (DATASET.kmeans-BUFFER.f32)
          --case NAME         train-dimension: only W2 or only fashion-mnist (default both), or W2-tree; balance: only fashion-mnist
                              or only mixture (default both)
          --train-dimension M train-dimension: the training dimension(s) to set against the full one, repeatable or comma-separated
                              (default: the case's own, 128 for W2, 96 for Fashion-MNIST)
          --screen on|off     measure-one: Lloyd's passes screen by 8-bit integers always (where the machine can) or never
                              (default: where the trainer decides it pays)
        """;

    private static readonly string[] Scenarios = ["table", "workloads", "kernel", "init", "all", "sampling-memory", "larger-than-ram", "hierarchical", "checkpoint", "update", "train-dimension", "assign", "balance", "production", "nearest-lists", "tile-widths", "screen", WorkloadChild.Scenario, .. ScaleChild.Scenarios];

    public required string Scenario { get; init; }

    public IReadOnlyList<Workload> Workloads { get; init; } = [];

    public int? Samples { get; init; }

    public string DataDirectory { get; init; } = DatasetFile.DefaultDirectory;

    public int Threads { get; init; } = Environment.ProcessorCount;

    public int Seed { get; init; } = TrainingMeasurement.DefaultSeed;

    public string? JsonPath { get; init; }

    public string? CentroidsDirectory { get; init; }

    /// <summary>Only for the child process that measures one training: "in-memory" or "on-disk".</summary>
    public string? Buffer { get; init; }

    /// <summary>Only for the child process that measures one training: whether to screen, null for the trainer's choice.</summary>
    public bool? Screen { get; init; }

    /// <summary>Only for the scale scenarios' child processes: which case to measure.</summary>
    public string? Case { get; init; }

    /// <summary>train-dimension: the training dimensions to measure, each case's own when empty.</summary>
    public IReadOnlyList<int> TrainDimensions { get; init; } = [];

    public IReadOnlyList<Workload> WorkloadsOr(params Workload[] defaults) => Workloads.Count > 0 ? Workloads : defaults;

    public int SamplesOr(int fallback) => Samples ?? fallback;

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
            throw new BenchUsageException(Usage);
        if (!Scenarios.Contains(args[0]))
            throw new BenchUsageException($"Unknown scenario '{args[0]}'.{Environment.NewLine}{Usage}");
        var workloads = new List<Workload>();
        var options = new BenchOptions { Scenario = args[0] };
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new BenchUsageException($"{name} needs a value.{Environment.NewLine}{Usage}");
            options = name switch
            {
                "--workload" => Add(options, workloads, Value()),
                "--samples" => options with { Samples = Positive(name, Value()) },
                "--data-dir" => options with { DataDirectory = Value() },
                "--threads" => options with { Threads = Positive(name, Value()) },
                "--seed" => options with { Seed = Integer(name, Value()) },
                "--json" => options with { JsonPath = Value() },
                "--centroids-out" => options with { CentroidsDirectory = Value() },
                "--buffer" => options with { Buffer = Value() },
                "--case" => options with { Case = Value() },
                "--screen" => options with { Screen = OnOrOff(name, Value()) },
                "--train-dimension" => options with { TrainDimensions = [.. options.TrainDimensions, .. Dimensions(name, Value())] },
                _ => throw new BenchUsageException($"Unknown option '{name}'.{Environment.NewLine}{Usage}"),
            };
        }
        return options with { Workloads = workloads };
    }

    private static BenchOptions Add(BenchOptions options, List<Workload> workloads, string value)
    {
        foreach (string id in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            workloads.Add(Workload.Parse(id));
        return options;
    }

    private static IEnumerable<int> Dimensions(string name, string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => Positive(name, m)).ToList();

    private static bool OnOrOff(string name, string value) => value switch
    {
        "on" => true,
        "off" => false,
        _ => throw new BenchUsageException($"{name} expects on or off, not '{value}'."),
    };

    private static int Integer(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number)
            ? number
            : throw new BenchUsageException($"{name} expects an integer, not '{value}'.");

    private static int Positive(string name, string value)
    {
        int number = Integer(name, value);
        return number >= 1 ? number : throw new BenchUsageException($"{name} must be at least 1, not {number}.");
    }
}
