using KMeans.Core.Buffers;
using KMeans.Core.Numerics;
using KMeans.Core.Sampling;
using KMeans.Core.Training.Checkpoints;

namespace KMeans.Core.Training;

/// <summary>
/// Hierarchical k-means for large K: a flat run with <see cref="KMeansOptions.HierarchicalK"/> clusters splits the
/// sample; each cluster gets a share of K proportional to its size (largest remainder) and is trained on its own rows,
/// recursively while its share is still large. A cluster too small for a centroid is merged into its nearest sibling.
/// Nodes are trained in parallel, one thread each, on child buffers of the sample's kind (so an on-disk sample stays
/// on disk), at most one child per thread alive at a time. Each row is then assigned within its node, so the reported
/// loss is an upper bound of the inertia; <see cref="KMeansOptions.RefineIterations"/> global Lloyd passes close the
/// gap. The cost per pass drops from n·K to n·(HierarchicalK + K / HierarchicalK) distance computations.
/// </summary>
internal static class HierarchicalTrainer
{
    /// <summary>
    /// Trains the tree; <paramref name="checkpoints"/> (at depth 1 only) saves the top level per iteration, each
    /// finished node of the first level, and the refinement per iteration, and skips what it restored.
    /// </summary>
    public static KMeansResult Train(TrainingBuffer sample, KMeansOptions options, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken, int depth = 1, TrainingCheckpointer? checkpoints = null)
    {
        int seed = options.Seed!.Value;
        int fanOut = options.HierarchicalK;
        int k = options.K;
        int d = sample.Dimension;
        var topOptions = options with { K = fanOut, Hierarchical = HierarchicalMode.Off, RefineIterations = 0 };
        (KMeansResult top, int[]? topLabels) = KMeansTrainer.TrainFlat(sample, topOptions, depth == 1 ? progress : null,
            cancellationToken, keepLabels: true, checkpoints?.ForFlat());
        int[] labels = topLabels!;
        long[] sizes = (long[])top.ClusterSizes.Clone();
        int[] shares = ProportionalAllocation.Allocate(sizes, k);
        MergeNodesWithoutCentroids(top, shares, labels, sizes);
        var offsets = new int[fanOut];
        for (int node = 1; node < fanOut; node++)
            offsets[node] = offsets[node - 1] + shares[node - 1];

        var centroids = new float[(long)k * d];
        var clusterSizes = new long[k];
        var losses = new double[fanOut];
        var iterations = new int[fanOut];
        var converged = new bool[fanOut];
        var nodeLevels = new IReadOnlyList<HierarchyLevel>[fanOut];
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.EffectiveParallelism,
            CancellationToken = cancellationToken,
        };
        ParallelNodes.For(fanOut, parallel, node =>
        {
            if (shares[node] == 0)
            {
                converged[node] = true;
                return;
            }
            var nodeOptions = options with
            {
                K = shares[node],
                Seed = NodeSeed(seed, depth, node),
                MaxDegreeOfParallelism = 1,
                RefineIterations = 0,
                // A node that kept every row (the split found nothing to split, as in one dense blob) would split the
                // same rows again without end: it trains flat. Below that, each level holds fewer rows, so the tree ends.
                Hierarchical = sizes[node] < sample.RowCount ? options.Hierarchical : HierarchicalMode.Off,
            };
            KMeansResult result;
            if (checkpoints?.FinishedNode(node) is { } finished)
            {
                result = finished.ToResult();
            }
            else
            {
                result = TrainNode(sample, labels, node, sizes[node], nodeOptions, depth, cancellationToken);
                checkpoints?.NodeFinished(node, result);
            }
            result.Centroids.CopyTo(centroids.AsSpan(offsets[node] * d, shares[node] * d));
            result.ClusterSizes.CopyTo(clusterSizes.AsSpan(offsets[node], shares[node]));
            losses[node] = result.Loss;
            iterations[node] = result.Iterations;
            converged[node] = result.Converged;
            nodeLevels[node] = nodeOptions.UsesHierarchy ? result.Levels : [HierarchyLevel.Node(depth + 1, result, sizes[node])];
            progress?.Report(new NodeProgress(depth, node, fanOut, shares[node], sizes[node]));
        });

