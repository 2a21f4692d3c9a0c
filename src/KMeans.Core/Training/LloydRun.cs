using System.Diagnostics;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Planning;
using KMeans.Core.Training.Checkpoints;

namespace KMeans.Core.Training;

/// <summary>
/// One run of Lloyd's algorithm from given centroids. Each iteration updates the centroids from the current labels,
/// repairs empty clusters, then assigns every row to the new centroids; so the loss, sizes and labels always describe
/// the centroids that are returned. When the sample is on disk and larger than the memory available, the update's
/// sums are taken during the assignment before it, range by range (<see cref="KMeansOptions.FoldUpdate"/>), so an
/// iteration reads the sample from disk once, not twice. With <see cref="KMeansOptions.SkipByBounds"/>, the
/// assignments after the first let <see cref="SkipBounds"/> keep the labels it can prove unchanged (when
/// <see cref="SkipSchedule"/> finds it worth trying); the first has no labels worth keeping.
/// </summary>
internal sealed class LloydRun(TrainingBuffer sample, KMeansOptions options, Assignment assignment, PackedCentroids packed,
    ParallelOptions parallel, bool repairEmptyClusters = true)
{
    public sealed record Outcome(float[] Centroids, long[] Sizes, double Loss, int Iterations, bool Converged,
        IReadOnlyList<IterationReport> History, int Redo);

    private readonly SkipBounds? _bounds = options.SkipByBounds ? new SkipBounds(options.K, sample.Dimension, options.Distance) : null;
    private readonly SkipSchedule _schedule = new();
    private readonly CentroidUpdate _update = new(options.K, sample.Dimension, options.Distance);
    private readonly bool _fold =
        options.FoldUpdate ?? (sample.IsOnDisk && !ResourcePlan.PageCacheHolds(sample.ByteCount(sample.RowCount)));

    /// <summary>
    /// Runs from <paramref name="centroids"/>, or with <paramref name="resuming"/> continues the run that
    /// <paramref name="checkpoint"/> restored from them (its labels, loss and update sums come from the same first
    /// assignment pass).
    /// </summary>
    public Outcome Run(float[] centroids, int redo, IProgress<TrainingProgress>? progress, RunCheckpoint? checkpoint = null,
        bool resuming = false)
    {
        int d = sample.Dimension;
        var history = new List<IterationReport>(resuming ? checkpoint!.Restored!.Current!.History : []);
        packed.Pack(centroids, options.Distance);
        (double loss, _, _) = assignment.Run(packed, parallel, update: _fold ? _update : null);
        _schedule.Reset();
        bool converged = false;
        int iteration = 0;
        if (resuming)
            (iteration, converged) = checkpoint!.Continue(loss, _schedule);
        var watch = new Stopwatch();
        while (iteration < options.MaxIterations && !converged)
        {
            iteration++;
            watch.Restart();
            if (!_fold)
                _update.AddAll(sample, assignment.Labels, parallel);
            _update.Apply(assignment.Sizes, centroids);
            int repaired = repairEmptyClusters ? EmptyClusterRepair.Repair(centroids, assignment.Sizes, d, options.Distance) : 0;
            packed.Pack(centroids, options.Distance);
            (double newLoss, long reassigned, long skipped) = Assign(_fold && iteration < options.MaxIterations ? _update : null);
            double change = RelativeChange(loss, newLoss);
            var report = new IterationReport(redo, iteration, options.MaxIterations, newLoss, change, repaired,
                reassigned, ImbalanceFactor(assignment.Sizes, sample.RowCount), watch.Elapsed, skipped);
            history.Add(report);
            progress?.Report(report);
            loss = newLoss;
            converged = HasConverged(newLoss, change, options.Tolerance);
            if (checkpoint is { Due: true })
                checkpoint.Save(redo, centroids, assignment.Sizes, loss, iteration, converged, history, _schedule.Saved);
        }
        return new Outcome(centroids, (long[])assignment.Sizes.Clone(), loss, iteration, converged, history, redo);
    }

    private (double Loss, long Reassigned, long Skipped) Assign(CentroidUpdate? next)
    {
        if (_bounds is null || !_schedule.TryBounds())
            return assignment.Run(packed, parallel, update: next);
        _bounds.Update(packed, parallel);
        (double Loss, long Reassigned, long Skipped) result = assignment.Run(packed, parallel, _bounds, next);
        _schedule.Record(result.Skipped, sample.RowCount);
        return result;
    }

    /// <summary>
    /// Converged: every row lies on its centroid (loss 0, so no iteration can change anything), or the loss changed
    /// by less than the tolerance. Never on a non-finite loss, which only a bug could produce.
    /// </summary>
    internal static bool HasConverged(double loss, double relativeChange, double tolerance) =>
        double.IsFinite(loss) && (loss == 0 || (tolerance > 0 && relativeChange < tolerance));

    /// <summary>|previous − current| / |current|; 0 when both are 0 (nothing left to improve).</summary>
    internal static double RelativeChange(double previous, double current)
    {
        double difference = Math.Abs(previous - current);
        if (difference == 0)
            return 0;
        return current == 0 ? double.PositiveInfinity : difference / Math.Abs(current);
    }

    /// <summary>K·Σ size² / n², as FAISS reports it: 1 for perfectly even clusters, K when one cluster holds all.</summary>
    internal static double ImbalanceFactor(long[] sizes, long rows)
    {
        double sumOfSquares = 0;
        foreach (long size in sizes)
            sumOfSquares += (double)size * size;
        return sizes.Length * sumOfSquares / ((double)rows * rows);
    }
}
