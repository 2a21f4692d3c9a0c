using System.Diagnostics;
using System.Numerics.Tensors;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// Balanced partitions after training (flat or hierarchical): a few passes of capacity-constrained k-means from the
/// trained centroids. The first pass finds every row's <see cref="Candidates"/> nearest centroids with the training
/// kernel; later passes only rescore those candidates against the moved centroids (the centroids move little, and a
/// row whose candidates are all full is scored against every centroid anyway), which makes them about K / 8 times
/// cheaper than a Lloyd iteration. Each pass assigns rows under the size bounds (<see cref="CapacityAssignment"/>),
/// then moves each centroid to the mean of its rows; it stops once a pass moves at most 1 row in <see cref="SettledFraction"/>, after at most
/// <see cref="MaxPasses"/> passes, and always ends on an assignment, so the returned sizes, labels and loss describe the returned centroids
/// and hold the bounds exactly.
/// </summary>
/// <remarks>
/// Why capacity constraints rather than a size penalty in the assignment (Malinen and Fränti's balanced k-means, the
/// soft penalty of FAISS-style "balanced" variants) or rebalancing by splitting and merging (cuVS's balanced
/// hierarchical k-means): a penalty or a split moves centroids until nearest-centroid sizes come close to the target,
/// which nothing guarantees, and no centroid placement can split duplicate rows, which always go to one nearest
/// centroid. A constrained assignment bounds every partition by construction, on any data, while the passes pull the
/// centroids towards their constrained partitions so that the cost in loss stays small. The candidates come from the
/// kernel in fixed blocks and every choice follows a total order, so the result is the same in memory and on disk
/// and for any thread count. An index that assigns new rows by nearest centroid gets partitions close to, but not
/// bounded by, these sizes.
/// </remarks>
internal static class PartitionBalancer
{
    public const int MaxPasses = 8;
    public const int Candidates = 8;

    /// <summary>A pass that moves this few rows leaves the loss where it is: more passes would cost time for nothing.</summary>
    public const int SettledFraction = 1_000;

