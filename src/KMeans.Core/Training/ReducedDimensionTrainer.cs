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
/// The full-dimension rows for the final pass are read again from the input files where the options allow it
/// (<see cref="KMeansOptions.RereadsInputForFinalPass"/>): sampling then keeps only the projected rows, each with its
/// input row and a hash that tells a row rewritten since (<see cref="SampleRereading"/>), so the sample needs m/d of
/// the memory or disk space (m the training dimension) and fresh memory is not written twice, at the cost of one more
/// read of the input (of only the sampled rows where the file is read by row ranges, a .npy of float32 rows). A
/// balanced training, which assigns the full rows under its prices many times, and pipeline input, which cannot be
/// read again, keep them: sampling writes every chosen row twice, as it is and projected, into two buffers of the
/// same kind (memory or temporary files), and the final pass reads the same bytes in memory and on disk. Each
/// cluster's rows are added in sample order, which is input order where rows were sampled by selection (a file with a
/// known row count), so both ways give the same bits there; where a reservoir replaced slots at random, the re-read
/// adds them in input order instead. The final pass labels every row by its cluster in the training dimension: the
/// labels of a flat run's last assignment (<see cref="KMeansResult.Labels"/>, which describe the centroids it returns),
/// or after a tree that was not refined its leaf (<see cref="TreeLeaves"/>: the nearest among its node's centroids, as
/// the tree trained it, O(n·(FanOut + K / FanOut)·m), where the nearest of all K would cost several times the whole
/// tree at large K), or otherwise (refined, or balanced where balancing moved centroids) its nearest trained centroid
/// there (one more assignment, O(n·K·m)). It then sums the full rows by those labels in one read, which also takes
/// what the loss against the means needs (<see cref="PivotSpread"/>): O(n·d), against O(n·K·d) for a full-dimension
/// Lloyd iteration. Sizes and loss are those of that partition; iteration reports keep the loss in the training
/// dimension. Measuring how many rows' nearest full-dimension centroid is their own cluster
/// (<see cref="KMeansOptions.MeasureNearestCentroidAgreement"/>, the IVF recall effect) costs one full-dimension
/// assignment more, so only the bench and tests ask for it.
/// </remarks>
internal static class ReducedDimensionTrainer
{
    /// <summary>
    /// Trains on the projected rows of <paramref name="sample"/>, or projects its full rows first into a buffer of
    /// their kind when it holds none. <paramref name="checkpoints"/> keep the progress in the training dimension; the
    /// caller records the full-dimension result.
    /// </summary>
    public static KMeansResult Train(ProjectedSample sample, KMeansOptions options, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken, TrainingCheckpointer? checkpoints)
    {
        int trainDimension = options.TrainDimension!.Value;
        RandomizedHadamardProjection projection =
            RandomizedHadamardProjection.Create(sample.Dimension, trainDimension, options.Seed!.Value);
        if (sample.Projected is { } projected)
            return TrainProjected(sample, projected, projection, options, progress, cancellationToken, checkpoints);
        using TrainingBuffer ownProjection = Project(sample.Full!, projection, options, cancellationToken);
        return TrainProjected(sample, ownProjection, projection, options, progress, cancellationToken, checkpoints);
    }

    private static KMeansResult TrainProjected(ProjectedSample sample, TrainingBuffer projected,
        RandomizedHadamardProjection projection, KMeansOptions options, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken, TrainingCheckpointer? checkpoints)
    {
        var reducedOptions = options with
        {
            TrainDimension = null,
            InitialCentroids = options.InitialCentroids?.Select(centroid => Projected(projection, centroid)).ToArray(),
        };
        KMeansResult trained = KMeansTrainer.TrainProjected(projected, reducedOptions, progress, cancellationToken, checkpoints);
        checkpoints?.WriteNow();
        return FullDimensionPass(sample, projected, trained, options, progress, cancellationToken);
    }

