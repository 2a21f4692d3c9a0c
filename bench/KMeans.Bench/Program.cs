using KMeans.Bench;
using KMeans.Core;

try
{
    BenchOptions options = BenchOptions.Parse(args);
    if (options.Scenario == WorkloadChild.Scenario)
    {
        WorkloadChild.Run(options);
        return 0;
    }
    if (ScaleChild.Handles(options.Scenario))
    {
        ScaleChild.Run(options);
        return 0;
    }

    var report = new BenchReport();
    Console.WriteLine($"KMeans bench {report.Started:yyyy-MM-dd HH:mm} UTC: {report.Machine}");
    Console.WriteLine();
    switch (options.Scenario)
    {
        case "table":
            TableScenario.Run(options, report);
            break;
        case "workloads":
            WorkloadsScenario.Run(options, report);
            break;
        case "kernel":
            KernelScenario.Run(options, report);
            break;
        case "screen":
            ScreenScenario.Run(options, report);
            break;
        case "init":
            InitScenario.Run(options, report);
            break;
        case "sampling-memory":
            SamplingMemoryScenario.Run(options);
            break;
        case "larger-than-ram":
            LargerThanRamScenario.Run(options);
            break;
        case "hierarchical":
            HierarchicalScenario.Run(options);
            break;
        case "checkpoint":
            CheckpointScenario.Run(options);
            break;
        case "update":
            UpdateScenario.Run(options);
            break;
        case "train-dimension":
            TrainDimensionScenario.Run(options);
            break;
        case "assign":
            AssignScenario.Run(options);
            break;
        case "balance":
            BalanceScenario.Run(options);
            break;
        case "production":
            ProductionScenario.Run(options);
            break;
        case "tile-widths":
            TileWidthScenario.Run(options);
            break;
        case "nearest-lists":
            NearestListsScenario.Run(options);
            break;
        case "all":
            KernelScenario.Run(options, report);
            TableScenario.Run(options, report);
            WorkloadsScenario.Run(options, report);
            InitScenario.Run(options, report);
            break;
        default:
            throw new InvalidOperationException($"Scenario '{options.Scenario}' passed validation but has no runner.");
    }
    report.LoadAverageAtEnd = MachineInfo.LoadAverageNow();
    Console.WriteLine($"Load average at the end: {report.LoadAverageAtEnd} ({report.Machine.Cores} cores; higher means other jobs competed).");
    if (options.JsonPath is { } json)
    {
        report.Write(json);
        Console.WriteLine($"Wrote {json}");
    }
    return 0;
}
catch (BenchUsageException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (KMeansException e)
{
    Console.Error.WriteLine($"{e.Kind}: {e.Message}");
    return 1;
}
