using System.Diagnostics;
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
/// <see cref="ConstrainedPasses"/>; splits and constrained passes twice over (<see cref="SplitCycles"/>), the first
/// time on a subset of the cached rows, the cache found again between. Then the whole sample is assigned by the kernel
/// under the prices (they enter the packed centroids' norm term, so the kernel itself is unchanged; the assignment is
/// exactly what assigning the rows with the prices gives), and the prices of the partitions above the maximum rise
/// (<see cref="PriceUpdate"/>); each later step re-assigns only the rows the rise can move
/// (<see cref="BalancingRun.Reprice"/>), so steps are cheap and up to <see cref="PricePasses"/> run, within
/// <see cref="PriceBudget"/> and until <see cref="StalledSteps"/> in a row make no progress (on small samples, not
/// before <see cref="LeastPriceBudgetRows"/>). Where they stop with rows above the
/// maximum, <see cref="AugmentingPaths"/> moves those a row at a time along the cheapest chain of moves under the
/// prices to a partition with room, raising the prices of the partitions its search reached, within
/// <see cref="PathBudget"/>. If the last assignment still breaks a bound, <see cref="CapacityRepair"/> moves the fewest
/// rows that make it hold and counts them as displaced: the bounds hold on the sample always, and assignment with the
/// prices reproduces every sample row's partition but the displaced ones.
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
/// row (label and gap, 8 bytes), the rows grouped by partition during the price steps, the cache, at most
/// <see cref="BalancingMemory.CandidateCacheBytes"/> whatever the sample's size, and the scores the price steps and
/// searches keep (<see cref="ScoredRows"/>, at most <see cref="BalancingMemory.ScoredRowsBytes"/>); the plan counts them
/// (<see cref="BalancingMemory"/>). Every step is per row or follows a total order, in fixed blocks, so the result is
/// the same in memory and on disk and for any thread count. The passes and their per-block bodies are compiled fully
/// optimized from the first call (AggressiveOptimization): each runs a few times per training, so the tiered JIT
/// never promoted them, and a training in a fresh pwsh ran them at tier 0 (the skewed mixture, K = 256, MaxSizeRatio
/// 1.2, bench/balancing/Compare-FreshTrainings.ps1: medians 0.99–1.00 s before, 0.94–0.97 s now, 0.62–0.66 s without
/// balancing).
/// </remarks>
internal static class PartitionBalancer
{
    public const int ConstrainedPasses = 5;

    /// <summary>
    /// Rounds of splits then constrained passes. The constrained passes leave centroids placed for a constrained
    /// assignment, not for the nearest one: after them the skewed mixture's largest partition by nearest centroid is
    /// 1.5–1.8× the mean again, its dense region still short of centroids, and the prices had to carry all of that. A
    /// second round splits again from there and moves the centroids once more. On the mixture at MaxSizeRatio 1.2 over
    /// nine seeds of data and training, the rows the repair displaced went from 0–593 (four seeds above 190) to 0–114,
    /// the loss from 1.0066–1.0387× to 1.0020–1.0217× the unbalanced run's (seeds 1, 4, 7: 593, 313, 437 rows displaced
    /// to 0, 6, 0; all rows with the prices 1.20–1.22× the mean instead of 1.20–1.25×), and the smallest partition of
    /// the default seed from 0 to 0.21× the mean; the time went from 1.52–1.57× to 1.58–1.63× the unbalanced run's there
    /// and from 1.15–1.24× to 1.36× on Fashion-MNIST (bench/README.md). Three constrained passes in the second round
    /// displaced up to 116 rows (seed 6); a third round lowered the loss a little more but left seed 8's rows displaced,
    /// for about 70 ms more. Where the splits alone make the cached rows fit, no constrained pass runs and there is no
    /// second round. The first round runs on every n-th cached row where the cache holds many rows per partition
    /// (<see cref="CandidateCache.FirstRound"/>): on the mixture that left 0–2 rows displaced on all nine seeds and
    /// brought the time to 1.47–1.49× the unbalanced run's (Fashion-MNIST 1.25×).
    /// </summary>
    public const int SplitCycles = 2;
    public const int PricePasses = 256;

    /// <summary>
    /// The price steps after the first stop once they have run this many times the sample's rows through the kernel
    /// (each step only the rows it may move, see <see cref="BalancingRun.Reprice"/>): about what one whole assignment costs.
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

