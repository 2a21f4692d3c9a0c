using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Planning;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// Balanced partitions after training (flat or hierarchical), kept as a price per partition: every row goes to the
/// centroid of least distance + price. Two phases. First the centroids move to where a balanced partition needs them:
/// rounds that split the partitions above the maximum and take the second centroid from a small partition
/// (<see cref="PartitionSplits"/>), then, unless the splits alone made the cached rows fit, passes of
/// capacity-constrained k-means (<see cref="CapacityAssignment"/>, then each centroid to the mean of its rows) on the
/// nearest <see cref="Candidates"/> centroids of the rows of a bounded <see cref="CandidateCache"/> (the whole sample
/// up to about a million rows), found by the training kernel after the splits and rescored against the moved
/// centroids in later passes, until a pass moves at most 1 row in <see cref="SettledFraction"/> or after
/// <see cref="ConstrainedPasses"/>. Then the whole sample is assigned by the kernel under the prices (they enter the
/// packed centroids' norm term, so the kernel itself is unchanged; the assignment is exactly what assigning the rows
/// with the prices gives), and the prices of the partitions above the maximum rise (<see cref="PriceUpdate"/>); each
/// later step re-assigns only the rows the rise can move (<see cref="Run.Reprice"/>), so steps are cheap and up to
/// <see cref="PricePasses"/> run, within <see cref="PriceBudget"/> and until <see cref="StalledSteps"/> in a row make no
/// progress. If the last assignment still breaks a bound, <see cref="CapacityRepair"/> moves the
/// fewest rows that make it hold and counts them as displaced: the bounds hold on the sample always, and assignment
/// with the prices reproduces every sample row's partition but the displaced ones.
/// </summary>
/// <remarks>
/// Why prices: an IVF index assigns every row of the dataset, not only the sample, and a constrained assignment of the
/// sample is lost the moment the other rows go to their nearest centroid (in a 4.2 M-row run the largest partition went
/// back from 2× to 6.5× the mean). Prices are the dual variables of the size constraints (the transportation problem's
/// potentials, as in Bertsekas's auction algorithm, and the size penalties of Malinen and Fränti's balanced k-means):
/// argmin_j d(x, c_j) + p_j needs nothing but K numbers, so it carries over to any row, in any order, streamed, and on
/// rows drawn like the sample gives nearly the sample's sizes. Why the splits and the constrained passes first: prices
/// alone cannot move rows out of a dense region whose nearby centroids are all full without pricing them towards far
/// centroids at a large loss (the steps then stall, trading rows between full neighbours); the splits give such a
/// region more centroids and the constrained passes let the rest migrate (as splitting and merging does in cuVS's
/// balanced k-means), after which smaller prices suffice. Prices cannot split exact duplicates, which always tie, nor
/// fill a partition that no row has as its second choice: those cases end in the repair. Memory: two values per sample
/// row (label and gap, 8 bytes) and the cache, at most <see cref="BalancingMemory.CandidateCacheBytes"/> whatever the
/// sample's size; the plan counts both (<see cref="BalancingMemory"/>). Every step is per row or follows a total order,
/// in fixed blocks, so the result is the same in memory and on disk and for any thread count.
/// </remarks>
internal static class PartitionBalancer
{
    public const int ConstrainedPasses = 5;
    public const int PricePasses = 256;

    /// <summary>
    /// The price steps after the first stop once they have run this many times the sample's rows through the kernel
    /// (each step only the rows it may move, see <see cref="Run.Reprice"/>): about what one whole assignment costs.
    /// Where steps are that costly, a few hundred rows of a small sample trade places between full neighbours, a row
    /// or two per step: on the skewed mixture at MaxSizeRatio 1.2 (65,536 rows) twice this budget ran 30 more steps, for
    /// 8 fewer rows displaced and the same sizes when every row is assigned. In large runs the steps touch a small part
    /// of the sample and the stall rule ends them (4,194,304 rows, K = 16,384: the same 217 steps with either budget).
    /// </summary>
    public const double PriceBudget = 1.0;

    /// <summary>
    /// The price steps also stop when this many in a row have not cut the rows above the maximum by 1 %: where rows
    /// trade places between full neighbours, further steps only cost time. Sixteen, because where the excess is a few
    /// rows the steps still shed one every three or four (4,194,304 rows, K = 16,384: 36 rows displaced after 4, 6
    /// after 16), and a step there costs about 0.02 s.
    /// </summary>
    public const int StalledSteps = 16;
    public const int Candidates = BalancingMemory.Candidates;

