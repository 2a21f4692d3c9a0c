using System.Diagnostics;

namespace KMeans.Bench;

/// <summary>How a gated child ended: its exit code, the JSON after <see cref="ChildProcess.ResultMarker"/> if it
/// printed one, and everything it printed.</summary>
internal sealed record ChildOutcome(int ExitCode, string? ResultJson, string Output)
{
    /// <summary>.NET reports a child killed by a signal as 128 + the signal; the OOM killer sends SIGKILL (9).</summary>
    public bool KilledBySigkill => ExitCode == 128 + 9;
}

/// <summary>
/// Runs this bench again as a child process that waits for one line on its standard input before it starts work, so
/// that the parent can first move it into a memory cgroup: everything the measured work touches is then charged to
/// the group. Unlike <see cref="ChildProcess"/>, a failing child is an outcome to report, not an error.
/// </summary>
internal static class GatedChildProcess
{
    public const string GoSignal = "go";

    public static ChildOutcome Run(IEnumerable<string> arguments, MemoryCgroup? cgroup)
    {
        string executable = Environment.ProcessPath ?? throw new InvalidOperationException("The bench cannot locate its own executable.");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(executable) == "dotnet")
            start.ArgumentList.Add(typeof(GatedChildProcess).Assembly.Location);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        try
        {
            cgroup?.Add(process.Id);
            process.StandardInput.WriteLine(GoSignal);
            process.StandardInput.Close();
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw;
        }
        process.WaitForExit();
        string text = output.GetAwaiter().GetResult();
        string? line = text.Split('\n').FirstOrDefault(l => l.StartsWith(ChildProcess.ResultMarker, StringComparison.Ordinal));
        return new ChildOutcome(process.ExitCode, line?[ChildProcess.ResultMarker.Length..], text);
    }

    /// <summary>The child's side: blocks until the parent has placed it (in its cgroup) and says go.</summary>
    public static void WaitForParent()
    {
        string? line = Console.In.ReadLine();
        if (line != GoSignal)
            throw new BenchUsageException($"This child process waits for '{GoSignal}' on its standard input from the bench that started it.");
    }
}
