using System.Diagnostics;
using System.Numerics.Tensors;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.IO;
using KMeans.Core.Sampling;

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
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ValidateAgainstDimension(options, source.Dimension);
        var watch = Stopwatch.StartNew();
        int seed = options.Seed ?? Random.Shared.Next();
        using TrainingBuffer sample = SampleBuilder.Build(source, options, seed, progress, cancellationToken,
            out SamplingSummary summary);
        KMeansResult result = Train(sample, options with { Seed = seed }, progress, cancellationToken);
        result.Sampling = summary;
        result.Duration = watch.Elapsed;
        return result;
    }

    /// <summary>Trains on an already built, sealed sample (the caller keeps ownership of it).</summary>
    public static KMeansResult Train(TrainingBuffer sample, KMeansOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
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
            throw new KMeansException(KMeansErrorKind.InvalidOption,
                $"The sample holds {sample.RowCount} rows; at most {Array.MaxLength} are supported. Lower SampleRate.",
                sample.RowCount);

        var watch = Stopwatch.StartNew();
        options = options with { Seed = options.Seed ?? Random.Shared.Next() };
        KMeansResult result = options.UsesHierarchy && options.InitialCentroids is null
            ? HierarchicalTrainer.Train(sample, options, progress, cancellationToken)
            : TrainFlat(sample, options, progress, cancellationToken, keepLabels: false).Result;
        if (options.BalancesPartitions)
            result = Balancing.PartitionBalancer.Balance(sample, result, options, progress, cancellationToken);
        result.Distance = options.Distance;
        result.Seed = options.Seed.Value;
        result.SampleRows = sample.RowCount;
        result.OnDisk = sample.IsOnDisk;
        result.Duration = watch.Elapsed;
        return result;
    }

    /// <summary>
    /// Lloyd's algorithm over the whole sample, <see cref="KMeansOptions.Redos"/> times; with
    /// <paramref name="keepLabels"/> also each row's cluster in the kept run (hierarchical training splits by them).
    /// </summary>
    internal static (KMeansResult Result, int[]? Labels) TrainFlat(TrainingBuffer sample, KMeansOptions options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, bool keepLabels)
    {
        int seed = options.Seed!.Value;
        int k = options.K;
        int d = sample.Dimension;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.EffectiveParallelism,
            CancellationToken = cancellationToken,
        };
        using var packed = new PackedCentroids(k, d);
        var assignment = new Assignment(sample, k, options.Distance, options.RowsPerBlock, options.BytesPerRange);
        var run = new LloydRun(sample, options, assignment, packed, parallel);

        LloydRun.Outcome? best = null;
        int[]? bestLabels = null;
        for (int redo = 0; redo < options.Redos; redo++)
        {
            float[] initial = InitialCentroids(sample, options, seed, redo, assignment.Blocks, parallel, progress);
            LloydRun.Outcome outcome = run.Run(initial, redo, progress);
            if (best is null || outcome.Loss < best.Loss)
            {
                best = outcome;
                if (keepLabels)
                    bestLabels = (int[])assignment.Labels.Clone();
            }
        }

        var result = new KMeansResult(k, d, best!.Centroids, best.Sizes, best.Loss, best.Iterations, best.Converged,
            best.History, best.Redo);
        return (result, bestLabels);
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
                    CentroidUpdate.Normalize(centroid);
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
        long packedValues = (options.K + 63L) / 64 * 64 * dimension;
        if (packedValues > Array.MaxLength)
            throw new KMeansException(KMeansErrorKind.InvalidOption,
                $"K = {options.K:N0} centroids of {dimension:N0} dimensions are {(long)options.K * dimension:N0} values, more than " +
                $"the {Array.MaxLength:N0} one array of centroids can hold: lower K.", options.K);
        if (options.InitialCentroids is not { } given)
            return;
        for (int c = 0; c < given.Count; c++)
        {
            float[]? centroid = given[c];
            if (centroid is null || centroid.Length != dimension)
                throw new KMeansException(KMeansErrorKind.InitialCentroidsShape,
                    $"Initial centroid {c} has {centroid?.Length ?? 0} values, but the vectors have {dimension} dimensions.",
                    c);
            if (!TensorPrimitives.IsFiniteAll<float>(centroid))
                throw new KMeansException(KMeansErrorKind.NonFiniteValue,
                    $"Initial centroid {c} contains NaN or infinity.", c);
            if (options.Distance == DistanceMetric.Cosine && TensorPrimitives.Norm<float>(centroid) == 0)
                throw new KMeansException(KMeansErrorKind.ZeroVector,
                    $"Initial centroid {c} is the zero vector, which has no direction under Cosine distance.", c);
        }
    }
}
