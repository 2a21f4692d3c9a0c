using System.Diagnostics;
using KMeans.Core.Buffers;
using KMeans.Core.Files;

namespace KMeans.Core.Training.Checkpoints;

/// <summary>
/// One training's checkpoint: holds the state saved so far (and the state restored from a resumed checkpoint), and
/// writes it whenever the interval has passed since the last write, and always at the end. Tree nodes finish on
/// several threads, so updates and writes are serialised.
/// </summary>
internal sealed class TrainingCheckpointer
{
    private readonly object _gate = new();
    private readonly Stopwatch _sinceWrite = Stopwatch.StartNew();
    private readonly TimeSpan _interval;
    private readonly CheckpointState _state;
    private readonly CheckpointState? _restored;
    private readonly IProgress<TrainingProgress>? _progress;

    /// <param name="restored">The state resumed, whose sample the caller has verified against <paramref name="state"/>'s.</param>
    public TrainingCheckpointer(string path, TimeSpan interval, CheckpointState state, CheckpointState? restored,
        IProgress<TrainingProgress>? progress)
    {
        Path = path;
        _interval = interval;
        _state = state;
        _restored = restored;
        _progress = progress;
        if (restored is null)
            return;
        state.Flat = restored.Flat;
        foreach ((int node, RunSnapshot snapshot) in restored.Nodes)
            state.Nodes.Add(node, snapshot);
        state.Refine = restored.Refine;
    }

    public string Path { get; }

    /// <summary>See <see cref="CheckpointState.ExactLosses"/>: true without a restored state.</summary>
    public bool ExactLosses => _restored?.ExactLosses ?? true;

    /// <summary>Whether the interval has passed, so that the next offered state is written.</summary>
    public bool Due => _sinceWrite.Elapsed >= _interval;

    /// <summary>The flat training, or the tree's top level.</summary>
    public RunCheckpoint ForFlat() => new(this, refine: false, _restored?.Flat);

    /// <summary>The global passes after a tree.</summary>
    public RunCheckpoint ForRefine() => new(this, refine: true, _restored?.Refine);

    public RunSnapshot? FinishedNode(int node) => _restored?.Nodes.GetValueOrDefault(node);

    public void NodeFinished(int node, KMeansResult result) => Offer(state => state.Nodes[node] = RunSnapshot.Of(result), force: false);

    /// <summary>
    /// Records the result; the checkpoint then says the training finished, and resuming returns it. The progress that
    /// led there is no longer needed, so the last checkpoint holds the result alone, except after a reduced-dimension
    /// training: its result was balanced in the training dimension before its final pass, with the size bounds of
    /// that run, which may differ on resuming, so it keeps the progress in the training dimension to finish from
    /// (<see cref="CheckpointStart.FinishedResult"/>).
    /// </summary>
    public void Finished(KMeansResult result) => Offer(state =>
    {
        state.Final = RunSnapshot.Of(result);
        state.FinalLevels = result.Levels;
        state.FinalDistinctRows = result.DistinctRows;
        state.FinalTrainDimensionLoss = result.TrainDimensionLoss;
        if (result.TrainDimension is not null)
            return;
        state.Flat = null;
        state.Nodes.Clear();
        state.Refine = null;
    }, force: true, finished: true);

    /// <summary>
    /// Writes the state as it stands, before a reduced-dimension training's final pass: that pass reads the input again
    /// and may take as long as sampling did, and a stop or a changed input there must not lose the iterations.
    /// </summary>
    public void WriteNow() => Offer(_ => { }, force: true);

    /// <summary>
    /// Applies <paramref name="update"/> to the state and writes it when due (or forced). A write that fails is
    /// reported (<see cref="CheckpointWriteFailed"/>) and training goes on: a checkpoint protects the training, so a
    /// full disk must not end it; the file keeps the last state written (an atomic write leaves it as it was).
    /// </summary>
    /// <param name="finished">The state is the finished training's, the last write.</param>
    public void Offer(Action<CheckpointState> update, bool force, bool finished = false)
    {
        lock (_gate)
        {
            update(_state);
            if (!force && !Due)
                return;
            try
            {
                CheckpointFile.Write(Path, _state);
            }
            catch (Exception e) when (e is KMeansException or IOException or UnauthorizedAccessException)
            {
                _progress?.Report(new CheckpointWriteFailed(Path, e.Message, finished));
            }
            _sinceWrite.Restart();
        }
    }

    /// <summary>The checkpoint path, made absolute, with what a killed write left beside it removed.</summary>
    public static string Prepare(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new KMeansException(KMeansErrorKind.TargetNotRegularFile,
                $"The checkpoint path '{full}' is a directory; a checkpoint is a regular file.", full);
        if (SymbolicLinks.WhereDanglingLeads(full) is { } end)
            throw new KMeansException(KMeansErrorKind.FileNotFound,
                $"The checkpoint path '{full}' is a symbolic link that leads to '{end}', which does not exist: give the checkpoint file itself, or remove the link.",
                full);
        // Opening a FIFO to read a checkpoint would wait for a writer forever.
        if (UnixFileStatus.Of(full, followLinks: true) is { Type: not UnixFileType.Regular } special)
            throw new KMeansException(KMeansErrorKind.TargetNotRegularFile,
                $"The checkpoint path '{full}' is a {(special.Type == UnixFileType.Fifo ? "FIFO (named pipe)" : "device or socket")}; a checkpoint is a regular file.", full);
        string directory = System.IO.Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new KMeansException(KMeansErrorKind.FileNotFound,
                $"Cannot write the checkpoint '{full}': {AtomicFile.MissingDirectory(directory)}.", full);
        AtomicFile.RemoveLeftovers(full);
        return full;
    }
}
