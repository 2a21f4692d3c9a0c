using KMeans.Core.Training;
using KMeans.Core.Training.Checkpoints;

namespace KMeans.Core.Tests.Checkpoints;

/// <summary>One training at a time per checkpoint: a second one stops at once instead of overwriting the first's state.</summary>
public sealed class CheckpointLockTests
{
    private static readonly float[][] Rows = TestData.Uniform(400, 4, seed: 3);
    private static readonly KMeansOptions Options = new() { K = 3, Seed = 5, MaxDegreeOfParallelism = 1 };

    [Fact]
    public void ASecondTrainingOnACheckpointInUseIsRefusedAndTheFirstLeavesNoLock()
    {
        using var temp = new TempDirectory();
        string path = temp.File("state.kmc");
        var checkpoint = new CheckpointOptions { Path = path, Resume = true };

        using (CheckpointLock.Take(path))
        {
            var error = Assert.Throws<KMeansException>(() => KMeansTrainer.Train(TestData.Source(Rows), Options, checkpoint));
            Assert.Equal(KMeansErrorKind.CheckpointInUse, error.Kind);
            Assert.Equal($"The checkpoint '{path}' is in use by another training (it holds '{temp.File(".state.kmc.lock")}'). Wait for that training to end, or give this one another -CheckpointPath.", error.Message);
            Assert.False(File.Exists(path));
        }

        KMeansTrainer.Train(TestData.Source(Rows), Options, checkpoint);
        Assert.Equal(["state.kmc"], temp.FileNames());
    }

    /// <summary>
    /// The checks before a training refuse a held checkpoint as the training would, before saying that there is none
    /// to resume, and neither create nor remove a lock file: one a killed training left stays for the training to take.
    /// </summary>
    [Fact]
    public void TheChecksBeforeATrainingRefuseAHeldCheckpointAndTouchNoLock()
    {
        using var temp = new TempDirectory();
        string path = temp.File("state.kmc");
        var checkpoint = new CheckpointOptions { Path = path, Resume = true };

        using (CheckpointLock.Take(path))
            Assert.Equal(KMeansErrorKind.CheckpointInUse, Assert.Throws<KMeansException>(() => KMeansTrainer.CheckCheckpoint(checkpoint)).Kind);

        KMeansTrainer.CheckCheckpoint(checkpoint);
        Assert.Empty(temp.FileNames());
        File.WriteAllText(temp.File(".state.kmc.lock"), "left");
        KMeansTrainer.CheckCheckpoint(checkpoint);
        Assert.Equal("left", File.ReadAllText(temp.File(".state.kmc.lock")));
    }

    [Fact]
    public void ALockAKilledTrainingLeftIsTakenOver()
    {
        using var temp = new TempDirectory();
        string path = temp.File("state.kmc");
        File.WriteAllText(temp.File(".state.kmc.lock"), "");

        KMeansTrainer.Train(TestData.Source(Rows), Options, new CheckpointOptions { Path = path });

        Assert.Equal(["state.kmc"], temp.FileNames());
    }
}
