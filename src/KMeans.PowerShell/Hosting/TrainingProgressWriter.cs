using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using KMeans.Core.Training;
using KMeans.Core.Training.Balancing;

namespace KMeans.PowerShell.Hosting;

/// <summary>
/// Turns the trainer's reports into Write-Progress records and verbose lines, on the pipeline thread. One parent
/// activity covers the run; sampling, seeding, the nodes of hierarchical training, the passes of balancing and a
/// reduced-dimension training's final read of the input are child activities, whose updates are throttled to one per <see cref="Interval"/>. Every reported iteration (of the flat
/// run, or of the tree's top level and refine passes: at most a few hundred) gets its own update and a verbose line, as
/// does every balance pass. <see cref="Complete"/> closes every activity that was opened.
/// </summary>
internal sealed class TrainingProgressWriter(Cmdlet cmdlet, int k, int maxIterations, int redos)
{
    public const int RunActivityId = 1;
    public const int SamplingActivityId = 2;
    public const int SeedingActivityId = 3;
    public const int NodesActivityId = 4;
    public const int BalancingActivityId = 5;
    public const int FinalPassActivityId = 6;
    private const string BalancingActivity = "Balancing partitions";
    private const string FinalPassActivity = "Reading the sampled rows again";
    private static readonly TimeSpan Interval = CountProgress.Interval;

    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();
    private readonly Stopwatch _sinceIterationsStarted = new();
    private readonly Stopwatch _sinceFinalPassStarted = new();
    private readonly string _activity = $"Training k-means with K = {k}";
    private TimeSpan _lastWrite = -Interval;
    private bool _samplingOpen;
    private bool _seedingOpen;
    private bool _nodesOpen;
    private bool _balancingOpen;
    private bool _finalPassOpen;
    private bool _runOpen;
    private int _iterationsDone;

    public void Write(TrainingProgress report)
    {
        switch (report)
        {
            case SamplingProgress sampling:
                WriteSampling(sampling);
                break;
            case InitializationProgress seeding:
                WriteSeeding(seeding);
                break;
            case IterationReport iteration:
                WriteIteration(iteration);
                break;
            case NodeProgress node:
                WriteNode(node);
                break;
            case ResumeProgress resume:
                WriteResume(resume);
                break;
            case BalanceReport pass:
                WriteBalancePass(pass);
                break;
            case FinalPassProgress pass:
                WriteFinalPass(pass);
                break;
            case CheckpointWriteFailed { Finished: true } failed:
                cmdlet.WriteWarning($"The checkpoint could not record the finished training: {failed.Problem} The model is " +
                    $"output as usual; '{failed.Path}' keeps the last state written during training, if any, from which -Resume would train again.");
                break;
            case CheckpointWriteFailed failed:
                cmdlet.WriteWarning($"The checkpoint could not be written: {failed.Problem} Training goes on: " +
                    $"'{failed.Path}' keeps the last state written, and the next write is tried after -CheckpointInterval, the last one at the end.");
                break;
        }
    }

    /// <summary>True once a progress record has been written.</summary>
    public bool Shown => _runOpen;

