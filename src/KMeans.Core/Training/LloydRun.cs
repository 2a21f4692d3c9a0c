using System.Diagnostics;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;

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
    ParallelOptions parallel)
{
    public sealed record Outcome(float[] Centroids, long[] Sizes, double Loss, int Iterations, bool Converged,
        IReadOnlyList<IterationReport> History, int Redo);

    private readonly SkipBounds? _bounds = options.SkipByBounds ? new SkipBounds(options.K, sample.Dimension, options.Distance) : null;
    private readonly SkipSchedule _schedule = new();
    private readonly CentroidUpdate _update = new(options.K, sample.Dimension, options.Distance);
    private readonly bool _fold =
        options.FoldUpdate ?? (sample.IsOnDisk && sample.ByteCount(sample.RowCount) > AvailableMemory.Bytes());

    public Outcome Run(float[] centroids, int redo, IProgress<TrainingProgress>? progress)
    {
        int d = sample.Dimension;
        var history = new List<IterationReport>();
        packed.Pack(centroids, options.Distance);
        (double loss, _, _) = assignment.Run(packed, parallel, update: _fold ? _update : null);
        _schedule.Reset();
        bool converged = false;
        int iteration = 0;
        var watch = new Stopwatch();
        while (iteration < options.MaxIterations && !converged)
        {
            iteration++;
            watch.Restart();
            if (!_fold)
                _update.AddAll(sample, assignment.Labels, parallel);
            _update.Apply(assignment.Sizes, centroids);
            int repaired = EmptyClusterRepair.Repair(centroids, assignment.Sizes, d, options.Distance);
            packed.Pack(centroids, options.Distance);
            (double newLoss, long reassigned, long skipped) = Assign(_fold && iteration < options.MaxIterations ? _update : null);
            double change = RelativeChange(loss, newLoss);
            var report = new IterationReport(redo, iteration, options.MaxIterations, newLoss, change, repaired,
                reassigned, ImbalanceFactor(assignment.Sizes, sample.RowCount), watch.Elapsed, skipped);
            history.Add(report);
            progress?.Report(report);
            loss = newLoss;
            converged = options.Tolerance > 0 && change < options.Tolerance;
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