    /// <summary>
    /// Rows through the kernel that the price steps of a smaller sample may always spend before the budget or the stall
    /// rule can end them. On a sample of a few thousand rows one whole assignment is a handful of steps, while a trade
    /// between full neighbours there can hover for dozens of steps before it resolves (3,000 rows in 5 clusters, K = 9,
    /// MaxSizeRatio 1.1: about 60 steps at 1.25× the mean, then down to the bound by step 215, 0 rows displaced instead
    /// of 95 and a 5 % lower loss), and such steps take milliseconds. Samples of this many rows or more keep
    /// <see cref="PriceBudget"/> and <see cref="StalledSteps"/> as they were: there the floor had kept steps that each
    /// moved a row or none going to the 256th (the skewed mixture at MaxSizeRatio 1.2, after two rounds of splits: 255
    /// steps at 1.21–1.22× the mean, then the searches; with the stall rule, 114 steps and the same result).
    /// </summary>
    public const int LeastPriceBudgetRows = 32_768;

    /// <summary>
    /// The searches of <see cref="AugmentingPaths"/> start while fewer than this many times the sample's rows have gone
    /// through the kernel in them (or <see cref="LeastPathWork"/>, if more): the skewed mixture at MaxSizeRatio 1.2, 185
    /// rows above the bound after the simultaneous steps, took 265 searches and 2.6 times its rows to bring them all
    /// within it. A limit keeps a sample whose rows no prices can place (copies of one row) from costing more than a few
    /// whole assignments; what remains goes to the repair.
    /// </summary>
    public const double PathBudget = 4.0;

    /// <summary>
    /// Row–centroid products (rows × K × d) the searches may always spend: on small samples a whole assignment is
    /// cheap and tight bounds take many searches per row (8,192 rows of d = 16 in 16 blobs, K = 32, MaxSizeRatio 1.05:
    /// 1.7 · 10⁸ products, 41 times the rows, for 0 rows displaced instead of 301 and an 8 % lower loss).
    /// </summary>
    public const double LeastPathWork = 1 << 28;
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
        using var run = new BalancingRun(sample, blocks, options.Distance, bounds, parallel, Math.Min(k, Candidates))
        {
            Centroids = (float[])trained.Centroids.Clone(),
            Prices = new float[k],
        };
        var reports = new List<BalanceReport>();
        using var packed = new PackedCentroids(k, d);

