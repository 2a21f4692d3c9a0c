namespace KMeans.Bench;

/// <summary>The child processes of the scale scenarios; each waits for the parent's go before it measures anything.</summary>
internal static class ScaleChild
{
    public static string[] Scenarios { get; } = [SamplingMemoryChild.Scenario, LargerThanRamChild.Scenario];

    public static bool Handles(string scenario) => Scenarios.Contains(scenario);

    public static void Run(BenchOptions options)
    {
        GatedChildProcess.WaitForParent();
        if (options.Scenario == SamplingMemoryChild.Scenario)
            SamplingMemoryChild.Run(options);
        else
            LargerThanRamChild.Run(options);
    }
}
