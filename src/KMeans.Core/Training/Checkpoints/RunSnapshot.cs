namespace KMeans.Core.Training.Checkpoints;

/// <summary>
/// Centroids with what produced them: a Lloyd run's state after an iteration, a finished run, a finished tree node,
/// or the whole training's result. <see cref="Sizes"/>, <see cref="Loss"/> and the labels behind them are not needed
/// to continue (an assignment pass recomputes them bit for bit) but are kept for finished results and to verify.
/// </summary>
internal sealed record RunSnapshot(int K, int Dimension, float[] Centroids, long[] Sizes, double Loss, int Iterations,
    bool Converged, IReadOnlyList<IterationReport> History, int Redo)
{
    /// <summary>A finished tree node's own subtree, when the node was itself trained as a tree; empty otherwise.</summary>
    public IReadOnlyList<HierarchyLevel> Levels { get; init; } = [];

    public static RunSnapshot Of(KMeansResult result) => new(result.K, result.Dimension, result.Centroids,
        result.ClusterSizes, result.Loss, result.Iterations, result.Converged, result.History, result.BestRedo)
    {
        Levels = result.Levels,
    };

    public KMeansResult ToResult() => new(K, Dimension, Centroids, Sizes, Loss, Iterations, Converged, History, Redo)
    {
        Levels = Levels,
    };
}

/// <summary>
/// How far one Lloyd training (flat, a tree's top level, or its refinement) got: the redo under way, the best finished
/// redo before it, the current run after its last finished iteration and the bound schedule's state, or, once
/// <see cref="Finished"/>, only <see cref="Best"/>, the run's result.
/// </summary>
internal sealed record RunProgress(int Redo, RunSnapshot? Best, RunSnapshot? Current, SkipSchedule.State Schedule,
    bool Finished);

/// <summary>What identifies the training sample beyond the settings: the rows it holds and a probe of their values.</summary>
internal sealed record SampleFingerprint(long Rows, int Dimension, ulong Probe);