    /// <summary>A constrained pass that moves this few rows leaves the loss where it is.</summary>
    public const int SettledFraction = 200;

    public static KMeansResult Balance(TrainingBuffer sample, KMeansResult trained, KMeansOptions options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        int k = trained.K;
        int d = trained.Dimension;
        int rows = checked((int)sample.RowCount);
        SizeBounds bounds = SizeBounds.For(rows, k, options.MaxSizeRatio, options.MinSizeRatio);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.EffectiveParallelism, CancellationToken = cancellationToken };
        var blocks = new RowBlocks(rows, Math.Min(options.RowsPerBlock, sample.MaxRowsPerBlock));
        var run = new Run(sample, blocks, options.Distance, bounds, parallel, Math.Min(k, Candidates))
        {
            Centroids = (float[])trained.Centroids.Clone(),
            Prices = new float[k],
        };
        var reports = new List<BalanceReport>();
        using var packed = new PackedCentroids(k, d);

        var watch = Stopwatch.StartNew();
        SizeBounds cacheBounds = SizeBounds.For(run.Cache.Rows, k, options.MaxSizeRatio, options.MinSizeRatio);
        run.RefreshCache(packed);
        long[] sizes;
        long reassigned;
        if (Within(NearestCacheSizes(run.Cache, k), cacheBounds))
        {
            (sizes, reassigned) = run.AssignSample(packed);
            if (Within(sizes, bounds))
            {
                Report(run.Loss(), reports, progress, 1, 0, reassigned, sizes, watch);
                return Result(trained, run, sizes, reports);
            }
        }
        cancellationToken.ThrowIfCancellationRequested();

        int pass = 1;
        var cacheLabels = new int[run.Cache.Rows];
        cacheLabels.AsSpan().Fill(-1);
        PartitionSplits.Apply(run, packed, cacheBounds, (nearest, moved) =>
        {
            var cacheSizes = new long[k];
            foreach (int label in nearest)
                cacheSizes[label] += run.Cache.Stride;
            var report = new BalanceReport(pass++, run.CacheLoss(nearest) * run.Cache.Stride, 0, moved * run.Cache.Stride,
                PartitionSizeStatistics.Of(cacheSizes), watch.Elapsed);
            reports.Add(report);
            progress?.Report(report);
            watch.Restart();
        }, cancellationToken);
        var assignment = new CapacityAssignment(k, run.Cache.Candidates, cacheBounds);
        int constrainedPasses = Within(NearestCacheSizes(run.Cache, k), cacheBounds) ? 0 : ConstrainedPasses;
        for (int constrained = 1; constrained <= constrainedPasses; constrained++, pass++)
        {
            if (constrained > 1)
            {
                watch.Restart();
                run.RescoreCache();
            }
            var cacheSizes = new long[k];
            int[] previous = (int[])cacheLabels.Clone();
            assignment.Assign(run.Cache.Ids, run.Cache.Costs, cacheLabels, cacheSizes, run.WiderCandidates, run.AllCosts, run.CostTo);
            long moved = 0;
            for (int row = 0; row < cacheLabels.Length; row++)
                moved += cacheLabels[row] != previous[row] ? 1 : 0;
            run.MoveToMeans(cacheLabels, cacheSizes);
            cancellationToken.ThrowIfCancellationRequested();
            int stride = run.Cache.Stride;
            var report = new BalanceReport(pass, run.CacheLoss(cacheLabels) * stride, 0, moved * stride,
                PartitionSizeStatistics.Of(cacheSizes.Select(size => size * stride).ToArray()), watch.Elapsed);
            reports.Add(report);
            progress?.Report(report);
            if (constrained > 1 && moved <= run.Cache.Rows / SettledFraction)
            {
                pass++;
                break;
            }
        }

