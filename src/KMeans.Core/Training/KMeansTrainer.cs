using System.Diagnostics;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Numerics;
using KMeans.Core.Planning;
using KMeans.Core.Sampling;
using KMeans.Core.Training.Checkpoints;

namespace KMeans.Core.Training;

/// <summary>
/// Trains k-means centroids: samples the source into a training buffer (in memory or on disk), then runs Lloyd's
/// algorithm <see cref="KMeansOptions.Redos"/> times and keeps the lowest loss. The same code serves both buffers,
/// and results do not depend on the buffer or the thread count.
/// </summary>
public static class KMeansTrainer
{
    /// <summary>Samples <paramref name="source"/> and trains on the sample, which is deleted afterwards.</summary>
    public static KMeansResult Train(IVectorSource source, KMeansOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Train(source, options, checkpoint: null, progress, cancellationToken);

    /// <summary>
    /// Samples <paramref name="source"/> and trains on the sample, saving its state to <paramref name="checkpoint"/>
    /// (when given) and continuing from it when it asks to resume.
    /// </summary>
    public static KMeansResult Train(IVectorSource source, KMeansOptions options, CheckpointOptions? checkpoint,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        return Train(source.Dimension, source.RowCount, options, checkpoint, progress, cancellationToken,
            (int seed, out SamplingSummary summary) => options.TrainDimension is int trainDimension
                ? SampleBuilder.BuildProjected(source, options, seed,
                    RandomizedHadamardProjection.Create(source.Dimension, trainDimension, seed), progress, cancellationToken,
                    out summary)
                : new ProjectedSample(SampleBuilder.Build(source, options, seed, progress, cancellationToken, out summary), projected: null));
    }

    /// <summary>
    /// Trains on pipeline input that <paramref name="sample"/> sampled as it arrived, with its seed (which a resumed
    /// checkpoint must share: <see cref="ResumedSeed"/>). The sample is sealed here and deleted after training.
    /// </summary>
    public static KMeansResult Train(PipelineSample sample, KMeansOptions options, CheckpointOptions? checkpoint,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(options);
        return Train(sample.Dimension, sample.NextIndex, options with { Seed = sample.Seed }, checkpoint, progress,
            cancellationToken, (int _, out SamplingSummary summary) => sample.Seal(out summary));
    }

    /// <summary>
    /// The seed of the checkpoint that <paramref name="checkpoint"/> resumes, or null when it starts a new training:
    /// input that is sampled as it arrives, before training starts, must be sampled with that seed.
    /// </summary>
    public static int? ResumedSeed(CheckpointOptions checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        checkpoint.Validate();
        return CheckpointStart.ResumedSeed(checkpoint);
    }

    /// <summary>
    /// Refuses, before any input is read, a checkpoint a training could not use (a directory or FIFO, a missing
    /// directory, an existing one without Resume, a directory where none can be written), as the training would.
    /// </summary>
    public static void CheckCheckpoint(CheckpointOptions checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        checkpoint.Validate();
        CheckpointStart.Check(checkpoint);
    }

    /// <summary>Builds the sample drawn with <paramref name="seed"/>; the trainer owns it.</summary>
    private delegate ProjectedSample SampleFactory(int seed, out SamplingSummary summary);

    private static KMeansResult Train(int dimension, long? rows, KMeansOptions options, CheckpointOptions? checkpoint,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, SampleFactory buildSample)
    {
        options.Validate();
        checkpoint?.Validate();
        ValidateAgainstDimension(options, dimension);
        var watch = Stopwatch.StartNew();
        using CheckpointStart? start = checkpoint is null ? null : CheckpointStart.Open(checkpoint, options, dimension, rows, progress);
        int seed = start?.Seed ?? options.Seed ?? Random.Shared.Next();
        KMeansResult? finished = start?.FinishedResult(options);
        using ProjectedSample sample = buildSample(seed, out SamplingSummary summary);
        KMeansResult result;
        if (finished is not null)
        {
            // Even a finished training's sample is drawn again (same seed) and checked against the checkpoint: input
            // that changed under the same names, sizes and times must not get the old centroids. The checkpoint keeps
            // the training as it was before balancing, which is then balanced as the first run balanced it.
            start!.VerifySample(sample, cancellationToken);
            result = options.BalancesPartitions
                ? Completed(sample, finished, options with { Seed = seed }, progress, cancellationToken)
                : finished;
        }
        else
        {
            TrainingCheckpointer? checkpoints = start?.Checkpointer(options, seed, sample, summary, cancellationToken);
            result = Train(sample, options with { Seed = seed }, progress, cancellationToken, checkpoints);
        }
        result.Sampling = summary;
        result.Duration = watch.Elapsed;
        return result;
    }

    /// <summary>Trains on an already built, sealed sample (the caller keeps ownership of it).</summary>
    public static KMeansResult Train(TrainingBuffer sample, KMeansOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        // Not disposed: the caller owns the buffer.
        return Train(new ProjectedSample(sample, projected: null), options, progress, cancellationToken, checkpoints: null);
    }

    /// <summary>
    /// A reduced-dimension training's run on its projected sample: <paramref name="checkpoints"/> keep its progress (in
    /// the training dimension), and the caller records the finished full-dimension result, never this one.
    /// </summary>
    internal static KMeansResult TrainProjected(TrainingBuffer projected, KMeansOptions options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, TrainingCheckpointer? checkpoints) =>
        Train(new ProjectedSample(projected, projected: null), options, progress, cancellationToken, checkpoints,
            recordsFinished: false, keepsLabels: true);

    /// <summary>
    /// With <see cref="KMeansOptions.TrainDimension"/>, <paramref name="sample"/> may hold its rows already projected,
    /// or only those (<see cref="ProjectedSample.Rereading"/>). With <paramref name="recordsFinished"/>, <paramref name="checkpoints"/> record the result as the
    /// finished training. With <paramref name="keepsLabels"/>, a flat run's result keeps its labels (through a balancing
    /// that moves nothing; one that moves centroids drops them).
    /// </summary>
    private static KMeansResult Train(ProjectedSample sample, KMeansOptions options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, TrainingCheckpointer? checkpoints,
        bool recordsFinished = true, bool keepsLabels = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!sample.IsSealed)
            throw new ArgumentException("The training buffer must be sealed before training.", nameof(sample));
        options.Validate();
        ValidateAgainstDimension(options, sample.Dimension);
        if (sample.RowCount == 0)
            throw new KMeansException(KMeansErrorKind.NoRows, "The training sample holds no rows.");
        if (sample.RowCount < options.K)
            throw new KMeansException(KMeansErrorKind.NotEnoughRows,
                $"K is {options.K}, but the training sample holds only {sample.RowCount} rows: K cannot exceed the number of rows.",
                options.K);
        if (sample.RowCount > Array.MaxLength)
            throw SampleBuffer.TooManyRows(sample.RowCount);

        var watch = Stopwatch.StartNew();
        options = options with { Seed = options.Seed ?? Random.Shared.Next() };
        KMeansResult result;
        if (options.TrainDimension is not null)
        {
            result = ReducedDimensionTrainer.Train(sample, options, progress, cancellationToken, checkpoints);
        }
        else
        {
            TrainingBuffer rows = sample.Full!;
            List<long> distinct = DistinctRows.Find(rows, options.K, options.RowsPerBlock, cancellationToken);
            bool degenerate = distinct.Count < options.K;
            // With fewer distinct rows than K the flat run's answer is exact; a tree would only split it further.
            if (options.UsesHierarchy && options.InitialCentroids is null && !degenerate)
            {
                result = HierarchicalTrainer.Train(rows, options, progress, cancellationToken, checkpoints: checkpoints);
            }
            else
            {
                (result, int[]? labels) = TrainFlat(rows, options, progress, cancellationToken, keepsLabels,
                    checkpoints?.ForFlat(), distinct);
                result.Labels = labels;
            }
            result.DistinctRows = degenerate ? distinct.Count : null;
        }
        if (recordsFinished)
            checkpoints?.Finished(result);
        result = Completed(sample, result, options, progress, cancellationToken);
        result.Duration = watch.Elapsed;
        return result;
    }