        var watch = Stopwatch.StartNew();
        CandidateCache wholeCache = run.Cache;
        run.Cache = wholeCache.FirstRound(k, Math.Min(options.MaxSizeRatio - 1 ?? double.PositiveInfinity,
            1 - options.MinSizeRatio ?? double.PositiveInfinity));
        SizeBounds cacheBounds = SizeBounds.For(run.Cache.Rows, k, options.MaxSizeRatio, options.MinSizeRatio);
        run.RefreshCache(packed);
        long[] sizes;
        long reassigned;
        // The trained sizes already within the bounds, or the cached rows' (a share of the sample, so a partition at the
        // bound may look above it there): when every row assigned to its nearest centroid agrees, nothing moves, and
        // the result keeps the partition that trained the centroids (a reduced training's final pass sums by it).
        if (Within(trained.ClusterSizes, bounds) || Within(NearestCacheSizes(run.Cache, k), cacheBounds))
        {
            (sizes, reassigned) = run.AssignSample(packed);
            if (Within(sizes, bounds))
            {
                // The trained partition, reproduced, keeps its loss: summed here row by row in double, that of Cosine
                // and Dot differed in its last digits from the one training reported, while nothing had moved. (After a
                // reduced training, the loss training reported is its partition's, not the assignment's.)
                bool reproduced = trained.TrainDimension is null && sizes.AsSpan().SequenceEqual(trained.ClusterSizes);
                Report(reproduced ? trained.Loss : run.Loss(), reports, progress, 1, 0, reassigned, sizes, watch);
                KMeansResult unchanged = Result(trained, run, sizes, reports, PartitionSizeStatistics.Of(sizes));
                unchanged.Labels = trained.Labels;
                unchanged.Split = trained.Split;
                return unchanged;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();

        int pass = 1;
        int constrainedPasses = 0;
        for (int cycle = 1; cycle <= SplitCycles; cycle++)
        {
            if (cycle > 1)
            {
                if (constrainedPasses == 0)
                    break;
                watch.Restart();
                run.Cache = wholeCache;
                cacheBounds = SizeBounds.For(run.Cache.Rows, k, options.MaxSizeRatio, options.MinSizeRatio);
                run.RefreshCache(packed);
            }
            var cacheLabels = new int[run.Cache.Rows];
            cacheLabels.AsSpan().Fill(-1);
            var assignment = new CapacityAssignment(k, run.Cache.Candidates, cacheBounds);
            int listed = run.Cache.Rows * run.Cache.Candidates;
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
            constrainedPasses = Within(NearestCacheSizes(run.Cache, k), cacheBounds) ? 0 : ConstrainedPasses;
            for (int constrained = 1; constrained <= constrainedPasses; constrained++, pass++)
            {
                if (constrained > 1)
                {
                    watch.Restart();
                    run.RescoreCache();
                }
                var cacheSizes = new long[k];
                int[] previous = (int[])cacheLabels.Clone();
                assignment.Assign(run.Cache.Ids.AsSpan(0, listed), run.Cache.Costs.AsSpan(0, listed), cacheLabels, cacheSizes, run.WiderCandidates, run.AllCosts, run.CostTo);
                long moved = 0;
                for (int row = 0; row < cacheLabels.Length; row++)
                    moved += cacheLabels[row] != previous[row] ? 1 : 0;
                double cacheLoss = run.MoveToMeans(cacheLabels, cacheSizes);
                cancellationToken.ThrowIfCancellationRequested();
                int stride = run.Cache.Stride;
                var report = new BalanceReport(pass, cacheLoss * stride, 0, moved * stride,
                    PartitionSizeStatistics.Of(cacheSizes.Select(size => size * stride).ToArray()), watch.Elapsed);
                reports.Add(report);
                progress?.Report(report);
                if (constrained > 1 && moved <= run.Cache.Rows / SettledFraction)
                {
                    pass++;
                    break;
                }
            }
        }

        long max = PriceUpdate.TargetMax(bounds, rows, k);
        double[] normTerms = PriceUpdate.NormTerms(run.Centroids, d, options.Distance);
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
            bool spent = pricePass == PricePasses || kernelRows >= Math.Max(PriceBudget * rows, LeastPriceBudgetRows)
                || (sinceBest >= StalledSteps && (rows >= LeastPriceBudgetRows || kernelRows >= LeastPriceBudgetRows));
            if (!within && !spent)
                kernelRows += run.RefreshGaps(packed, sizes, max);
            bool last = within || spent
                || !PriceUpdate.Raise(run.Members, run.Gaps, sizes, max, run.Prices, normTerms, options.Distance);
            if (last)
            {
                if (!within)
                {
                    Report(loss, reports, progress, pass++, 0, reassigned, sizes, watch);
                    watch.Restart();
                    (sizes, reassigned, loss) = AugmentingPaths.Run(run, packed, normTerms, sizes,
                        (long)Math.Max(PathBudget * rows, LeastPathWork / ((double)k * d)), loss,
                        (pathSizes, moved, pathLoss) =>
                        {
                            Report(pathLoss, reports, progress, pass++, 0, moved, pathSizes, watch);
                            watch.Restart();
                        }, cancellationToken);
                    within = Within(sizes, bounds);
                }
                PartitionSizeStatistics priced = PartitionSizeStatistics.Of(sizes);
                long displaced = within ? 0 : CapacityRepair.Apply(run, sizes);
                Report(run.Loss(), reports, progress, pass, displaced, reassigned, sizes, watch);
                return Result(trained, run, sizes, reports, priced);
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

    /// <summary>
    /// The balanced partition with what still describes the training that led to it (its iterations, the tree's levels,
    /// the sample's distinct rows, the training dimension); not the trained centroids' nearest-centroid agreement,
    /// which the moved centroids no longer have.
    /// </summary>
    private static KMeansResult Result(KMeansResult trained, BalancingRun run, long[] sizes, List<BalanceReport> reports,
        PartitionSizeStatistics priced) =>
        new(trained.K, trained.Dimension, run.Centroids, sizes, reports[^1].Loss, trained.Iterations, trained.Converged,
            trained.History, trained.BestRedo)
        {
            Levels = trained.Levels,
            DistinctRows = trained.DistinctRows,
            ProjectionMergedRows = trained.ProjectionMergedRows,
            TrainDimension = trained.TrainDimension,
            TrainDimensionLoss = trained.TrainDimensionLoss,
            BalancingLossFactor = LossFactor(trained, reports[^1].Loss, run.Metric),
            BalanceHistory = reports,
            PartitionPrices = run.Prices,
            PricedPartitionSizes = priced,
        };

    /// <summary>
    /// <see cref="KMeansResult.BalancingLossFactor"/>: the balanced loss over the trained one, times the factor of a
    /// balancing the trained result already went through (in a reduced training dimension). A loss raised from 0 (every
    /// row on its centroid, as with duplicates) is raised infinitely; a balanced loss of 0 was raised by nothing.
    /// </summary>
    private static double? LossFactor(KMeansResult trained, double balancedLoss, DistanceMetric metric)
    {
        if (metric == DistanceMetric.Dot)
            return null;
        if (!(balancedLoss > 0))
            return trained.Loss > 0 ? 0 : 1;
        double own = trained.Loss > 0 ? balancedLoss / trained.Loss : double.PositiveInfinity;
        return own * (trained.BalancingLossFactor ?? 1);
    }

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
}