    /// <summary>Writes the Completed records; call it after success, failure and cancellation alike.</summary>
    public void Complete()
    {
        CloseChild(ref _samplingOpen, SamplingActivityId, "Sampling rows");
        CloseChild(ref _seedingOpen, SeedingActivityId, "Choosing initial centroids");
        CloseChild(ref _nodesOpen, NodesActivityId, "Training tree nodes");
        CloseChild(ref _balancingOpen, BalancingActivityId, BalancingActivity);
        CloseChild(ref _finalPassOpen, FinalPassActivityId, FinalPassActivity);
        cmdlet.WriteProgress(new ProgressRecord(RunActivityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
    }

    private void WriteSampling(SamplingProgress sampling)
    {
        if (!Due())
            return;
        OpenRun("Sampling the input");
        _samplingOpen = true;
        cmdlet.WriteProgress(ReadingRecord(SamplingActivityId, "Sampling rows", sampling.RowsRead, sampling.TotalRows,
            string.Create(CultureInfo.InvariantCulture, $"read, {sampling.RowsSampled:N0} sampled"), _sinceStart.Elapsed));
    }

    /// <summary>A child activity reading the input: rows read (of how many, when known), the share done and the time left.</summary>
    private static ProgressRecord ReadingRecord(int activityId, string activity, long rowsRead, long? totalRows, string doing,
        TimeSpan elapsed)
    {
        string total = totalRows is long rows ? string.Create(CultureInfo.InvariantCulture, $" of {rows:N0}") : "";
        var record = new ProgressRecord(activityId, activity, string.Create(CultureInfo.InvariantCulture, $"{rowsRead:N0}{total} rows {doing}"))
        {
            ParentActivityId = RunActivityId,
        };
        if (totalRows is long known && known > 0)
        {
            record.PercentComplete = (int)Math.Min(100, 100 * rowsRead / known);
            record.SecondsRemaining = Remaining(elapsed, rowsRead, known);
        }
        return record;
    }

    private void WriteSeeding(InitializationProgress seeding)
    {
        CloseChild(ref _samplingOpen, SamplingActivityId, "Sampling rows");
        if (!Due() && seeding.CentroidsChosen != seeding.K)
            return;
        OpenRun("Choosing initial centroids");
        _seedingOpen = true;
        cmdlet.WriteProgress(new ProgressRecord(SeedingActivityId, "Choosing initial centroids",
            string.Create(CultureInfo.InvariantCulture, $"{seeding.CentroidsChosen:N0} of {seeding.K:N0} centroids chosen"))
        {
            ParentActivityId = RunActivityId,
            PercentComplete = 100 * seeding.CentroidsChosen / seeding.K,
        });
    }

    private void WriteIteration(IterationReport iteration)
    {
        CloseChild(ref _samplingOpen, SamplingActivityId, "Sampling rows");
        CloseChild(ref _seedingOpen, SeedingActivityId, "Choosing initial centroids");
        CloseChild(ref _nodesOpen, NodesActivityId, "Training tree nodes");
        _sinceIterationsStarted.Start();
        _iterationsDone++;
        long total = (long)maxIterations * redos;
        long position = (long)iteration.Redo * maxIterations + iteration.Iteration;
        string redo = redos > 1 ? $" (redo {iteration.Redo + 1} of {redos})" : "";
        string status = string.Create(CultureInfo.InvariantCulture,
            $"Iteration {iteration.Iteration} of {iteration.MaxIterations}{redo}: loss {iteration.Loss:G6}, relative change {iteration.RelativeChange:G3}");
        _runOpen = true;
        _lastWrite = _sinceStart.Elapsed;
        cmdlet.WriteProgress(new ProgressRecord(RunActivityId, _activity, status)
        {
            PercentComplete = (int)Math.Clamp(100 * position / total, 0, 100),
            // An upper bound: convergence usually ends the run before MaxIterations.
            SecondsRemaining = Remaining(_sinceIterationsStarted.Elapsed, _iterationsDone - 1, total, position),
        });
        cmdlet.WriteVerbose(string.Create(CultureInfo.InvariantCulture,
            $"{status}, {iteration.RepairedClusters} empty clusters repaired, {iteration.Reassigned:N0} rows reassigned, imbalance {iteration.ImbalanceFactor:F3}, {iteration.Elapsed.TotalMilliseconds:F1} ms"));
    }

    private void WriteNode(NodeProgress node)
    {
        if (!Due() && node.Node + 1 != node.Siblings)
            return;
        OpenRun("Training tree nodes");
        _nodesOpen = true;
        cmdlet.WriteProgress(new ProgressRecord(NodesActivityId, "Training tree nodes",
            string.Create(CultureInfo.InvariantCulture, $"Node {node.Node + 1} of {node.Siblings} at depth {node.Depth}: {node.Centroids:N0} centroids over {node.Rows:N0} rows"))
        {
            ParentActivityId = RunActivityId,
            PercentComplete = 100 * (node.Node + 1) / node.Siblings,
        });
        cmdlet.WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"Trained tree node {node.Node + 1} of {node.Siblings} at depth {node.Depth}: {node.Centroids:N0} centroids over {node.Rows:N0} rows."));
    }

