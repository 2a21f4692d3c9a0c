using KMeans.Core.Training;
using KMeans.Core.Training.Checkpoints;

namespace KMeans.Core.Tests.Checkpoints;

/// <summary>A checkpoint protects a training: a write that fails (here its directory removed mid-run) must not end it.</summary>
public class CheckpointWriteFailureTests
{
    private static readonly float[][] Rows = TestData.Blobs(clusters: 12, perCluster: 100, dimension: 5, spread: 3, seed: 3).Rows;

    [Fact]
    public void ATrainingWhoseCheckpointCannotBeWrittenGoesOnAndReportsIt()
    {
        var options = new KMeansOptions { K = 10, Seed = 7, MaxIterations = 12, Tolerance = 0 };
        KMeansResult uninterrupted = KMeansTrainer.Train(TestData.Source(Rows), options);
        using var temp = new TempDirectory();
        string directory = Path.Combine(temp.Path, "checkpoints");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "run.kmc");
        using var never = new CancellationTokenSource();
        var reports = new StopAt(report =>
        {
            if (report is IterationReport { Iteration: 3 })
                Directory.Delete(directory, recursive: true);
            return false;
        }, never);

        KMeansResult result = KMeansTrainer.Train(TestData.Source(Rows), options,
            new CheckpointOptions { Path = path, Interval = TimeSpan.Zero }, reports);

        CheckpointAssert.BitIdentical(uninterrupted, result);
        CheckpointWriteFailed[] failures = reports.Reports.OfType<CheckpointWriteFailed>().ToArray();
        Assert.NotEmpty(failures);
        Assert.All(failures, failure => Assert.Equal(path, failure.Path));
        Assert.Contains("does not exist", failures[0].Problem);
        Assert.All(failures[..^1], failure => Assert.False(failure.Finished));
        Assert.True(failures[^1].Finished, "the last write, of the finished training, says so");
        Assert.False(Directory.Exists(directory));
    }
}