    private static KMeansResult FullDimensionPass(ProjectedSample sample, TrainingBuffer projected, KMeansResult trained,
        KMeansOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
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
        var update = new CentroidUpdate(k, d, metric);
        // With fewer distinct projected rows than K, the L2 spread of each cluster (under any metric) tells whether
        // its rows, identical once projected, are identical in the full dimension too.
        bool degenerate = trained.DistinctRows is not null;
        bool takesSpread = metric == DistanceMetric.L2 || degenerate;
        PivotSpread? spread;
        if (sample.Full is { } full)
        {
            // Under Cosine a cluster whose rows cancel keeps the centroid it has (ClusterMean): its first row, a unit vector.
            if (metric == DistanceMetric.Cosine)
                StartAtFirstRows(full, labels, centroids);
            spread = takesSpread ? new PivotSpread(full, labels, k) : null;
            update.Run(full, labels, sizes, centroids, parallel, spread);
        }
        else
        {
            spread = takesSpread ? new PivotSpread(k, d) : null;
            AddRowsReadAgain(sample.Rereading!, labels, update, spread, metric == DistanceMetric.Cosine ? centroids : null,
                progress, cancellationToken);
            update.Apply(sizes, centroids);
        }
        if (degenerate)
            CopyFirstRowsCentroid(labels[0], sizes, centroids, d);
        else
            EmptyClusterRepair.Repair(centroids, (long[])sizes.Clone(), d, metric);
        double loss = update.LossOfSums(sizes, centroids, spread);
        (double Agreement, double Loss)? nearest = options.MeasureNearestCentroidAgreement
            ? NearestCentroids(sample.Full!, labels, centroids, options, parallel)
            : null;
        return new KMeansResult(k, d, centroids, (long[])sizes.Clone(), loss, trained.Iterations, trained.Converged,
            trained.History, trained.BestRedo)
        {
            Levels = trained.Levels,
            DistinctRows = trained.DistinctRows,
            ProjectionMergedRows = degenerate ? !spread!.RowsLieOnTheirPivots : null,
            TrainDimension = projected.Dimension,
            TrainDimensionLoss = trained.Loss,
            BalancingLossFactor = trained.BalancingLossFactor,
            NearestCentroidAgreement = nearest?.Agreement,
            NearestCentroidLoss = nearest?.Loss,
        };
    }

    /// <summary>
    /// The update's sums (and <paramref name="spread"/>) of the rows read again from the input, one thread adding them
    /// as they arrive; with <paramref name="firstRows"/> (under Cosine), each cluster's first row as its centroid.
    /// </summary>
    private static void AddRowsReadAgain(SampleRereading rereading, int[] labels, CentroidUpdate update, PivotSpread? spread,
        float[]? firstRows, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        int d = rereading.Dimension;
        bool[]? started = firstRows is null ? null : new bool[firstRows.Length / d];
        update.Clear();
        rereading.Read((slot, row) =>
        {
            int cluster = labels[slot];
            if (started is not null && !started[cluster])
            {
                started[cluster] = true;
                row.CopyTo(firstRows.AsSpan(cluster * d, d));
            }
            update.AddRow(cluster, row);
            spread?.Add(cluster, row);
        }, progress is null ? null : (read, total) => progress.Report(new FinalPassProgress(read, total)), cancellationToken);
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

    /// <summary>
    /// With fewer distinct projected rows than K, the empty clusters are copies of the centroid of the first row's
    /// cluster, as a full-dimension training leaves them (<see cref="KMeansTrainer.TrainFlat"/>): a repair would split
    /// a cluster of identical rows and move its centroid off them.
    /// </summary>
    private static void CopyFirstRowsCentroid(int firstRowsCluster, long[] sizes, float[] centroids, int d)
    {
        ReadOnlySpan<float> copied = centroids.AsSpan(firstRowsCluster * d, d);
        for (int c = 0; c < sizes.Length; c++)
        {
            if (sizes[c] == 0)
                copied.CopyTo(centroids.AsSpan(c * d, d));
        }
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
