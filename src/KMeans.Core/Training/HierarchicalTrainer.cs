using KMeans.Core.Buffers;
using KMeans.Core.Numerics;
using KMeans.Core.Planning;
using KMeans.Core.Training.Checkpoints;

namespace KMeans.Core.Training;

/// <summary>
/// Hierarchical k-means for large K: a flat run with <see cref="KMeansOptions.HierarchicalK"/> clusters splits the
/// sample; each cluster gets a share of K proportional to its size (largest remainder), never more than its distinct
/// rows, and is trained on its own rows, recursively while its share is still large. A cluster too small for a
/// centroid is merged into its nearest sibling. Nodes are trained in parallel, one thread each, on child buffers of
/// the sample's kind (so an on-disk sample stays on disk). Each row is then assigned within its node, so the reported
/// loss is an upper bound of the inertia; <see cref="KMeansOptions.RefineIterations"/> global Lloyd passes close the
/// gap. The cost per pass drops from n·K to n·(HierarchicalK + K / HierarchicalK) distance computations.
/// </summary>
/// <remarks>
/// <para>Children are gathered by passes that each fill several of them (<see cref="NodeGathering"/>), not one pass
/// per node, because an on-disk sample larger than memory is read from disk by every pass. How many children one pass
/// fills trades passes against what the children hold while they wait:</para>
/// <list type="bullet">
/// <item>On disk, as many children of the level as half the temporary directory's free space holds, usually all of
/// them in one pass (<see cref="NodeBatches.OnDisk"/>). The children are temporary files whose pages are the page
/// cache's, not the process's: the run's anonymous memory does not grow. A node's file is released as soon as its own
/// children are gathered, so the files hold each sample row at most twice at once; where the free space is short
/// the level takes more passes instead, so a tree needs no more free space to start than a flat run.</item>
/// <item>In memory, as many children as train at once: one per thread at the top level, one at a time below it
/// (a node trains on one thread), so no more children are alive than when each node gathered its own, and the top
/// level's passes drop from HierarchicalK to HierarchicalK / threads. Gathering more at once would hold up to a second
/// sample in memory, which the plan would have to refuse where the run fits today, to save passes over memory,
/// which cost little next to training.</item>
/// </list>
/// <para>Nodes are gathered and trained largest first, so that the nodes sharing a pass take similar times. A child
/// holds its node's rows in the parent's order whichever pass gathered it, so the centroids do not depend on how the
/// passes are batched, nor on the storage or the thread count.</para>
/// </remarks>
internal static class HierarchicalTrainer
{
    /// <summary>
    /// Trains the tree; <paramref name="checkpoints"/> saves the top level per iteration, each finished node of the
    /// first level, and the refinement per iteration, and skips what it restored. The caller keeps the sample.
    /// </summary>
    public static KMeansResult Train(TrainingBuffer sample, KMeansOptions options, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken, TrainingCheckpointer? checkpoints = null) =>
        Train(sample, ownsSample: false, options, progress, cancellationToken, depth: 1, checkpoints);