        long max = PriceUpdate.TargetMax(bounds, rows, k);
        long kernelRows = 0;
        (long bestExcess, int sinceBest) = (long.MaxValue, 0);
        watch.Restart();
        (sizes, reassigned) = run.AssignSample(packed);
        double loss = run.Loss();
        for (int pricePass = 1; ; pricePass++)
        {
            bool within = Within(sizes, bounds);
            long excess = Excess(sizes, bounds);
            if (excess < bestExcess - bestExcess / 100)
                (bestExcess, sinceBest) = (excess, 0);
            else
                sinceBest++;
            bool spent = pricePass == PricePasses || kernelRows >= PriceBudget * rows || sinceBest >= StalledSteps;
            if (!within && !spent)
                kernelRows += run.RefreshGaps(packed, sizes, max);
            bool last = within || spent
                || !PriceUpdate.Raise(run.Labels, run.Gaps, sizes, max, run.Prices,
                    PriceUpdate.Resolution(run.Centroids, d, run.Prices, options.Distance));
            if (last)
            {
                long displaced = within ? 0 : CapacityRepair.Apply(run, sizes);
                Report(run.Loss(), reports, progress, pass, displaced, reassigned, sizes, watch);
                return Result(trained, run, sizes, reports);
            }
            Report(loss, reports, progress, pass, 0, reassigned, sizes, watch);
            cancellationToken.ThrowIfCancellationRequested();
            pass++;
            watch.Restart();
            (sizes, reassigned, long revisited, double change) = run.Reprice(packed);
            kernelRows += revisited;
            loss += change;
        }
    }

    private static void Report(double loss, List<BalanceReport> reports, IProgress<TrainingProgress>? progress, int pass,
        long displaced, long reassigned, long[] sizes, Stopwatch watch)
    {
        var report = new BalanceReport(pass, loss, displaced, reassigned, PartitionSizeStatistics.Of(sizes), watch.Elapsed);
        reports.Add(report);
        progress?.Report(report);
    }

    private static KMeansResult Result(KMeansResult trained, Run run, long[] sizes, List<BalanceReport> reports) =>
        new(trained.K, trained.Dimension, run.Centroids, sizes, reports[^1].Loss, trained.Iterations, trained.Converged,
            trained.History, trained.BestRedo)
        {
            BalanceHistory = reports,
            PartitionPrices = run.Prices,
        };

    /// <summary>The sizes of the cached rows' partitions by nearest centroid: when they hold, the sample's may too.</summary>
    private static long[] NearestCacheSizes(CandidateCache cache, int k)
    {
        var sizes = new long[k];
        foreach (int label in cache.NearestLabels())
            sizes[label]++;
        return sizes;
    }

    /// <summary>The rows above the maximum, summed over the partitions.</summary>
    private static long Excess(long[] sizes, SizeBounds bounds)
    {
        long excess = 0;
        foreach (long size in sizes)
            excess += Math.Max(0, size - bounds.Max);
        return excess;
    }

    private static bool Within(long[] sizes, SizeBounds bounds)
    {
        foreach (long size in sizes)
        {
            if (size > bounds.Max || size < bounds.Min)
                return false;
        }
        return true;
    }

    /// <summary>The state of one balancing: the sample, its labels and gaps, the cache, the centroids and prices.</summary>
    internal sealed class Run(TrainingBuffer sample, RowBlocks blocks, DistanceMetric metric, SizeBounds bounds,
        ParallelOptions parallel, int candidates)
    {
        public TrainingBuffer Sample { get; } = sample;

        public DistanceMetric Metric { get; } = metric;

        public SizeBounds Bounds { get; } = bounds;

        public ParallelOptions Parallel { get; } = parallel;

        public CandidateCache Cache { get; } = new(sample.RowCount, candidates);

        /// <summary>Each sample row's partition: under the prices, after <see cref="AssignSample"/>.</summary>
        public int[] Labels { get; } = Filled((int)sample.RowCount);

        /// <summary>Each sample row's distance + price to its second choice less that to its partition.</summary>
        public float[] Gaps { get; } = new float[sample.RowCount];

        public required float[] Centroids { get; init; }

        public required float[] Prices { get; init; }

        private readonly object _rowNormLock = new();

        /// <summary>The largest ‖x‖ of the sample, for the rounding margin of <see cref="Reprice"/>.</summary>
        private float _largestRowNorm;

        private static int[] Filled(int rows)
        {
            var labels = new int[rows];
            labels.AsSpan().Fill(-1);
            return labels;
        }

        /// <summary>
        /// Every row to its centroid of least distance + price by the kernel (what assignment with the prices gives),
        /// and its gap to its second choice.
        /// </summary>
        public (long[] Sizes, long Reassigned) AssignSample(PackedCentroids packed)
        {
            packed.Pack(Centroids, Metric, Prices);
            long reassigned = 0;
            blocks.ForEach(Parallel, block => Interlocked.Add(ref reassigned, AssignBlock(block, packed)));
            var sizes = new long[Prices.Length];
            foreach (int label in Labels)
                sizes[label]++;
            return (sizes, reassigned);
        }

        /// <summary>
        /// What <see cref="AssignSample"/> gives after prices rose, without assigning every row: a row's score for a
        /// partition whose price did not rise is bit for bit what it was and every other score only rose (the kernel's
        /// ‖c‖² + price − 2·x·c is rounded once, and rounding is monotone), so the rows of such partitions keep their
        /// label. A row of a partition whose score term rose by δ keeps it too while its gap exceeds δ and the rounding
        /// margin: its own score rose by at most that, its second choice's did not fall. Only the other rows go through
        /// the kernel again (usually a small part of the sample), and get exact gaps; the kept rows of raised partitions
        /// keep their gap less δ and the margin, a lower bound, as do rows whose second choice's price rose (the gap they
        /// keep only understates theirs), so the test stays exact.
        /// </summary>
        /// <returns>
        /// The sizes, how many rows changed partition, how many went through the kernel, and the change in the loss
        /// (summed in row order within blocks, then in block order).
        /// </returns>
        public (long[] Sizes, long Reassigned, long Revisited, double LossChange) Reprice(PackedCentroids packed)
        {
            int k = Prices.Length;
            var before = new float[k];
            var after = new float[k];
            unsafe
            {
                new ReadOnlySpan<float>(packed.Norms, k).CopyTo(before);
                packed.Pack(Centroids, Metric, Prices);
                new ReadOnlySpan<float>(packed.Norms, k).CopyTo(after);
            }
            var rise = new double[k];
            double largestTerm = 0;
            double largestCentroidNorm = 0;
            for (int c = 0; c < k; c++)
            {
                rise[c] = DistanceOfScore((double)after[c] - before[c]);
                largestTerm = Math.Max(largestTerm, Math.Abs(after[c]));
                largestCentroidNorm = Math.Max(largestCentroidNorm,
                    TensorPrimitives.Norm(Centroids.AsSpan(c * Sample.Dimension, Sample.Dimension)));
            }
            double margin = DistanceOfScore(RoundingUnits * (largestTerm + 2 * _largestRowNorm * largestCentroidNorm) * Math.Pow(2, -23));
            var revisit = new List<int>();
            for (int row = 0; row < Labels.Length; row++)
            {
                double step = rise[Labels[row]];
                if (step <= 0)
                    continue;
                if (Gaps[row] <= step + margin)
                    revisit.Add(row);
                else
                    Gaps[row] = (float)(Gaps[row] - step - margin);
            }
            long reassigned = 0;
            var revisitBlocks = new RowBlocks(revisit.Count, NearestCentroidSearch.RowsPerBlock);
            var changes = new double[revisitBlocks.Count];
            revisitBlocks.ForEach(Parallel, block =>
            {
                (long moved, changes[block]) = ReassignRows(revisit, (int)revisitBlocks.First(block), revisitBlocks.Length(block), packed);
                Interlocked.Add(ref reassigned, moved);
            });
            double change = 0;
            foreach (double blockChange in changes)
                change += blockChange;
            var sizes = new long[k];
            foreach (int label in Labels)
                sizes[label]++;
            return (sizes, reassigned, revisit.Count, change);
        }

        /// <summary>
        /// Exact gaps, by the kernel under the current prices, for the rows a price step is set by: in each partition
        /// above <paramref name="max"/>, the <see cref="RefreshedPerShed"/> × <see cref="PriceUpdate.Shed"/> rows of
        /// least gap. <see cref="Reprice"/> leaves lower bounds that understate the gaps of rows whose second choice's
        /// price rose, and a step set by those would move next to no rows.
        /// </summary>
        /// <returns>How many rows went through the kernel.</returns>
        public long RefreshGaps(PackedCentroids packed, long[] sizes, long max)
        {
            int k = sizes.Length;
            var inFull = new List<long>?[k];
            for (int row = 0; row < Labels.Length; row++)
            {
                int label = Labels[row];
                if (sizes[label] > max)
                    (inFull[label] ??= []).Add(OrderKey.Of(Gaps[row], row));
            }
            var refresh = new List<int>();
            for (int c = 0; c < k; c++)
            {
                if (inFull[c] is not { } rows)
                    continue;
                Span<long> keys = CollectionsMarshal.AsSpan(rows);
                int count = (int)Math.Min(keys.Length, RefreshedPerShed * PriceUpdate.Shed(sizes[c], max));
                NthElement.Place(keys, count - 1);
                foreach (long key in keys[..count])
                    refresh.Add(OrderKey.Index(key));
            }
            refresh.Sort();
            var refreshBlocks = new RowBlocks(refresh.Count, NearestCentroidSearch.RowsPerBlock);
            refreshBlocks.ForEach(Parallel, block =>
                ReassignRows(refresh, (int)refreshBlocks.First(block), refreshBlocks.Length(block), packed));
            return refresh.Count;
        }

        /// <summary>Rows whose gap <see cref="RefreshGaps"/> makes exact, per row a step is to shed.</summary>
        private const int RefreshedPerShed = 2;

        /// <summary>A score's rounding, in units of the last place of the largest score, that the rise test allows for.</summary>
        private const double RoundingUnits = 8;

        /// <returns>How many of the rows changed partition, and the change in their loss.</returns>
        private (long Reassigned, double LossChange) ReassignRows(List<int> rows, int first, int count, PackedCentroids packed)
        {
            int d = Sample.Dimension;
            float[] gathered = GatheredRows.Of(Sample, CollectionsMarshal.AsSpan(rows).Slice(first, count));
            int n = Math.Min(packed.K, 2);
            var ids = new int[count * n];
            var scores = new float[count * n];
            NearestKernel.Assign(gathered, count, packed, n, ids, scores, KernelPaths.Machine);
            long reassigned = 0;
            double change = 0;
            for (int i = 0; i < count; i++)
            {
                int row = rows[first + i];
                int label = ids[i * n];
                if (Labels[row] != label)
                {
                    ReadOnlySpan<float> x = gathered.AsSpan(i * d, d);
                    change += RowLoss.Of(x, Centroids.AsSpan(label * d, d), Metric) - RowLoss.Of(x, Centroids.AsSpan(Labels[row] * d, d), Metric);
                    reassigned++;
                }
                Labels[row] = label;
                Gaps[row] = n > 1 ? DistanceOfScore(scores[i * n + 1] - scores[i * n]) : float.PositiveInfinity;
            }
            return (reassigned, change);
        }

        private long AssignBlock(long block, PackedCentroids packed)
        {
            int d = Sample.Dimension;
            long first = blocks.First(block);
            int count = blocks.Length(block);
            ReadOnlySpan<float> x = Sample.Rows(first, count);
            int n = Math.Min(packed.K, 2);
            var ids = new int[count * n];
            var scores = new float[count * n];
            NearestKernel.Assign(x, count, packed, n, ids, scores, KernelPaths.Machine);
            float largestNorm = 0f;
            for (int i = 0; i < count; i++)
                largestNorm = Math.Max(largestNorm, TensorPrimitives.Norm(x.Slice(i * d, d)));
            lock (_rowNormLock)
                _largestRowNorm = Math.Max(_largestRowNorm, largestNorm);
            long reassigned = 0;
            for (int i = 0; i < count; i++)
            {
                long row = first + i;
                int label = ids[i * n];
                reassigned += Labels[row] != label ? 1 : 0;
                Labels[row] = label;
                Gaps[row] = n > 1 ? DistanceOfScore(scores[i * n + 1] - scores[i * n]) : float.PositiveInfinity;
            }
            return reassigned;
        }

        /// <summary>
        /// The cached rows' nearest <see cref="CandidateCache.Candidates"/> centroids by the kernel, without prices: first
        /// from the trained centroids, then again after each round of splits has moved some far.
        /// </summary>
        public void RefreshCache(PackedCentroids packed)
        {
            packed.Pack(Centroids, Metric);
            ScoreAgainstAll(new ArraySegment<int>([.. Enumerable.Range(0, Cache.Rows)]), packed);
        }

        /// <summary>
        /// The cache after the centroids <paramref name="moved"/> changed (a round of splits), as <see
        /// cref="RefreshCache(PackedCentroids)"/> would give it: a cached row that listed none of them keeps its
        /// candidates, whose distances did not change and which are its nearest among the centroids that did not move,
        /// and takes in those of the moved centroids nearer than its last, found by the kernel against the moved centroids
        /// alone; only the rows that listed a moved centroid go through the kernel against all of them again. A round
        /// moves two centroids per split, so later rounds, which split few partitions, cost a small part of a full
        /// refresh (about 15 s for the million cached rows of a 16,384-centroid run).
        /// </summary>
        public void RefreshCache(PackedCentroids packed, IReadOnlyCollection<int> moved)
        {
            int k = Prices.Length;
            int d = Sample.Dimension;
            int m = Cache.Candidates;
            if (moved.Count == 0)
                return;
            var isMoved = new bool[k];
            foreach (int centroid in moved)
                isMoved[centroid] = true;
            bool ListsMoved(int row)
            {
                foreach (int id in Cache.Ids.AsSpan(row * m, m))
                {
                    if (isMoved[id])
                        return true;
                }
                return false;
            }
            int listing = 0;
            for (int row = 0; row < Cache.Rows; row++)
                listing += ListsMoved(row) ? 1 : 0;
            var rowsByList = new int[Cache.Rows];
            for (int row = 0, listed = 0, kept = listing; row < Cache.Rows; row++)
                rowsByList[ListsMoved(row) ? listed++ : kept++] = row;
            var keeping = new ArraySegment<int>(rowsByList, listing, Cache.Rows - listing);
            packed.Pack(Centroids, Metric);
            ScoreAgainstAll(new ArraySegment<int>(rowsByList, 0, listing), packed);
            int[] movedIds = Enumerable.Range(0, k).Where(c => isMoved[c]).ToArray();
            var movedCentroids = new float[movedIds.Length * d];
            for (int i = 0; i < movedIds.Length; i++)
                Centroids.AsSpan(movedIds[i] * d, d).CopyTo(movedCentroids.AsSpan(i * d, d));
            using var movedPacked = new PackedCentroids(movedIds.Length, d);
            movedPacked.Pack(movedCentroids, Metric);
            int n = Math.Min(m, movedIds.Length);
            var keepingBlocks = new RowBlocks(keeping.Count, NearestCentroidSearch.RowsPerBlock);
            keepingBlocks.ForEach(Parallel, block =>
            {
                int first = (int)keepingBlocks.First(block);
                int count = keepingBlocks.Length(block);
                ReadOnlySpan<int> rows = keeping.AsSpan(first, count);
                float[] gathered = GatheredRows.Of(Sample, rows, Cache.Stride);
                var ids = new int[count * n];
                var scores = new float[count * n];
                NearestKernel.Assign(gathered, count, movedPacked, n, ids, scores, KernelPaths.Machine);
                var mergedIds = new int[m];
                var mergedCosts = new float[m];
                for (int i = 0; i < count; i++)
                {
                    float rowNorm = Metric == DistanceMetric.L2 ? TensorPrimitives.SumOfSquares(gathered.AsSpan(i * d, d)) : 0f;
                    Span<int> cachedIds = Cache.Ids.AsSpan(rows[i] * m, m);
                    Span<float> cachedCosts = Cache.Costs.AsSpan(rows[i] * m, m);
                    for (int kept = 0, taken = 0, at = 0; at < m; at++)
                    {
                        int id = taken < n ? movedIds[ids[i * n + taken]] : -1;
                        float cost = taken < n ? CostOfScore(scores[i * n + taken], rowNorm) : float.PositiveInfinity;
                        bool takeMoved = id >= 0 && (cost < cachedCosts[kept] || (cost == cachedCosts[kept] && id < cachedIds[kept]));
                        (mergedIds[at], mergedCosts[at]) = takeMoved ? (id, cost) : (cachedIds[kept], cachedCosts[kept]);
                        (taken, kept) = takeMoved ? (taken + 1, kept) : (taken, kept + 1);
                    }
                    mergedIds.CopyTo(cachedIds);
                    mergedCosts.CopyTo(cachedCosts);
                }
            });
        }

        /// <summary>The cached rows <paramref name="rows"/>' nearest <see cref="CandidateCache.Candidates"/> centroids among all, by the kernel.</summary>
        private void ScoreAgainstAll(ArraySegment<int> rows, PackedCentroids packed)
        {
            int d = Sample.Dimension;
            int m = Cache.Candidates;
            var rowBlocks = new RowBlocks(rows.Count, NearestCentroidSearch.RowsPerBlock);
            rowBlocks.ForEach(Parallel, block =>
            {
                int first = (int)rowBlocks.First(block);
                int count = rowBlocks.Length(block);
                ReadOnlySpan<int> blockRows = rows.AsSpan(first, count);
                float[] gathered = GatheredRows.Of(Sample, blockRows, Cache.Stride);
                var ids = new int[count * m];
                var scores = new float[count * m];
                NearestKernel.Assign(gathered, count, packed, m, ids, scores, KernelPaths.Machine);
                for (int i = 0; i < count; i++)
                    CacheRow(gathered.AsSpan(i * d, d), (long)blockRows[i] * Cache.Stride, ids.AsSpan(i * m, m), scores.AsSpan(i * m, m));
            });
        }

        /// <summary>A cached row's candidates from the kernel's scores (without prices), as distances.</summary>
        private void CacheRow(ReadOnlySpan<float> row, long sampleRow, ReadOnlySpan<int> ids, ReadOnlySpan<float> scores)
        {
            int at = Cache.CachedRow(sampleRow);
            int m = Cache.Candidates;
            float rowNorm = Metric == DistanceMetric.L2 ? TensorPrimitives.SumOfSquares(row) : 0f;
            for (int r = 0; r < m; r++)
            {
                Cache.Ids[(long)at * m + r] = ids[r];
                Cache.Costs[(long)at * m + r] = CostOfScore(scores[r], rowNorm);
            }
        }

        /// <summary>The distance + price from the kernel's priced score ‖c‖² + price − 2·x·c (see <see cref="PackedCentroids"/>).</summary>
        private float CostOfScore(float score, float rowNorm) => Metric switch
        {
            DistanceMetric.L2 => rowNorm + score,
            DistanceMetric.Cosine => 1f + score / 2f,
            _ => score / 2f,
        };

        /// <summary>A difference of kernel scores as a difference of distances.</summary>
        private float DistanceOfScore(float scoreDifference) => (float)DistanceOfScore((double)scoreDifference);

        private double DistanceOfScore(double scoreDifference) =>
            Metric == DistanceMetric.L2 ? scoreDifference : scoreDifference / 2;

        /// <summary>
        /// The cached rows' candidates scored again against the moved centroids, by the metric's distance, and put back
        /// in ascending order (ties to the lower index).
        /// </summary>
        public void RescoreCache()
        {
            int d = Sample.Dimension;
            int m = Cache.Candidates;
            var cacheBlocks = new RowBlocks(Cache.Rows, NearestCentroidSearch.RowsPerBlock);
            cacheBlocks.ForEach(Parallel, block =>
            {
                int first = (int)cacheBlocks.First(block);
                int count = cacheBlocks.Length(block);
                for (int row = first; row < first + count; row++)
                {
                    ReadOnlySpan<float> x = Sample.Rows((long)row * Cache.Stride, 1);
                    Span<int> ids = Cache.Ids.AsSpan(row * m, m);
                    Span<float> costs = Cache.Costs.AsSpan(row * m, m);
                    for (int r = 0; r < m; r++)
                        costs[r] = RowLoss.Of(x, Centroids.AsSpan(ids[r] * d, d), Metric);
                    for (int r = 1; r < m; r++)
                    {
                        (float cost, int id) = (costs[r], ids[r]);
                        int at = r;
                        for (; at > 0 && (costs[at - 1] > cost || (costs[at - 1] == cost && ids[at - 1] > id)); at--)
                        {
                            costs[at] = costs[at - 1];
                            ids[at] = ids[at - 1];
                        }
                        costs[at] = cost;
                        ids[at] = id;
                    }
                }
            });
        }

        /// <summary>
        /// For cached rows whose candidates were all full: their <paramref name="width"/> nearest centroids among
        /// <paramref name="open"/>, by the kernel.
        /// </summary>
        public (int[] Ids, float[] Costs) WiderCandidates(int[] waiting, int width, int[] open)
        {
            int d = Sample.Dimension;
            var ids = new int[(long)waiting.Length * width];
            var costs = new float[(long)waiting.Length * width];
            var openCentroids = new float[open.Length * d];
            for (int i = 0; i < open.Length; i++)
                Centroids.AsSpan(open[i] * d, d).CopyTo(openCentroids.AsSpan(i * d, d));
            using var packed = new PackedCentroids(open.Length, d);
            packed.Pack(openCentroids, Metric);
            var waitingBlocks = new RowBlocks(waiting.Length, NearestCentroidSearch.RowsPerBlock);
            waitingBlocks.ForEach(Parallel, block =>
            {
                int first = (int)waitingBlocks.First(block);
                int count = waitingBlocks.Length(block);
                float[] gathered = GatheredRows.Of(Sample, waiting.AsSpan(first, count), Cache.Stride);
                Span<int> blockIds = ids.AsSpan(first * width, count * width);
                Span<float> blockCosts = costs.AsSpan(first * width, count * width);
                NearestKernel.Assign(gathered, count, packed, width, blockIds, blockCosts, KernelPaths.Machine);
                for (int i = 0; i < count; i++)
                {
                    float rowNorm = Metric == DistanceMetric.L2 ? TensorPrimitives.SumOfSquares(gathered.AsSpan(i * d, d)) : 0f;
                    for (int r = 0; r < width; r++)
                    {
                        blockIds[i * width + r] = open[blockIds[i * width + r]];
                        blockCosts[i * width + r] = CostOfScore(blockCosts[i * width + r], rowNorm);
                    }
                }
            });
            return (ids, costs);
        }

        public void AllCosts(int cachedRow, Span<float> costs)
        {
            int d = Sample.Dimension;
            ReadOnlySpan<float> x = Sample.Rows((long)cachedRow * Cache.Stride, 1);
            for (int c = 0; c < costs.Length; c++)
                costs[c] = RowLoss.Of(x, Centroids.AsSpan(c * d, d), Metric);
        }

        public float CostTo(int cachedRow, int centroid)
        {
            int d = Sample.Dimension;
            return RowLoss.Of(Sample.Rows((long)cachedRow * Cache.Stride, 1), Centroids.AsSpan(centroid * d, d), Metric);
        }

        /// <summary>The loss of the sample's labels, summed in row order within blocks, then in block order.</summary>
        public double Loss()
        {
            int d = Sample.Dimension;
            var blockLoss = new double[blocks.Count];
            blocks.ForEach(Parallel, block =>
            {
                long first = blocks.First(block);
                int count = blocks.Length(block);
                ReadOnlySpan<float> x = Sample.Rows(first, count);
                double sum = 0;
                for (int i = 0; i < count; i++)
                    sum += RowLoss.Of(x.Slice(i * d, d), Centroids.AsSpan(Labels[first + i] * d, d), Metric);
                blockLoss[block] = sum;
            });
            double loss = 0;
            foreach (double value in blockLoss)
                loss += value;
            return loss;
        }

        /// <summary>The loss of the cached rows' labels: each row's on all threads, summed in row order.</summary>
        public double CacheLoss(int[] cacheLabels)
        {
            int d = Sample.Dimension;
            var losses = new float[cacheLabels.Length];
            var cacheBlocks = new RowBlocks(cacheLabels.Length, NearestCentroidSearch.RowsPerBlock);
            cacheBlocks.ForEach(Parallel, block =>
            {
                int first = (int)cacheBlocks.First(block);
                for (int row = first; row < first + cacheBlocks.Length(block); row++)
                    losses[row] = RowLoss.Of(Sample.Rows((long)row * Cache.Stride, 1), Centroids.AsSpan(cacheLabels[row] * d, d), Metric);
            });
            double loss = 0;
            foreach (float rowLoss in losses)
                loss += rowLoss;
            return loss;
        }

        /// <summary>
        /// Each centroid becomes the mean of its cached rows (normalised under Cosine), summed in double in row order,
        /// the centroids shared among the threads; a centroid left without rows stays where it was.
        /// </summary>
        public void MoveToMeans(int[] cacheLabels, long[] cacheSizes)
        {
            int d = Sample.Dimension;
            int k = cacheSizes.Length;
            var start = new int[k + 1];
            foreach (int label in cacheLabels)
                start[label + 1]++;
            for (int c = 0; c < k; c++)
                start[c + 1] += start[c];
            var members = new int[cacheLabels.Length];
            var next = (int[])start.Clone();
            for (int row = 0; row < cacheLabels.Length; row++)
                members[next[cacheLabels[row]]++] = row;
            var centroidBlocks = new RowBlocks(k, CentroidsPerBlock);
            centroidBlocks.ForEach(Parallel, block =>
            {
                var sum = new double[d];
                int first = (int)centroidBlocks.First(block);
                for (int c = first; c < first + centroidBlocks.Length(block); c++)
                {
                    if (cacheSizes[c] == 0)
                        continue;
                    Array.Clear(sum);
                    for (int at = start[c]; at < start[c + 1]; at++)
                        WideningSum.Add(Sample.Rows((long)members[at] * Cache.Stride, 1), sum);
                    Span<float> centroid = Centroids.AsSpan(c * d, d);
                    for (int j = 0; j < d; j++)
                        centroid[j] = (float)(sum[j] / cacheSizes[c]);
                    if (Metric == DistanceMetric.Cosine)
                        Numerics.VectorMath.Normalize(centroid);
                }
            });
        }

        /// <summary>Centroids whose means one task computes: few enough that every thread gets several.</summary>
        private const int CentroidsPerBlock = 16;
    }
}