        double loss = losses.Sum();
        // Iterations and Converged mean what they mean for one flat run (see KMeansResult): the longest run, and
        // whether every run stopped on its own.
        var tree = new KMeansResult(k, d, centroids, clusterSizes, loss, Math.Max(top.Iterations, iterations.Max()),
            loss == 0 || (top.Converged && converged.All(c => c)), top.History, top.BestRedo)
        {
            Levels = [HierarchyLevel.Node(depth, top, sample.RowCount), .. HierarchyLevel.Combine(nodeLevels.Where(l => l is not null))],
        };
        if (depth > 1 || options.RefineIterations == 0)
            return tree;
        var refineOptions = options with
        {
            InitialCentroids = Enumerable.Range(0, k).Select(c => tree.Centroid(c).ToArray()).ToArray(),
            MaxIterations = options.RefineIterations,
            Redos = 1,
        };
        KMeansResult refined = KMeansTrainer.TrainFlat(sample, refineOptions, progress, cancellationToken, keepLabels: false,
            checkpoints?.ForRefine()).Result;
        refined.Levels = tree.Levels;
        return refined;
    }

    private static KMeansResult TrainNode(TrainingBuffer sample, int[] labels, int node, long rowCount,
        KMeansOptions nodeOptions, int depth, CancellationToken cancellationToken)
    {
        using TrainingBuffer rows = Gather(sample, labels, node, rowCount, nodeOptions);
        return nodeOptions.UsesHierarchy
            ? Train(rows, nodeOptions, null, cancellationToken, depth + 1)
            : KMeansTrainer.TrainFlat(rows, nodeOptions, null, cancellationToken, keepLabels: false).Result;
    }

    /// <summary>Rows of a node whose share rounded to 0 join the nearest node (by centroid) that has centroids.</summary>
    private static void MergeNodesWithoutCentroids(KMeansResult top, int[] shares, int[] labels, long[] sizes)
    {
        var target = new int[shares.Length];
        for (int node = 0; node < shares.Length; node++)
        {
            target[node] = node;
            if (shares[node] > 0)
                continue;
            double best = double.PositiveInfinity;
            for (int other = 0; other < shares.Length; other++)
            {
                if (shares[other] == 0)
                    continue;
                double distance = System.Numerics.Tensors.TensorPrimitives.Distance(top.Centroid(node), top.Centroid(other));
                if (distance < best)
                {
                    best = distance;
                    target[node] = other;
                }
            }
            sizes[target[node]] += sizes[node];
            sizes[node] = 0;
        }
        for (int i = 0; i < labels.Length; i++)
            labels[i] = target[labels[i]];
    }

    /// <summary>A child buffer (same kind as the sample) holding the node's rows in sample order.</summary>
    private static TrainingBuffer Gather(TrainingBuffer sample, int[] labels, int node, long rowCount, KMeansOptions options)
    {
        int d = sample.Dimension;
        TrainingBuffer rows = TrainingBuffer.Create(sample.IsOnDisk, rowCount, d, options.EffectiveTempDirectory);
        try
        {
            var writer = new SampleWriter(rows);
            var blocks = new RowBlocks(sample.RowCount, Math.Min(options.RowsPerBlock, sample.MaxRowsPerBlock));
            long slot = 0;
            for (long block = 0; block < blocks.Count; block++)
            {
                long first = blocks.First(block);
                int count = blocks.Length(block);
                ReadOnlySpan<float> values = sample.Rows(first, count);
                for (int i = 0; i < count; i++)
                {
                    if (labels[first + i] == node)
                        writer.Write(slot++, values.Slice(i * d, d));
                }
            }
            writer.Flush();
            rows.Seal(rowCount);
            return rows;
        }
        catch
        {
            rows.Dispose();
            throw;
        }
    }

    private static int NodeSeed(int seed, int depth, int node) =>
        (int)new SeededRandom(seed, stream: (depth << 20) + node + 1_000_000).NextUInt64();
}