    /// <summary>The trained result balanced when the options ask for it, and told what it was trained on and with.</summary>
    private static KMeansResult Completed(ProjectedSample sample, KMeansResult trained, KMeansOptions options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        // A balanced training keeps its full-dimension rows (KMeansOptions.RereadsInputForFinalPass).
        KMeansResult result = options.BalancesPartitions
            ? Balancing.PartitionBalancer.Balance(sample.Full!, trained, options, progress, cancellationToken)
            : trained;
        result.Distance = options.Distance;
        result.Seed = options.Seed!.Value;
        result.SampleRows = sample.RowCount;
        result.OnDisk = sample.IsOnDisk;
        result.Options = options;
        return result;
    }

    /// <summary>
    /// Lloyd's algorithm over the whole sample, <see cref="KMeansOptions.Redos"/> times; with
    /// <paramref name="keepLabels"/> also each row's cluster in the kept run (hierarchical training splits by them, and
    /// a reduced-dimension training's final pass sums by them).
    /// With <paramref name="checkpoint"/>, saves its state after iterations and continues from the state it restored.
    /// </summary>
    /// <remarks>
    /// When the sample holds fewer distinct rows than K (<paramref name="distinct"/>, found here when not given), the
    /// run starts from those rows, the other centroids being copies of the first, and empty clusters are not repaired:
    /// every row then sits on its own centroid, and the copies stay empty rather than being split into perturbed
    /// duplicates. One redo suffices, as every redo would start alike.
    /// </remarks>
    internal static (KMeansResult Result, int[]? Labels) TrainFlat(TrainingBuffer sample, KMeansOptions options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, bool keepLabels,
        RunCheckpoint? checkpoint = null, List<long>? distinct = null)
    {
        distinct ??= DistinctRows.Find(sample, options.K, options.RowsPerBlock, cancellationToken);
        bool degenerate = distinct.Count < options.K;
        int seed = options.Seed!.Value;
        int k = options.K;
        int d = sample.Dimension;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.EffectiveParallelism,
            CancellationToken = cancellationToken,
        };
        using var packed = new PackedCentroids(k, d, ScreenedAssignment.Screens(options.Screen, k, d));
        var assignment = new Assignment(sample, k, options.Distance, options.RowsPerBlock, options.BytesPerRange);
        var run = new LloydRun(sample, options, assignment, packed, parallel, repairEmptyClusters: !degenerate);

