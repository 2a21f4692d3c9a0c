using System.Diagnostics;
using KMeans.Core.Files;
using KMeans.Core.Training;
using KMeans.Core.Training.Checkpoints;
using Xunit.Abstractions;
using ChildTraining = KMeans.TrainingProcess.Program;

namespace KMeans.Core.Tests.Checkpoints;

/// <summary>
/// Kills a training process with SIGKILL at several points (while sampling, at random moments during iterations and
/// the checkpoint writes after them, between tree nodes) and resumes it each time: whatever checkpoint exists after a
/// kill is whole and never behind the one before, and the final result is bit-identical to one uninterrupted run.
/// </summary>
public class KilledTrainingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("flat", 20000, 7)]
    [InlineData("tree", 40000, 5)]
    public void AKilledTrainingResumesBitIdentically(string shape, int rows, int kills)
    {
        using var temp = new TempDirectory();
        string data = temp.File("data.npy");
        VectorFileWriter.Write(TestData.Source(TestData.Blobs(clusters: 200, perCluster: rows / 200, dimension: 24, spread: 4, seed: 2).Rows),
            data, VectorFileFormat.Npy, CancellationToken.None);
        string checkpoint = temp.File("state.kmc");
        KMeansResult uninterrupted;
        using (IVectorSource source = VectorFile.Open(data, null))
            uninterrupted = KMeansTrainer.Train(source, ChildTraining.Options(shape));

        var random = new Random(shape.Length);
        string? before = null;
        var landed = new List<string>();
        for (int kill = 0; kill < kills; kill++)
        {
            // The first kill lands while sampling; later ones a random moment after an iteration or node was reported,
            // which is when its checkpoint is being written.
            string waitFor = kill == 0 ? "sampling" : shape == "tree" && kill % 2 == 0 ? "node" : "iteration";
            string? last = RunAndKill(shape, data, checkpoint, waitFor, kill == 0 ? 1 : random.Next(1, 4), kill == 0 ? 0 : random.Next(0, 25));
            if (last is null)
                break;
            bool leftover = temp.FileNames().Any(name => name.EndsWith(".tmp", StringComparison.Ordinal));
            string? now = File.Exists(checkpoint) ? CheckpointFile.Read(checkpoint).Position() : null;
            landed.Add($"after '{last}': checkpoint at {now ?? "none"}{(leftover ? ", a write was cut" : "")}");
            // Written as each kill lands, so that a failure further on shows where every kill fell.
            output.WriteLine(landed[^1]);
            if (before is not null)
                Assert.NotNull(now);
            before = now ?? before;
        }

        // A resume runs in a new process, which takes a killed writer's temporary file for abandoned because it is older
        // than itself; this one runs in the test's process, which is older than the kills, so the files are dated back.
        foreach (string name in temp.FileNames().Where(name => name.EndsWith(".tmp", StringComparison.Ordinal)))
            File.SetLastWriteTimeUtc(temp.File(name), Process.GetCurrentProcess().StartTime.ToUniversalTime().AddMinutes(-1));
        KMeansResult resumed;
        using (IVectorSource source = VectorFile.Open(data, null))
            resumed = KMeansTrainer.Train(source, ChildTraining.Options(shape), ChildTraining.Checkpoint(checkpoint, data));
        CheckpointAssert.BitIdentical(uninterrupted, resumed);
        Assert.True(landed.Count >= 3, "Fewer than three kills landed before the training finished.");
        Assert.Equal(["data.npy", "state.kmc"], temp.FileNames());
    }

    /// <summary>
    /// Starts the training and kills it <paramref name="delayMilliseconds"/> after it printed the
    /// <paramref name="count"/>th line starting with <paramref name="waitFor"/>; returns that line, or null when the
    /// training finished first. The child waits after each line until told to go on, so the delay counts from the
    /// report itself, however late this process reads it.
    /// </summary>
    private static string? RunAndKill(string shape, string data, string checkpoint, string waitFor, int count,
        int delayMilliseconds)
    {
        string child = Path.Combine(AppContext.BaseDirectory, "KMeans.TrainingProcess.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { child, shape, data, checkpoint })
            start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        try
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line == "done")
                    return null;
                process.StandardInput.WriteLine();
                process.StandardInput.Flush();
                if (!line.StartsWith(waitFor, StringComparison.Ordinal) || --count > 0)
                    continue;
                Thread.Sleep(delayMilliseconds);
                process.Kill();
                process.WaitForExit();
                // The training can end between its last report and the kill: then it finished first.
                if (process.ExitCode == 0)
                    return null;
                Assert.Equal(137, process.ExitCode);
                return line;
            }
            process.WaitForExit();
            throw new InvalidOperationException($"The training process ended with exit code {process.ExitCode} before reporting '{waitFor}'.");
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
        }
    }
}
