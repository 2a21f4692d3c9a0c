using KMeans.Core.Buffers;
using KMeans.Core.Files;
using KMeans.Core.Sampling;

namespace KMeans.Core.Training.Checkpoints;

/// <summary>
/// The checkpoint side of a training's start: takes the checkpoint's lock for the training (disposing this releases
/// it), refuses to overwrite a checkpoint unless resuming, reads and verifies the one to resume (settings and input
/// before sampling, the sample after it), and hands out the seed it used.
/// </summary>
internal sealed class CheckpointStart : IDisposable
{
    private readonly CheckpointLock _lock;
    private readonly CheckpointOptions _options;
    private readonly string _path;
    private readonly CheckpointState? _restored;
    private readonly List<KeyValuePair<string, string>> _inputs;
    private readonly IProgress<TrainingProgress>? _progress;

    private CheckpointStart(CheckpointLock held, CheckpointOptions options, string path, CheckpointState? restored,
        List<KeyValuePair<string, string>> inputs, IProgress<TrainingProgress>? progress)
    {
        _lock = held;
        _options = options;
        _path = path;
        _restored = restored;
        _inputs = inputs;
        _progress = progress;
    }

    /// <summary>The seed the checkpoint was written with, when resuming one.</summary>
    public int? Seed => _restored?.Seed;

    /// <param name="rows">The input's rows, or null when only a full read can tell.</param>
    public static CheckpointStart Open(CheckpointOptions checkpoint, KMeansOptions options, int dimension, long? rows,
        IProgress<TrainingProgress>? progress)
    {
        string path = TrainingCheckpointer.Prepare(checkpoint.Path);
        CheckpointLock held = CheckpointLock.Take(path);
        try
        {
            bool exists = File.Exists(path);
            if (exists && !checkpoint.Resume)
                throw AlreadyExists(path);
            List<KeyValuePair<string, string>> inputs = CheckpointFingerprint.Inputs(dimension, rows, checkpoint.InputFiles);
            CheckpointState? restored = null;
            if (exists)
            {
                restored = CheckpointFile.Read(path);
                int seed = options.Seed ?? restored.Seed;
                CheckpointFingerprint.Verify(path, restored, CheckpointFingerprint.Settings(options, seed),
                    options.Seed is not null, inputs);
            }
            return new CheckpointStart(held, checkpoint, path, restored, inputs, progress);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>
    /// What refuses a checkpoint before anything is read: a directory, a FIFO, a missing directory, a checkpoint
    /// another training holds, an existing checkpoint without resuming, a file to resume that is no checkpoint, or a
    /// directory where none can be written.
    /// </summary>
    public static void Check(CheckpointOptions checkpoint)
    {
        string path = TrainingCheckpointer.Prepare(checkpoint.Path);
        CheckpointLock.ThrowIfHeld(path);
        if (File.Exists(path) && !checkpoint.Resume)
            throw AlreadyExists(path);
        if (File.Exists(path) && !CheckpointFile.IsCheckpoint(path))
            throw CheckpointFile.NotACheckpoint(path, KMeansErrorKind.InvalidFile);
        AtomicFile.Begin(path, overwrite: true).Dispose();
    }

    private static KMeansException AlreadyExists(string path) => CheckpointFile.IsCheckpoint(path)
        ? new(KMeansErrorKind.FileExists, $"A checkpoint already exists at '{path}': resume it, or delete it to start a new training.", path)
        : CheckpointFile.NotACheckpoint(path, KMeansErrorKind.FileExists);

    /// <summary>The seed of the checkpoint that <paramref name="checkpoint"/> resumes, or null when it starts a new training.</summary>
    public static int? ResumedSeed(CheckpointOptions checkpoint)
    {
        if (!checkpoint.Resume)
            return null;
        string path = TrainingCheckpointer.Prepare(checkpoint.Path);
        return File.Exists(path) ? CheckpointFile.Read(path).Seed : null;
    }

    /// <summary>The result of a finished training the checkpoint holds, or null when there is training to do.</summary>
    public KMeansResult? FinishedResult(KMeansOptions options)
    {
        // A reduced-dimension training that kept its progress finishes from it, balanced with the bounds given now and
        // with its final pass again, as a fresh training with those bounds would (TrainingCheckpointer.Finished).
        if (_restored?.Final is not { } final || (options.TrainDimension is not null && _restored.HasProgress))
            return null;
        _progress?.Report(new ResumeProgress(_path, _restored.Position(), Finished: true));
        KMeansResult result = final.ToResult();
        result.Levels = _restored.FinalLevels;
        result.DistinctRows = _restored.FinalDistinctRows;
        result.TrainDimension = options.TrainDimension;
        result.TrainDimensionLoss = _restored.FinalTrainDimensionLoss;
        result.Distance = options.Distance;
        result.Seed = _restored.Seed;
        result.SampleRows = _restored.Sample.Rows;
        result.OnDisk = options.OnDisk;
        result.Sampling = _restored.Sampling;
        result.Options = options with { Seed = _restored.Seed };
        return result;
    }

    /// <summary>Refuses a sample other than the one the resumed checkpoint was trained on.</summary>
    public void VerifySample(ProjectedSample sample, CancellationToken cancellationToken) =>
        Verified(sample, cancellationToken, keepProbe: false);

    /// <summary>
    /// Verifies the sample against the resumed checkpoint's, its shape first, and returns its fingerprint as this
    /// version takes it when <paramref name="keepProbe"/> (one read of a sample that keeps its full rows; null
    /// otherwise). A checkpoint of format 1 to 5 probed the rows' values (<see cref="CheckpointState.ProbesRowHashes"/>),
    /// which a sample that does not keep them reads again from the input: once per resumed training of such a checkpoint.
    /// </summary>
    private SampleFingerprint? Verified(ProjectedSample sample, CancellationToken cancellationToken, bool keepProbe)
    {
        if (_restored is not null)
            CheckpointFingerprint.VerifyShape(_path, _restored.Sample, new SampleFingerprint(sample.RowCount, sample.Dimension, Probe: 0));
        SampleFingerprint? now = keepProbe || _restored is { ProbesRowHashes: true }
            ? CheckpointFingerprint.Sample(sample, cancellationToken)
            : null;
        if (_restored is not null)
        {
            CheckpointFingerprint.VerifySample(_path, _restored.Sample, _restored.ProbesRowHashes
                ? now!
                : CheckpointFingerprint.FullRowSample(sample, cancellationToken));
        }
        return now;
    }

    /// <summary>The checkpointer for the training on <paramref name="sample"/>; verifies the sample when resuming.</summary>
    public TrainingCheckpointer Checkpointer(KMeansOptions options, int seed, ProjectedSample sample, SamplingSummary summary,
        CancellationToken cancellationToken)
    {
        var state = new CheckpointState
        {
            Settings = CheckpointFingerprint.Settings(options, seed),
            Inputs = _inputs,
            Seed = seed,
            Sample = Verified(sample, cancellationToken, keepProbe: true)!,
            Sampling = summary,
        };
        var checkpointer = new TrainingCheckpointer(_path, _options.Interval, state, _restored, _progress);
        if (_restored is not null)
            _progress?.Report(new ResumeProgress(_path, _restored.Position(), Finished: false));
        return checkpointer;
    }
}
