using System.Diagnostics;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Planning;
using KMeans.Core.Training.Checkpoints;

namespace KMeans.Core.Training;

/// <summary>
/// One run of Lloyd's algorithm from given centroids. Each iteration updates the centroids from the current labels,
/// repairs empty clusters, then assigns every row to the new centroids; so the loss, sizes and labels always describe
/// the centroids that are returned. The update's sums are taken during the assignment before it, range by range
/// (<see cref="KMeansOptions.FoldUpdate"/>) when the sample is on disk beyond the page cache, so that an
/// iteration reads it from disk once, not twice, and in memory when the adds hide behind the assignment
/// (<see cref="AddsKeepUp"/>; in a pass with bounds, when the last attempt kept fewer than half the rows). With
/// <see cref="KMeansOptions.SkipByBounds"/>, the assignments after the first let <see cref="SkipBounds"/> keep the
/// labels it can prove unchanged (when <see cref="SkipSchedule"/> finds it worth trying); the first has no labels worth
/// keeping.
/// </summary>
internal sealed class LloydRun(TrainingBuffer sample, KMeansOptions options, Assignment assignment, PackedCentroids packed,
    ParallelOptions parallel, bool repairEmptyClusters = true)
{
    public sealed record Outcome(float[] Centroids, long[] Sizes, double Loss, int Iterations, bool Converged,
        IReadOnlyList<IterationReport> History, int Redo);

    private readonly SkipBounds? _bounds = options.SkipByBounds ? new SkipBounds(options.K, sample.Dimension, options.Distance) : null;
    private readonly SkipSchedule _schedule = new();
    private readonly CentroidUpdate _update = new(options.K, sample.Dimension, options.Distance);
    private readonly bool _foldAlways =
        options.FoldUpdate ?? (sample.IsOnDisk && !ResourcePlan.PageCacheHolds(sample.ByteCount(sample.RowCount)));
    private readonly bool _addsKeepUp = options.FoldUpdate ?? AddsKeepUp(options);

    /// <summary>Whether the last assignment pass took the update's sums of its labels.</summary>
    private bool _summed;

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
        bool foldFirst = _foldAlways || _addsKeepUp;
        (double loss, _, _) = assignment.Run(packed, parallel, update: foldFirst ? _update : null);
        _summed = foldFirst;
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
            if (!_summed)
                _update.AddAll(sample, assignment.Labels, parallel);
            _update.Apply(assignment.Sizes, centroids);
            int repaired = repairEmptyClusters ? EmptyClusterRepair.Repair(centroids, assignment.Sizes, d, options.Distance) : 0;
            packed.Pack(centroids, options.Distance);
            (double newLoss, long reassigned, long skipped) = Assign(sumsWanted: iteration < options.MaxIterations);
            double change = RelativeChange(loss, newLoss);
            var report = new IterationReport(redo, iteration, options.MaxIterations, newLoss, change, repaired,
                reassigned, ImbalanceFactor(assignment.Sizes, sample.RowCount), watch.Elapsed, skipped);
            history.Add(report);
            progress?.Report(report);
            loss = newLoss;
            // Repaired centroids were moved by a rule, not by their rows: the run has not settled until an iteration
            // needs no repair (under Dot distance, for one, centroids of small norm lose their rows again and again).
            converged = repaired == 0 && HasConverged(newLoss, change, options.Tolerance);
            if (checkpoint is { Due: true })
                checkpoint.Save(redo, centroids, assignment.Sizes, loss, iteration, converged, history, _schedule.Saved);
        }
        return new Outcome(centroids, (long[])assignment.Sizes.Clone(), loss, iteration, converged, history, redo);
    }

    /// <summary>Assigns every row; takes the next update's sums on the way when the policy says so and they are wanted.</summary>
    private (double Loss, long Reassigned, long Skipped) Assign(bool sumsWanted)
    {
        if (_bounds is null || !_schedule.TryBounds())
        {
            _summed = sumsWanted && (_foldAlways || _addsKeepUp);
            return assignment.Run(packed, parallel, update: _summed ? _update : null);
        }
        _bounds.Update(packed, parallel);
        if (!BoundsKeepEnoughOfAProbe())
        {
            _summed = sumsWanted && (_foldAlways || _addsKeepUp);
            return assignment.Run(packed, parallel, update: _summed ? _update : null);
        }
        // A pass that skips most rows is too short to hide the adds behind: a sample read from disk folds here, one in
        // memory only where the last attempt kept fewer than half the rows. On uniform data every attempt keeps none
        // and is a whole pass; the separate update after it cost W2 5.4 ms an attempt (bench/README.md).
        _summed = sumsWanted && (_foldAlways || (_addsKeepUp && !_schedule.LastAttemptKeptMost));
        (double Loss, long Reassigned, long Skipped) result = assignment.Run(packed, parallel, _bounds, _summed ? _update : null);
        _schedule.Record(result.Skipped, sample.RowCount);
        return result;
    }

    /// <summary>
    /// Whether the bounds keep at least 1/<see cref="SkipSchedule.WorthwhileFraction"/> of a probe of
    /// <see cref="ProbeRuns"/> runs of <see cref="ProbeRunRows"/> rows spread over the sample; if not, the attempt is
    /// recorded as the probe went and the pass runs without bounds. On uniform data every attempt kept no row, and a
    /// pass with bounds (each row's distance to its centroid, then the kernel for it all the same) took W1 6 ms more
    /// than a plain one, 5 attempts in 20 iterations. Only speed depends on it.
    /// </summary>
    private bool BoundsKeepEnoughOfAProbe()
    {
        long rows = sample.RowCount;
        if (rows <= ProbeRuns * ProbeRunRows)
            return true;
        int d = sample.Dimension;
        long kept = 0;
        for (int run = 0; run < ProbeRuns; run++)
        {
            long first = rows / ProbeRuns * run;
            for (long row = first; row < first + ProbeRunRows; row++)
            {
                int label = assignment.Labels[row];
                float squared = SquaredDistance.Of(sample.Rows(row, 1), packed.Plain.Slice(label * d, d));
                if (_bounds!.KeepsLabel(label, MathF.Sqrt(squared)))
                    kept++;
            }
        }
        if (kept * SkipSchedule.WorthwhileFraction >= ProbeRuns * ProbeRunRows)
            return true;
        _schedule.Record(kept, ProbeRuns * ProbeRunRows);
        return false;
    }

    private const int ProbeRuns = 16;
    private const int ProbeRunRows = 64;

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

    /// <summary>
    /// Whether an assignment pass over a sample in memory (or in the page cache) takes the next update's sums, saving the
    /// update's second read of the sample. Finished ranges are added one at a time, in row order, so the sums stay
    /// bit-identical; each row is d additions against 2·K·d flops of assignment shared by the threads, so with at least
    /// two threads and K ≥ 16 × threads one adder hides behind the other workers' assignment (W2 on 2 threads: 0.91×
    /// the iteration time, W1 unchanged). On one thread, or with fewer centroids per thread, the adds would only be
    /// moved, not hidden, and the separate parallel update pass is as fast or faster (W1 on 1 thread: 1.04×).
    /// </summary>
    internal static bool AddsKeepUp(KMeansOptions options) =>
        options.EffectiveParallelism >= 2 && options.K >= FoldingCentroidsPerThread * options.EffectiveParallelism;

    /// <summary>Centroids per thread from which the folded update keeps up with the assignment (see <see cref="AddsKeepUp"/>).</summary>
    internal const int FoldingCentroidsPerThread = 16;
}
