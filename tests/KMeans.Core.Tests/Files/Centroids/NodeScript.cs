using System.ComponentModel;
using System.Diagnostics;
using Xunit.Sdk;

namespace KMeans.Core.Tests.Files.Centroids;

/// <summary>
/// Runs a script of tests/interop with Node.js. A missing node or missing packages fail the test with the command that
/// fixes it, instead of skipping: the interop checks are the only proof that other Arrow implementations read our files.
/// </summary>
internal static class NodeScript
{
    private const string InstallCommand = "npm ci --prefix tests/interop";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    public static string Run(string script, params string[] arguments)
    {
        string interop = Path.Combine(RepositoryRoot.Path, "tests", "interop");
        if (!File.Exists(Path.Combine(interop, "node_modules", "apache-arrow", "package.json")))
            Assert.Fail($"apache-arrow for JavaScript is not installed in {interop}: run `{InstallCommand}` from {RepositoryRoot.Path}.");

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(interop, script));
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw FailException.ForFailure(
                $"Node.js (node) is not on PATH ({e.Message}): install Node.js 18 or later, then run `{InstallCommand}`.");
        }

        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"node {script} did not finish within {Timeout.TotalSeconds} s.");
            }

            process.WaitForExit();
            if (process.ExitCode != 0)
                Assert.Fail($"node {script} exited with code {process.ExitCode}:\n{errors.Result}");
            return output.Result;
        }
    }
}
