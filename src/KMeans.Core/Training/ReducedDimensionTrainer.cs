using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Sampling;

namespace KMeans.Core.Training;

/// <summary>
/// Training in a reduced dimension (<see cref="KMeansOptions.TrainDimension"/>): Lloyd's algorithm (flat or
/// hierarchical) runs on the sample projected by a seeded <see cref="RandomizedHadamardProjection"/>, then one final
/// pass in the full dimension gives each cluster the mean of its rows and measures the loss there.
/// </summary>
/// <remarks>
/// The full-dimension rows for the final pass are the sample itself: sampling writes every chosen row twice, as it is
/// and projected, into two buffers of the same kind (memory or temporary files), so nothing depends on reading the
/// source again (a pipeline cannot be) and the final pass reads the same bytes in memory and on disk. It costs the
/// projected buffer on top of the usual sample, n·m·4 bytes (m the training dimension, 1/8 more at m = d/8), and the
/// final pass reads the full rows twice: once to sum them by the labels of the trained centroids, once to assign
/// every row to the nearest full-dimension centroid, which gives the loss, the cluster sizes and the share of rows
/// whose nearest full-dimension centroid is the cluster they were trained into (what an IVF index built from these
/// centroids would probe first). Iteration reports keep the loss in the training dimension.
/// </remarks>
internal static class ReducedDimensionTrainer
{
    /// <summary>
    /// Trains on <paramref name="projected"/> (the rows of <paramref name="sample"/> projected), or projects
    /// <paramref name="sample"/> first into a buffer of its kind when none is given.
    /// </summary>
    public static KMeansResult Train(TrainingBuffer sample, TrainingBuffer? projected, KMeansOptions options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        int trainDimension = options.TrainDimension!.Value;
        RandomizedHadamardProjection projection =
            RandomizedHadamardProjection.Create(sample.Dimension, trainDimension, options.Seed!.Value);
        if (projected is not null)
            return TrainProjected(sample, projected, projection, options, progress, cancellationToken);
        using TrainingBuffer ownProjection = Project(sample, projection, options, cancellationToken);
        return TrainProjected(sample, ownProjection, projection, options, progress, cancellationToken);
    }

    private static KMeansResult TrainProjected(TrainingBuffer sample, TrainingBuffer projected,
        RandomizedHadamardProjection projection, KMeansOptions options, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        var reducedOptions = options with
        {
            TrainDimension = null,
            InitialCentroids = options.InitialCentroids?.Select(centroid => Projected(projection, centroid)).ToArray(),
        };
        KMeansResult trained = KMeansTrainer.Train(projected, reducedOptions, progress, cancellationToken);
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
        var trainedAssignment = new Assignment(projected, k, metric, options.RowsPerBlock, options.BytesPerRange);
        using (var packedTrained = new PackedCentroids(k, projected.Dimension))
        {
            packedTrained.Pack(trained.Centroids, metric);
            trainedAssignment.Run(packedTrained, parallel);
        }
        int[] trainedLabels = trainedAssignment.Labels;

        var centroids = new float[(long)k * d];
        long[] trainedSizes = (long[])trainedAssignment.Sizes.Clone();
        new CentroidUpdate(k, d, metric).Run(sample, trainedLabels, trainedSizes, centroids, parallel);
        EmptyClusterRepair.Repair(centroids, trainedSizes, d, metric);

        var assignment = new Assignment(sample, k, metric, options.RowsPerBlock, options.BytesPerRange);
        double loss;
        using (var packed = new PackedCentroids(k, d))
        {
            packed.Pack(centroids, metric);
            (loss, _, _) = assignment.Run(packed, parallel);
        }
        long agreeing = 0;
        for (int row = 0; row < trainedLabels.Length; row++)
            agreeing += assignment.Labels[row] == trainedLabels[row] ? 1 : 0;

        return new KMeansResult(k, d, centroids, (long[])assignment.Sizes.Clone(), loss, trained.Iterations,
            trained.Converged, trained.History, trained.BestRedo)
        {
            TrainDimension = projected.Dimension,
            TrainDimensionLoss = trained.Loss,
            NearestCentroidAgreement = (double)agreeing / trainedLabels.Length,
        };
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
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm<float>(row);
        if (norm == 0)
            throw new KMeansException(KMeansErrorKind.ZeroVector,
                $"Sample row {rowIndex} projects to the zero vector in {row.Length} dimensions, which has no direction under " +
                "Cosine distance: raise the training dimension.", rowIndex);
        System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
    }
}