    /// <summary>
    /// A pass of balancing, which can take much of a run (a minute of a production one) after the iterations: its own
    /// child activity, without a percentage, since how many passes it takes is only known at the end.
    /// </summary>
    private void WriteBalancePass(BalanceReport pass)
    {
        CloseChild(ref _nodesOpen, NodesActivityId, "Training tree nodes");
        string status = string.Create(CultureInfo.InvariantCulture,
            $"Pass {pass.Pass}: largest partition {pass.Sizes.MaxOverMean:F2}× the mean, smallest {pass.Sizes.MinOverMean:F2}×, loss {pass.Loss:G6}");
        cmdlet.WriteVerbose(string.Create(CultureInfo.InvariantCulture,
            $"Balance {char.ToLowerInvariant(status[0])}{status[1..]}, {pass.Reassigned:N0} rows reassigned, {pass.Displaced:N0} displaced, {pass.Elapsed.TotalMilliseconds:F1} ms"));
        if (!Due() && _balancingOpen)
            return;
        OpenRun(BalancingActivity);
        _balancingOpen = true;
        cmdlet.WriteProgress(new ProgressRecord(BalancingActivityId, BalancingActivity, status) { ParentActivityId = RunActivityId });
    }

    /// <summary>
    /// A reduced-dimension training's final pass reading the input files again, which on a large input takes as long as
    /// sampling did: its own child activity, timed from its first report.
    /// </summary>
    private void WriteFinalPass(FinalPassProgress pass)
    {
        CloseChild(ref _nodesOpen, NodesActivityId, "Training tree nodes");
        _sinceFinalPassStarted.Start();
        if (!Due() && _finalPassOpen)
            return;
        OpenRun(FinalPassActivity);
        _finalPassOpen = true;
        cmdlet.WriteProgress(ReadingRecord(FinalPassActivityId, FinalPassActivity, pass.RowsRead, pass.TotalRows,
            "read again for the full-dimension means", _sinceFinalPassStarted.Elapsed));
    }

    private void WriteResume(ResumeProgress resume)
    {
        string status = resume.Finished
            ? $"The checkpoint holds a finished training ({resume.Position}): returning its result"
            : $"Resumed at {resume.Position}";
        _runOpen = true;
        cmdlet.WriteProgress(new ProgressRecord(RunActivityId, _activity, status));
        cmdlet.WriteVerbose($"{status} from the checkpoint '{resume.Path}'.");
    }

    private void OpenRun(string phase)
    {
        if (_runOpen)
            return;
        _runOpen = true;
        cmdlet.WriteProgress(new ProgressRecord(RunActivityId, _activity, phase));
    }

    private void CloseChild(ref bool open, int activityId, string activity)
    {
        if (!open)
            return;
        open = false;
        cmdlet.WriteProgress(new ProgressRecord(activityId, activity, "Done")
        {
            ParentActivityId = RunActivityId,
            RecordType = ProgressRecordType.Completed,
        });
    }

    private bool Due()
    {
        TimeSpan now = _sinceStart.Elapsed;
        if (now - _lastWrite < Interval)
            return false;
        _lastWrite = now;
        return true;
    }

    private static int Remaining(TimeSpan elapsed, long done, long total) => Remaining(elapsed, done, total, done);

    /// <summary>
    /// Seconds left at the pace so far (<paramref name="timed"/> units took <paramref name="elapsed"/>), or −1 (unknown)
    /// before anything was timed.
    /// </summary>
    private static int Remaining(TimeSpan elapsed, long timed, long total, long position)
    {
        if (timed <= 0)
            return -1;
        if (position >= total)
            return 0;
        double perUnit = elapsed.TotalSeconds / timed;
        return (int)Math.Ceiling(perUnit * (total - position));
    }
}