    /// <summary>
    /// One level of the tree; with <paramref name="ownsSample"/> (a node's own buffer) the sample is disposed as soon as
    /// its rows are gathered into the children.
    /// </summary>
    private static KMeansResult Train(TrainingBuffer sample, bool ownsSample, KMeansOptions options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, int depth, TrainingCheckpointer? checkpoints)
    {
        int seed = options.Seed!.Value;
        int fanOut = options.HierarchicalK;
        int k = options.K;
        int d = sample.Dimension;
        long sampleRows = sample.RowCount;
        var topOptions = options with { K = fanOut, Hierarchical = HierarchicalMode.Off, RefineIterations = 0 };
        (KMeansResult top, int[]? topLabels) = KMeansTrainer.TrainFlat(sample, topOptions, depth == 1 ? progress : null,
            cancellationToken, keepLabels: true, checkpoints?.ForFlat());
        int[] labels = topLabels!;
        long[] sizes = (long[])top.ClusterSizes.Clone();
        int[] shares = Shares(sample, labels, sizes, k, options.RowsPerBlock, cancellationToken);
        int[] nodeOf = MergeNodesWithoutCentroids(top, shares, labels, sizes);
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

        void Record(int node, KMeansOptions nodeOptions, KMeansResult result)
        {
            result.Centroids.CopyTo(centroids.AsSpan(offsets[node] * d, shares[node] * d));
            result.ClusterSizes.CopyTo(clusterSizes.AsSpan(offsets[node], shares[node]));
            losses[node] = result.Loss;
            iterations[node] = result.Iterations;
            converged[node] = result.Converged;
            nodeLevels[node] = nodeOptions.UsesHierarchy ? result.Levels : [HierarchyLevel.Node(depth + 1, result, sizes[node])];
            progress?.Report(new NodeProgress(depth, node, fanOut, shares[node], sizes[node]));
        }

        KMeansOptions NodeOptions(int node) => options with
        {
            K = shares[node],
            Seed = NodeSeed(seed, depth, node),
            MaxDegreeOfParallelism = 1,
            RefineIterations = 0,
            // A node that kept every row (the split found nothing to split, as in one dense blob) would split the
            // same rows again without end: it trains flat. Below that, each level holds fewer rows, so the tree ends.
            Hierarchical = sizes[node] < sampleRows ? options.Hierarchical : HierarchicalMode.Off,
        };

        var pending = new List<int>();
        for (int node = 0; node < fanOut; node++)
        {
            if (shares[node] == 0)
                converged[node] = true;
            else if (checkpoints?.FinishedNode(node) is { } finished)
                Record(node, NodeOptions(node), finished.ToResult());
            else
                pending.Add(node);
        }
        // Largest first (ties in node order): the nodes of one pass then take similar times.
        pending.Sort((a, b) => sizes[a] != sizes[b] ? sizes[b].CompareTo(sizes[a]) : a.CompareTo(b));
        List<int[]> batches = sample.IsOnDisk
            ? NodeBatches.OnDisk(pending, sizes, sample.ByteCount(1),
                (long)(FreeSpace.Bytes(options.EffectiveTempDirectory) * NodeBatches.FreeSpaceShare))
            : NodeBatches.InMemory(pending, options.EffectiveParallelism);
        int passes = 0;
        foreach (int[] batch in batches)
        {
            TrainingBuffer[] children = NodeGathering.Gather(sample, labels, batch, sizes, options, cancellationToken);
            passes++;
            try
            {
                if (ownsSample && passes == batches.Count)
                    sample.Dispose();
                ParallelNodes.For(batch.Length, parallel, child =>
                {
                    int node = batch[child];
                    KMeansOptions nodeOptions = NodeOptions(node);
                    KMeansResult result = TrainNode(children[child], nodeOptions, depth, cancellationToken);
                    checkpoints?.NodeFinished(node, result);
                    Record(node, nodeOptions, result);
                });
            }
            finally
            {
                foreach (TrainingBuffer child in children)
                    child.Dispose();
            }
        }

        double loss = losses.Sum();
        // Iterations and Converged mean what they mean for one flat run (see KMeansResult): the longest run, and
        // whether every run stopped on its own.
        var tree = new KMeansResult(k, d, centroids, clusterSizes, loss, Math.Max(top.Iterations, iterations.Max()),
            loss == 0 || (top.Converged && converged.All(c => c)), top.History, top.BestRedo)
        {
            Levels = Levels(HierarchyLevel.Node(depth, top, sampleRows), nodeLevels, passes),
            Split = depth == 1 && options.RefineIterations == 0 ? new TreeSplit(top.Centroids, nodeOf, offsets, shares) : null,
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

    /// <summary>
    /// This node's level, then its children's levels summed; the first of those records the passes that gathered the
    /// children (restored nodes needed none).
    /// </summary>
    private static IReadOnlyList<HierarchyLevel> Levels(HierarchyLevel own, IReadOnlyList<HierarchyLevel>?[] nodeLevels, int passes)
    {
        IReadOnlyList<HierarchyLevel> below = HierarchyLevel.Combine(nodeLevels.OfType<IReadOnlyList<HierarchyLevel>>());
        return below.Count == 0 ? [own] : [own, below[0] with { GatheringPasses = passes }, .. below.Skip(1)];
    }

    /// <summary>Trains a node on its child buffer, which the node owns from now on.</summary>
    private static KMeansResult TrainNode(TrainingBuffer rows, KMeansOptions nodeOptions, int depth, CancellationToken cancellationToken) =>
        nodeOptions.UsesHierarchy
            ? Train(rows, ownsSample: true, nodeOptions, null, cancellationToken, depth + 1, checkpoints: null)
            : KMeansTrainer.TrainFlat(rows, nodeOptions, null, cancellationToken, keepLabels: false).Result;

    /// <summary>
    /// K shared among the nodes in proportion to their rows, but none given more centroids than it holds distinct
    /// rows: the others would stay empty (a node of many copies of one row), so they go to the other nodes. Distinct
    /// rows are counted only up to each node's share (<see cref="DistinctRows.CountPerGroup"/>), and again with the
    /// larger share a node gets when others are capped.
    /// </summary>
    private static int[] Shares(TrainingBuffer sample, int[] labels, long[] sizes, int k, int rowsPerBlock,
        CancellationToken cancellationToken)
    {
        long[] limits = [.. ProportionalAllocation.Allocate(sizes, k).Select(share => (long)share)];
        while (true)
        {
            long[] distinct = DistinctRows.CountPerGroup(sample, labels, limits, rowsPerBlock, cancellationToken);
            long[] caps = [.. sizes.Select((size, node) => distinct[node] < limits[node] ? distinct[node] : size)];
            int[] shares = ProportionalAllocation.Allocate(sizes, k, caps);
            bool counted = true;
            for (int node = 0; node < shares.Length; node++)
            {
                if (distinct[node] < limits[node] || shares[node] <= limits[node])
                    continue;
                limits[node] = shares[node];
                counted = false;
            }
            if (counted)
                return shares;
        }
    }

    /// <summary>
    /// Rows of a node whose share rounded to 0 join the nearest node (by centroid) that has centroids; returns the node
    /// each top-level cluster's rows went to.
    /// </summary>
    private static int[] MergeNodesWithoutCentroids(KMeansResult top, int[] shares, int[] labels, long[] sizes)
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
        return target;
    }

    private static int NodeSeed(int seed, int depth, int node) =>
        (int)new SeededRandom(seed, stream: (depth << 20) + node + 1_000_000).NextUInt64();
}