        RunProgress? restored = checkpoint?.Restored;
        LloydRun.Outcome? best = restored?.Best is { } saved ? RunCheckpoint.Outcome(saved) : null;
        int[]? bestLabels = null;
        int redos = degenerate && options.InitialCentroids is null ? 1 : options.Redos;
        for (int redo = restored?.Redo ?? 0; redo < redos && restored is not { Finished: true }; redo++)
        {
            bool resuming = restored is not null && redo == restored.Redo;
            float[] initial = resuming
                ? (float[])restored!.Current!.Centroids.Clone()
                : degenerate && options.InitialCentroids is null
                    ? DistinctCentroids(sample, k, distinct)
                    : InitialCentroids(sample, options, seed, redo, assignment.Blocks, parallel, progress);
            LloydRun.Outcome outcome = run.Run(initial, redo, progress, checkpoint, resuming);
            if (best is null || outcome.Loss < best.Loss)
            {
                best = outcome;
                if (keepLabels)
                    bestLabels = (int[])assignment.Labels.Clone();
            }
            checkpoint?.RedoFinished(best, k, d);
        }
        if (restored is not { Finished: true })
            checkpoint?.Finished(best!, k, d);
        if (keepLabels && bestLabels is null)
        {
            // A resumed run's best labels were not kept: the assignment to its centroids gives them again.
            packed.Pack(best!.Centroids, options.Distance);
            (double loss, _, _) = assignment.Run(packed, parallel);
            checkpoint!.VerifyLoss(loss, best.Loss);
            bestLabels = (int[])assignment.Labels.Clone();
        }

        var result = new KMeansResult(k, d, best!.Centroids, best.Sizes, best.Loss, best.Iterations, best.Converged,
            best.History, best.Redo);
        return (result, bestLabels);
    }

    /// <summary>The distinct rows as the first centroids, the rest copies of the first row.</summary>
    private static float[] DistinctCentroids(TrainingBuffer sample, int k, List<long> distinct)
    {
        int d = sample.Dimension;
        var centroids = new float[(long)k * d];
        for (int c = 0; c < k; c++)
            sample.Rows(distinct[c < distinct.Count ? c : 0], 1).CopyTo(centroids.AsSpan(c * d, d));
        return centroids;
    }

    private static float[] InitialCentroids(TrainingBuffer sample, KMeansOptions options, int seed, int redo,
        RowBlocks blocks, ParallelOptions parallel, IProgress<TrainingProgress>? progress)
    {
        int d = sample.Dimension;
        if (options.InitialCentroids is { } given)
        {
            var centroids = new float[(long)given.Count * d];
            for (int c = 0; c < given.Count; c++)
            {
                Span<float> centroid = centroids.AsSpan(c * d, d);
                given[c].CopyTo(centroid);
                if (options.Distance == DistanceMetric.Cosine)
                    VectorMath.Normalize(centroid);
            }
            return centroids;
        }
        var random = new SeededRandom(seed, stream: redo + 1);
        int reportEvery = Math.Max(1, options.K / 100);
        void ReportChosen(int chosen)
        {
            if (chosen % reportEvery == 0 || chosen == options.K)
                progress?.Report(new InitializationProgress(redo, chosen, options.K));
        }
        return options.EffectiveInit switch
        {
            InitMethod.Random => RandomInitializer.Choose(sample, options.K, random),
            InitMethod.KMeansParallel => KMeansParallelInitializer.Choose(sample, options.K, random, blocks, parallel, ReportChosen),
            _ => KMeansPlusPlusInitializer.Choose(sample, options.K, random, blocks, parallel, ReportChosen),
        };
    }

    /// <summary>
    /// The checks that need the vectors' dimension: the centroids (K × dimension floats, padded to a multiple of 64
    /// centroids when packed) must fit one array, and given initial centroids must have that dimension.
    /// </summary>
    private static void ValidateAgainstDimension(KMeansOptions options, int dimension)
    {
        ResourcePlan.EnsureCentroidsFit(options.K, dimension);
        if (options.InitialCentroids is not { } given)
            return;
        for (int c = 0; c < given.Count; c++)
        {
            float[]? centroid = given[c];
            if (centroid is null || centroid.Length != dimension)
                throw new KMeansException(KMeansErrorKind.InitialCentroidsShape,
                    $"Initial centroid {c} has {centroid?.Length ?? 0} values, but the vectors have {dimension} dimensions.",
                    c);
        }
        CentroidValidation.Validate(given, options.Distance, "Initial centroid", dimension);
    }
}
