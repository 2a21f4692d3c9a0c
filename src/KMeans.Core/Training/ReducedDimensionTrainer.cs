using System.Numerics.Tensors;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Sampling;
using KMeans.Core.Training.Checkpoints;

namespace KMeans.Core.Training;

/// <summary>
/// Training in a reduced dimension (<see cref="KMeansOptions.TrainDimension"/>): Lloyd's algorithm (flat or
/// hierarchical) runs on the sample projected by a seeded <see cref="RandomizedHadamardProjection"/>, then a final
/// pass in the full dimension gives each cluster the mean of its rows and measures the loss there.
/// </summary>
/// <remarks>
/// The full-dimension rows for the final pass are the sample itself: sampling writes every chosen row twice, as it is
/// and projected, into two buffers of the same kind (memory or temporary files), so nothing depends on reading the
/// source again (a pipeline cannot be) and the final pass reads the same bytes in memory and on disk. It costs the
/// projected buffer on top of the usual sample, n·m·4 bytes (m the training dimension, 1/8 more at m = d/8). The
/// final pass labels every row by its cluster in the training dimension: the labels of a flat run's last assignment
/// (<see cref="KMeansResult.Labels"/>, which describe the centroids it returns), or after a tree that was not refined
/// its leaf (<see cref="TreeLeaves"/>: the nearest among its node's centroids, as the tree trained it,
/// O(n·(FanOut + K / FanOut)·m), where the nearest of all K would cost several times the whole tree at large K), or
/// otherwise (balanced, refined) its nearest trained centroid there (one more assignment, O(n·K·m)). It then sums the
/// full rows by those labels in one read, which also takes what the loss against the means needs
/// (<see cref="PivotSpread"/>): O(n·d), against O(n·K·d) for a full-dimension Lloyd iteration. Sizes and
/// loss are those of that partition; iteration reports keep the loss in the training dimension. Measuring how many
/// rows' nearest full-dimension centroid is their own cluster (<see cref="KMeansOptions.MeasureNearestCentroidAgreement"/>,
/// the IVF recall effect) costs one full-dimension assignment more, so only the bench and tests ask for it.
/// </remarks>
internal static class ReducedDimensionTrainer
{
    /// <summary>
    /// Trains on <paramref name="projected"/> (the rows of <paramref name="sample"/> projected), or projects
    /// <paramref name="sample"/> first into a buffer of its kind when none is given. <paramref name="checkpoints"/>
    /// keep the progress in the training dimension; the caller records the full-dimension result.
    /// </summary>
    public static KMeansResult Train(TrainingBuffer sample, TrainingBuffer? projected, KMeansOptions options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, TrainingCheckpointer? checkpoints)
    {
        int trainDimension = options.TrainDimension!.Value;
        RandomizedHadamardProjection projection =
            RandomizedHadamardProjection.Create(sample.Dimension, trainDimension, options.Seed!.Value);
        if (projected is not null)
            return TrainProjected(sample, projected, projection, options, progress, cancellationToken, checkpoints);
        using TrainingBuffer ownProjection = Project(sample, projection, options, cancellationToken);
        return TrainProjected(sample, ownProjection, projection, options, progress, cancellationToken, checkpoints);
    }

    private static KMeansResult TrainProjected(TrainingBuffer sample, TrainingBuffer projected,
        RandomizedHadamardProjection projection, KMeansOptions options, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken, TrainingCheckpointer? checkpoints)
    {
        var reducedOptions = options with
        {
            TrainDimension = null,
            InitialCentroids = options.InitialCentroids?.Select(centroid => Projected(projection, centroid)).ToArray(),
        };
        KMeansResult trained = KMeansTrainer.TrainProjected(projected, reducedOptions, progress, cancellationToken, checkpoints);
        return FullDimensionPass(sample, projected, trained, options, cancellationToken);
    }

    private static KMeansResult FullDimensionPass(TrainingBuffer sample, TrainingBuffer projected, KMeansResult trained,
        KMeansOptions options, CancellationToken cancellationToken)
    {
        int k = options.K;
        int d = sample.Dimension;
        DistanceMetric metric = options.Distance;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.EffectiveParallelism,
            CancellationToken = cancellationToken,
        };
        (int[] labels, long[] sizes) = trained.Split is { } split
            ? TreeLeaves.Of(projected, split, trained.Centroids, k, metric, options, parallel)
            : trained.Labels is { } kept
                ? (kept, SizesOf(kept, k))
                : NearestTrained(projected, trained, options, parallel);

