namespace KMeans.Core.Training.Checkpoints;

/// <summary>
/// The checkpoint's view of one Lloyd training (<see cref="KMeansTrainer.TrainFlat"/>): what it resumes from, and its
/// state after each iteration and at its end.
/// </summary>
internal sealed class RunCheckpoint(TrainingCheckpointer owner, bool refine, RunProgress? restored)
{
    public RunProgress? Restored => restored;

    /// <summary>The best finished redo so far, kept with every later save.</summary>
    public RunSnapshot? Best { get; private set; } = restored?.Best;

    public bool Due => owner.Due;

    public void RedoFinished(LloydRun.Outcome best, int k, int dimension) => Best = Snapshot(best, k, dimension);

    /// <summary>Saves the current run after an iteration; copies the live arrays, so call it only when <see cref="Due"/>.</summary>
    public void Save(int redo, float[] centroids, long[] sizes, double loss, int iteration, bool converged,
        IReadOnlyList<IterationReport> history, SkipSchedule.State schedule)
    {
        int k = sizes.Length;
        var current = new RunSnapshot(k, centroids.Length / k, (float[])centroids.Clone(), (long[])sizes.Clone(), loss,
            iteration, converged, history.ToArray(), redo);
        Set(new RunProgress(redo, Best, current, schedule, Finished: false), force: false);
    }

    public void Finished(LloydRun.Outcome best, int k, int dimension) =>
        Set(new RunProgress(best.Redo, Snapshot(best, k, dimension), null, new SkipSchedule.State(0, 1), Finished: true), force: false);

    /// <summary>
    /// Continues the restored run: <paramref name="loss"/> is the restored centroids' loss just recomputed, which must
    /// be the saved one; returns the iteration reached and whether it had converged.
    /// </summary>
    public (int Iteration, bool Converged) Continue(double loss, SkipSchedule schedule)
    {
        RunSnapshot current = restored!.Current!;
        VerifyLoss(loss, current.Loss);
        schedule.Restore(restored.Schedule);
        return (current.Iterations, current.Converged);
    }

    public void VerifyLoss(double now, double saved) => CheckpointFingerprint.VerifyLoss(owner.Path, saved, now, owner.ExactLosses);

    public static LloydRun.Outcome Outcome(RunSnapshot snapshot) => new(snapshot.Centroids, snapshot.Sizes, snapshot.Loss,
        snapshot.Iterations, snapshot.Converged, snapshot.History, snapshot.Redo);

    private static RunSnapshot Snapshot(LloydRun.Outcome outcome, int k, int dimension) => new(k, dimension,
        outcome.Centroids, outcome.Sizes, outcome.Loss, outcome.Iterations, outcome.Converged, outcome.History.ToArray(),
        outcome.Redo);

    private void Set(RunProgress progress, bool force) => owner.Offer(state =>
    {
        if (refine)
            state.Refine = progress;
        else
            state.Flat = progress;
    }, force);
}
