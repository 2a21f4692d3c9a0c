using System.Diagnostics;

namespace KMeans.Bench;

/// <summary>
/// Runs this bench again as a child process, so that a measurement's peak memory starts from a fresh process and is
/// not inflated by earlier workloads. The child prints one line starting with <see cref="ResultMarker"/>.
/// </summary>
internal static class ChildProcess
{
    public const string ResultMarker = "RESULT ";

    public static string Run(IEnumerable<string> arguments)
    {
        string executable = Environment.ProcessPath ?? throw new InvalidOperationException("The bench cannot locate its own executable.");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        // Run through the dotnet host (dotnet KMeans.Bench.dll) as well as through the apphost.
        if (Path.GetFileNameWithoutExtension(executable) == "dotnet")
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith(ResultMarker, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
            throw new InvalidOperationException(
                $"The measuring child process ({string.Join(" ", start.ArgumentList)}) exited with code {process.ExitCode}:{Environment.NewLine}{output}");
        return line[ResultMarker.Length..];
    }
}