        var centroids = new float[(long)k * d];
        // Under Cosine a cluster whose rows cancel keeps the centroid it has (ClusterMean): its first row, a unit vector.
        if (metric == DistanceMetric.Cosine)
            StartAtFirstRows(sample, labels, centroids);
        var update = new CentroidUpdate(k, d, metric);
        PivotSpread? spread = metric == DistanceMetric.L2 ? new PivotSpread(sample, labels, k) : null;
        update.Run(sample, labels, sizes, centroids, parallel, spread);
        EmptyClusterRepair.Repair(centroids, (long[])sizes.Clone(), d, metric);
        double loss = update.LossOfSums(sizes, centroids, spread);
        (double Agreement, double Loss)? nearest = options.MeasureNearestCentroidAgreement
            ? NearestCentroids(sample, labels, centroids, options, parallel)
            : null;
        return new KMeansResult(k, d, centroids, (long[])sizes.Clone(), loss, trained.Iterations, trained.Converged,
            trained.History, trained.BestRedo)
        {
            Levels = trained.Levels,
            DistinctRows = trained.DistinctRows,
            TrainDimension = projected.Dimension,
            TrainDimensionLoss = trained.Loss,
            BalancingLossFactor = trained.BalancingLossFactor,
            NearestCentroidAgreement = nearest?.Agreement,
            NearestCentroidLoss = nearest?.Loss,
        };
    }

    /// <summary>Each row's nearest trained centroid in the training dimension, and the cluster sizes.</summary>
    private static (int[] Labels, long[] Sizes) NearestTrained(TrainingBuffer projected, KMeansResult trained,
        KMeansOptions options, ParallelOptions parallel)
    {
        var assignment = new Assignment(projected, options.K, options.Distance, options.RowsPerBlock, options.BytesPerRange);
        using var packed = new PackedCentroids(options.K, projected.Dimension);
        packed.Pack(trained.Centroids, options.Distance);
        assignment.Run(packed, parallel);
        return (assignment.Labels, assignment.Sizes);
    }

    /// <summary>
    /// The sizes of the clusters <paramref name="labels"/> form, counted from them: a resumed run's sizes come from its
    /// checkpoint, its labels from a new assignment, and the sums must divide by the count of the rows they add.
    /// </summary>
    private static long[] SizesOf(int[] labels, int k)
    {
        var sizes = new long[k];
        foreach (int label in labels)
            sizes[label]++;
        return sizes;
    }

    /// <summary>
    /// One full-dimension assignment pass: the share of rows whose nearest centroid is their cluster, and the loss
    /// with every row at its nearest centroid (the centroids' inertia under L2).
    /// </summary>
    private static (double Agreement, double Loss) NearestCentroids(TrainingBuffer sample, int[] labels, float[] centroids,
        KMeansOptions options, ParallelOptions parallel)
    {
        var assignment = new Assignment(sample, options.K, options.Distance, options.RowsPerBlock, options.BytesPerRange);
        double loss;
        using (var packed = new PackedCentroids(options.K, sample.Dimension))
        {
            packed.Pack(centroids, options.Distance);
            (loss, _, _) = assignment.Run(packed, parallel);
        }
        long agreeing = 0;
        for (int row = 0; row < labels.Length; row++)
            agreeing += assignment.Labels[row] == labels[row] ? 1 : 0;
        return ((double)agreeing / labels.Length, loss);
    }

    /// <summary>The projection of a built sample, block by block, into a sealed buffer of the same kind.</summary>
    private static TrainingBuffer Project(TrainingBuffer sample, RandomizedHadamardProjection projection,
        KMeansOptions options, CancellationToken cancellationToken)
    {
        int d = sample.Dimension;
        int m = projection.OutputDimension;
        TrainingBuffer projected = TrainingBuffer.Create(sample.IsOnDisk, sample.RowCount, m, options.EffectiveTempDirectory);
        try
        {
            var blocks = new RowBlocks(sample.RowCount, Math.Min(options.RowsPerBlock, sample.MaxRowsPerBlock));
            float[] scratch = projection.NewScratch();
            var rows = new float[(long)blocks.RowsPerBlock * m];
            for (long block = 0; block < blocks.Count; block++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = blocks.Length(block);
                ReadOnlySpan<float> values = sample.Rows(blocks.First(block), count);
                for (int i = 0; i < count; i++)
                {
                    Span<float> row = rows.AsSpan(i * m, m);
                    projection.Project(values.Slice(i * d, d), row, scratch);
                    if (options.Distance == DistanceMetric.Cosine)
                        NormalizeProjected(row, blocks.First(block) + i);
                }
                projected.WriteRows(blocks.First(block), rows.AsSpan(0, count * m));
            }
            projected.Seal(sample.RowCount);
            return projected;
        }
        catch
        {
            projected.Dispose();
            throw;
        }
    }

    private static float[] Projected(RandomizedHadamardProjection projection, float[] centroid)
    {
        var projected = new float[projection.OutputDimension];
        projection.Project(centroid, projected, projection.NewScratch());
        return projected;
    }

    private static void NormalizeProjected(Span<float> row, long rowIndex)
    {
        float norm = TensorPrimitives.Norm<float>(row);
        if (norm == 0)
            throw new KMeansException(KMeansErrorKind.ZeroVector,
                $"Sample row {rowIndex} projects to the zero vector in {row.Length} dimensions, which has no direction under " +
                "Cosine distance: raise the training dimension.", rowIndex);
        TensorPrimitives.Divide(row, norm, row);
    }

    /// <summary>Each cluster's first row (the sample's rows are unit vectors under Cosine) as its centroid.</summary>
    private static void StartAtFirstRows(TrainingBuffer sample, int[] labels, float[] centroids)
    {
        int d = sample.Dimension;
        var started = new bool[centroids.Length / d];
        for (int row = 0; row < labels.Length; row++)
        {
            if (started[labels[row]])
                continue;
            started[labels[row]] = true;
            sample.Rows(row, 1).CopyTo(centroids.AsSpan(labels[row] * d, d));
        }
    }
}