    public static KMeansResult Balance(TrainingBuffer sample, KMeansResult trained, KMeansOptions options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        int k = trained.K;
        int d = trained.Dimension;
        int rows = checked((int)sample.RowCount);
        int m = Math.Min(k, Candidates);
        SizeBounds bounds = SizeBounds.For(rows, k, options.MaxSizeRatio, options.MinSizeRatio);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.EffectiveParallelism, CancellationToken = cancellationToken };
        var blocks = new RowBlocks(rows, Math.Min(options.RowsPerBlock, sample.MaxRowsPerBlock));
        float[] centroids = (float[])trained.Centroids.Clone();
        var candidates = new int[(long)rows * m];
        var costs = new float[(long)rows * m];
        var rowNorms = new float[rows];
        var labels = new int[rows];
        var previous = new int[rows];
        var sizes = new long[k];
        var reports = new List<BalanceReport>();
        var assignment = new CapacityAssignment(k, m, bounds);
        using var packed = new PackedCentroids(k, d);
        double loss = 0;
        if (options.Distance == DistanceMetric.L2)
            blocks.ForEach(parallel, block => RowNorms(sample, blocks, block, rowNorms));
        for (int pass = 1; pass <= MaxPasses; pass++)
        {
            var watch = Stopwatch.StartNew();
            packed.Pack(centroids, options.Distance);
            if (pass == 1)
                blocks.ForEach(parallel, block => NearestCandidates(sample, blocks, block, packed, m, options.Distance, rowNorms, candidates, costs));
            else
                blocks.ForEach(parallel, block => RescoreCandidates(sample, blocks, block, centroids, m, options.Distance, candidates, costs));
            (labels, previous) = (previous, labels);
            assignment.Assign(candidates, costs, labels, sizes,
                (waiting, width) => WiderCandidates(sample, waiting, width, packed, options.Distance, rowNorms, parallel),
                (row, all) => AllCosts(sample.Rows(row, 1), centroids, options.Distance, all),
                (row, c) => Cost(sample.Rows(row, 1), centroids.AsSpan(c * d, d), options.Distance));
            cancellationToken.ThrowIfCancellationRequested();
            loss = Loss(sample, blocks, centroids, labels, options.Distance, parallel);
            long displaced = 0, reassigned = 0;
            for (int row = 0; row < rows; row++)
            {
                displaced += labels[row] != candidates[(long)row * m] ? 1 : 0;
                reassigned += pass == 1 || labels[row] != previous[row] ? 1 : 0;
            }
            var report = new BalanceReport(pass, loss, displaced, reassigned, PartitionSizeStatistics.Of(sizes), watch.Elapsed);
            reports.Add(report);
            progress?.Report(report);
            if ((pass > 1 && reassigned <= rows / SettledFraction) || pass == MaxPasses)
                break;
            MoveToMeans(sample, blocks, labels, sizes, centroids, options.Distance);
        }
        return new KMeansResult(k, d, centroids, sizes, loss, trained.Iterations, trained.Converged, trained.History,
            trained.BestRedo)
        {
            BalanceHistory = reports,
        };
    }

    private static void RowNorms(TrainingBuffer sample, RowBlocks blocks, long block, float[] norms)
    {
        int d = sample.Dimension;
        long first = blocks.First(block);
        int count = blocks.Length(block);
        ReadOnlySpan<float> x = sample.Rows(first, count);
        for (int i = 0; i < count; i++)
            norms[first + i] = TensorPrimitives.SumOfSquares(x.Slice(i * d, d));
    }

    /// <summary>Each row's nearest centroids by the kernel's scores, made distances so that rows compare.</summary>
    private static void NearestCandidates(TrainingBuffer sample, RowBlocks blocks, long block, PackedCentroids packed,
        int m, DistanceMetric metric, float[] rowNorms, int[] candidates, float[] costs)
    {
        long first = blocks.First(block);
        int count = blocks.Length(block);
        Span<int> ids = candidates.AsSpan(checked((int)(first * m)), count * m);
        Span<float> scores = costs.AsSpan(checked((int)(first * m)), count * m);
        NearestKernel.Assign(sample.Rows(first, count), count, packed, m, ids, scores, KernelPaths.Machine);
        for (int i = 0; i < count; i++)
        {
            for (int r = 0; r < m; r++)
                scores[i * m + r] = CostOfScore(scores[i * m + r], metric, rowNorms[first + i]);
        }
    }

    /// <summary>
    /// The <paramref name="width"/> nearest centroids of the rows whose candidates were all full, by the kernel, in
    /// blocks of consecutive waiting rows (a row's result does not depend on its block).
    /// </summary>
    private static (int[] Ids, float[] Costs) WiderCandidates(TrainingBuffer sample, int[] waiting, int width,
        PackedCentroids packed, DistanceMetric metric, float[] rowNorms, ParallelOptions parallel)
    {
        int d = sample.Dimension;
        var ids = new int[(long)waiting.Length * width];
        var costs = new float[(long)waiting.Length * width];
        var blocks = new RowBlocks(waiting.Length, NearestCentroidSearch.RowsPerBlock);
        blocks.ForEach(parallel, block =>
        {
            int first = (int)blocks.First(block);
            int count = blocks.Length(block);
            var rows = new float[count * d];
            for (int i = 0; i < count; i++)
                sample.Rows(waiting[first + i], 1).CopyTo(rows.AsSpan(i * d, d));
            Span<int> blockIds = ids.AsSpan(first * width, count * width);
            Span<float> blockCosts = costs.AsSpan(first * width, count * width);
            NearestKernel.Assign(rows, count, packed, width, blockIds, blockCosts, KernelPaths.Machine);
            for (int i = 0; i < count; i++)
            {
                for (int r = 0; r < width; r++)
                    blockCosts[i * width + r] = CostOfScore(blockCosts[i * width + r], metric, rowNorms[waiting[first + i]]);
            }
        });
        return (ids, costs);
    }

    /// <summary>
    /// Each row's candidates scored again against the moved centroids, by the metric's distance, and put back in
    /// ascending order (ties to the lower index).
    /// </summary>
    private static void RescoreCandidates(TrainingBuffer sample, RowBlocks blocks, long block, float[] centroids, int m,
        DistanceMetric metric, int[] candidates, float[] costs)
    {
        int d = sample.Dimension;
        long first = blocks.First(block);
        int count = blocks.Length(block);
        ReadOnlySpan<float> x = sample.Rows(first, count);
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = x.Slice(i * d, d);
            Span<int> ids = candidates.AsSpan(checked((int)((first + i) * m)), m);
            Span<float> scores = costs.AsSpan(checked((int)((first + i) * m)), m);
            for (int r = 0; r < m; r++)
            {
                scores[r] = Cost(row, centroids.AsSpan(ids[r] * d, d), metric);
            }
            for (int r = 1; r < m; r++)
            {
                (float score, int id) = (scores[r], ids[r]);
                int at = r;
                for (; at > 0 && (scores[at - 1] > score || (scores[at - 1] == score && ids[at - 1] > id)); at--)
                {
                    scores[at] = scores[at - 1];
                    ids[at] = ids[at - 1];
                }
                scores[at] = score;
                ids[at] = id;
            }
        }
    }

    /// <summary>The distance from the kernel's score ‖c‖² − 2·x·c: + ‖x‖² for L2, halved (and + 1 for Cosine) otherwise.</summary>
    private static float CostOfScore(float score, DistanceMetric metric, float rowNorm) => metric switch
    {
        DistanceMetric.L2 => rowNorm + score,
        DistanceMetric.Cosine => 1f + score / 2f,
        _ => score / 2f,
    };

    private static void AllCosts(ReadOnlySpan<float> row, float[] centroids, DistanceMetric metric, Span<float> costs)
    {
        int d = row.Length;
        for (int c = 0; c < costs.Length; c++)
            costs[c] = Cost(row, centroids.AsSpan(c * d, d), metric);
    }

    /// <summary>The metric's distance, vectorised: fallbacks score a row against every centroid, one at a time.</summary>
    private static float Cost(ReadOnlySpan<float> row, ReadOnlySpan<float> centroid, DistanceMetric metric) => metric switch
    {
        DistanceMetric.L2 => Squared(TensorPrimitives.Distance(row, centroid)),
        DistanceMetric.Cosine => 1f - TensorPrimitives.Dot(row, centroid),
        _ => -TensorPrimitives.Dot(row, centroid),
    };

    /// <summary>The loss as training computes it: ‖x − c‖² for L2, the kernel's distance otherwise; summed in row order.</summary>
    private static double Loss(TrainingBuffer sample, RowBlocks blocks, float[] centroids, int[] labels,
        DistanceMetric metric, ParallelOptions parallel)
    {
        int d = sample.Dimension;
        var rowLoss = new float[labels.Length];
        blocks.ForEach(parallel, block =>
        {
            long first = blocks.First(block);
            int count = blocks.Length(block);
            ReadOnlySpan<float> x = sample.Rows(first, count);
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<float> row = x.Slice(i * d, d);
                ReadOnlySpan<float> centroid = centroids.AsSpan(labels[first + i] * d, d);
                rowLoss[first + i] = RowLoss.Of(row, centroid, metric);
            }
        });
        double loss = 0;
        foreach (float value in rowLoss)
            loss += value;
        return loss;
    }

    private static float Squared(float value) => value * value;

    /// <summary>
    /// Each centroid becomes the mean of its rows (normalised under Cosine), summed in double in row order; a centroid
    /// left without rows (possible only without a minimum size) stays where it was.
    /// </summary>
    private static void MoveToMeans(TrainingBuffer sample, RowBlocks blocks, int[] labels, long[] sizes, float[] centroids,
        DistanceMetric metric)
    {
        int d = sample.Dimension;
        int k = sizes.Length;
        var sums = new double[(long)k * d];
        for (long block = 0; block < blocks.Count; block++)
        {
            long first = blocks.First(block);
            int count = blocks.Length(block);
            ReadOnlySpan<float> x = sample.Rows(first, count);
            for (int i = 0; i < count; i++)
            {
                Span<double> sum = sums.AsSpan(labels[first + i] * d, d);
                ReadOnlySpan<float> row = x.Slice(i * d, d);
                for (int j = 0; j < d; j++)
                    sum[j] += row[j];
            }
        }
        for (int c = 0; c < k; c++)
        {
            if (sizes[c] == 0)
                continue;
            Span<float> centroid = centroids.AsSpan(c * d, d);
            for (int j = 0; j < d; j++)
                centroid[j] = (float)(sums[(long)c * d + j] / sizes[c]);
            if (metric == DistanceMetric.Cosine)
                Numerics.VectorMath.Normalize(centroid);
        }
    }
}
