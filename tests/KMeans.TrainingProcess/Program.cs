using KMeans.Core.Files;
using KMeans.Core.Training;

namespace KMeans.TrainingProcess;

/// <summary>
/// Trains on a vector file with a checkpoint written after every iteration, resuming it when it exists, and prints one
/// line per report ("sampling", "iteration N", "node N") so that a test knows where the training is when it kills it.
/// After each line it waits for a line on its standard input (none when that is closed): the training does not run
/// ahead of a test that has not read the report yet, where a loaded machine had let a small tree finish its whole top
/// level between the report a kill was aimed at and the kill.
/// Usage: KMeans.TrainingProcess &lt;flat|tree&gt; &lt;data file&gt; &lt;checkpoint&gt;
/// </summary>
public static class Program
{
    public static KMeansOptions Options(string shape) => shape == "tree"
        ? new KMeansOptions
        {
            K = 384, Seed = 17, MaxIterations = 15, Tolerance = 0, Hierarchical = HierarchicalMode.On, HierarchicalK = 8,
            RefineIterations = 3, SampleRate = 64,
        }
        : new KMeansOptions { K = 64, Seed = 23, MaxIterations = 8, Tolerance = 0, Redos = 2, SampleRate = 512 };

    public static CheckpointOptions Checkpoint(string path, string data) =>
        new() { Path = path, Interval = TimeSpan.Zero, Resume = true, InputFiles = [data] };

    public static int Main(string[] args)
    {
        (string shape, string data, string checkpoint) = (args[0], args[1], args[2]);
        using IVectorSource source = VectorFile.Open(data, null);
        KMeansTrainer.Train(source, Options(shape), Checkpoint(checkpoint, data), new Lines());
        Console.WriteLine("done");
        return 0;
    }

    private sealed class Lines : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            string? line = value switch
            {
                SamplingProgress => "sampling",
                IterationReport iteration => $"iteration {iteration.Iteration}",
                NodeProgress node => $"node {node.Node}",
                _ => null,
            };
            if (line is null)
                return;
            Console.WriteLine(line);
            Console.In.ReadLine();
        }
    }
}
