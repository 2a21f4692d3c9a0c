using System.Runtime.InteropServices;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Checkpoints;

/// <summary>
/// "Bit-identical" for a resumed training: centroids, loss, sizes, iterations, convergence, the kept redo, every
/// per-iteration statistic but its duration, and a tree's levels, compared bit for bit.
/// </summary>
internal static class CheckpointAssert
{
    public static void BitIdentical(KMeansResult expected, KMeansResult actual)
    {
        Assert.True(MemoryMarshal.AsBytes(expected.Centroids.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(actual.Centroids.AsSpan())),
            "The centroids differ.");
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Loss), BitConverter.DoubleToInt64Bits(actual.Loss));
        Assert.Equal(expected.ClusterSizes, actual.ClusterSizes);
        Assert.Equal(expected.Iterations, actual.Iterations);
        Assert.Equal(expected.Converged, actual.Converged);
        Assert.Equal(expected.BestRedo, actual.BestRedo);
        Assert.Equal(expected.Seed, actual.Seed);
        Assert.Equal(expected.SampleRows, actual.SampleRows);
        Assert.Equal(expected.History.Count, actual.History.Count);
        for (int i = 0; i < expected.History.Count; i++)
            Assert.Equal(expected.History[i] with { Elapsed = TimeSpan.Zero }, actual.History[i] with { Elapsed = TimeSpan.Zero });
        // How many passes gathered a level's nodes depends on the threads and on what was restored, not the result.
        Assert.Equal(expected.Levels.Select(level => level with { GatheringPasses = 0 }),
            actual.Levels.Select(level => level with { GatheringPasses = 0 }));
    }
}

/// <summary>Reports synchronously on the training thread, so a test can cancel at an exact point.</summary>
internal sealed class StopAt(Func<TrainingProgress, bool> stopHere, CancellationTokenSource cancel) : IProgress<TrainingProgress>
{
    public List<TrainingProgress> Reports { get; } = [];

    public void Report(TrainingProgress value)
    {
        lock (Reports)
            Reports.Add(value);
        if (stopHere(value))
            cancel.Cancel();
    }
}
