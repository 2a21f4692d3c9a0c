using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Planning;

namespace KMeans.Core.Training.Balancing;

/// <summary>The state of one balancing: the sample, its labels and gaps, the cache, the centroids and prices.</summary>
internal sealed class BalancingRun(TrainingBuffer sample, RowBlocks blocks, DistanceMetric metric, SizeBounds bounds,
    ParallelOptions parallel, int candidates) : IDisposable
{
    public TrainingBuffer Sample { get; } = sample;

    public DistanceMetric Metric { get; } = metric;

    public SizeBounds Bounds { get; } = bounds;

    public ParallelOptions Parallel { get; } = parallel;

    /// <summary>The cache the passes work on: the whole one, or its first round's subset (<see cref="CandidateCache.FirstRound"/>).</summary>
    public CandidateCache Cache { get; set; } = new(sample.RowCount, candidates);

    /// <summary>Each sample row's partition: under the prices, after <see cref="AssignSample"/>.</summary>
    public int[] Labels { get; } = Filled((int)sample.RowCount);

    /// <summary>Each sample row's distance + price to its second choice less that to its partition.</summary>
    public float[] Gaps { get; } = new float[sample.RowCount];

    public required float[] Centroids { get; init; }

    public required float[] Prices { get; init; }

    /// <summary>The rows grouped by <see cref="Labels"/>, as <see cref="AssignSample"/> or <see cref="Reprice"/> left them.</summary>
    public PartitionMembers Members => _members ??= new PartitionMembers(Prices.Length);

    private PartitionMembers? _members;

    private readonly object _rowNormLock = new();

    /// <summary>The largest ‖x − m‖ of the sample (m the offset of the centroids last packed), for the rounding margin of <see cref="Reprice"/>.</summary>
    private float _largestRowNorm;

    /// <summary>The largest ‖c‖ of the centroids <see cref="AssignSample"/> packed, for the same margin.</summary>
    private double _largestCentroidNorm;

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
    // Fully optimized from the first call, as every pass of balancing marked so (per-block bodies too): each runs a few
    // times per training, too few for the tiered JIT to promote it in time (see PartitionBalancer's remarks).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (long[] Sizes, long Reassigned) AssignSample(PackedCentroids packed)
    {
        // As Get-KMeansAssignment packs the model's centroids and prices (relative to their common offset), so that
        // the sizes the prices give here are the ones assignment gives.
        packed.Pack(Centroids, Metric, Prices);
        _scored?.Dispose();
        _scored = KernelPaths.Machine == KernelPath.Portable
            ? null
            : new ScoredRows(this, packed, KernelPaths.Machine, (int)BalancingMemory.ScoredRowsCapacity(Labels.Length, packed.K));
        _largestCentroidNorm = 0;
        var scored = new float[Sample.Dimension];
        for (int c = 0; c < Prices.Length; c++)
        {
            packed.CopyScored(c, scored);
            _largestCentroidNorm = Math.Max(_largestCentroidNorm, TensorPrimitives.Norm(scored));
        }
        long reassigned = 0;
        blocks.ForEach(Parallel, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (long block) =>
            Interlocked.Add(ref reassigned, AssignBlock(block, packed)));
        Members.Group(Labels);
        return (Members.Sizes(), reassigned);
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
    /// <param name="packed">The centroids as <see cref="AssignSample"/> packed them; only their prices are changed.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (long[] Sizes, long Reassigned, long Revisited, double LossChange) Reprice(PackedCentroids packed)
    {
        int k = Prices.Length;
        var before = new float[k];
        var after = new float[k];
        unsafe
        {
            new ReadOnlySpan<float>(packed.Norms, k).CopyTo(before);
            packed.Reprice(Metric, Prices);
            new ReadOnlySpan<float>(packed.Norms, k).CopyTo(after);
        }
        var rise = new double[k];
        double largestTerm = 0;
        for (int c = 0; c < k; c++)
        {
            rise[c] = DistanceOfScore((double)after[c] - before[c]);
            largestTerm = Math.Max(largestTerm, Math.Abs(after[c]));
        }
        double margin = DistanceOfScore(RoundingUnits * (largestTerm + 2 * _largestRowNorm * _largestCentroidNorm) * Math.Pow(2, -23));
        var revisit = new List<int>();
        for (int c = 0; c < k; c++)
        {
            double step = rise[c];
            if (step <= 0)
                continue;
            foreach (int row in Members.Of(c))
            {
                if (Gaps[row] <= step + margin)
                    revisit.Add(row);
                else
                    Gaps[row] = (float)(Gaps[row] - step - margin);
            }
        }
        revisit.Sort();
        int[] labelsBefore = revisit.Select(row => Labels[row]).ToArray();
        (long reassigned, double change) = ReassignRows(revisit, packed);
        for (int i = 0; i < revisit.Count; i++)
        {
            if (Labels[revisit[i]] != labelsBefore[i])
                Members.Move(revisit[i], labelsBefore[i], Labels[revisit[i]]);
        }
        return (Members.Sizes(), reassigned, revisit.Count, change);
    }

    /// <summary>
    /// Exact gaps, by the kernel under the current prices, for the rows a price step is set by: in each partition
    /// above <paramref name="max"/>, the <see cref="RefreshedPerShed"/> × <see cref="PriceUpdate.Shed"/> rows of
    /// least gap. <see cref="Reprice"/> leaves lower bounds that understate the gaps of rows whose second choice's
    /// price rose, and a step set by those would move next to no rows.
    /// </summary>
    /// <returns>How many rows went through the kernel.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long RefreshGaps(PackedCentroids packed, long[] sizes, long max)
    {
        int k = sizes.Length;
        var refresh = new List<int>();
        long[] keys = [];
        for (int c = 0; c < k; c++)
        {
            if (sizes[c] <= max)
                continue;
            ReadOnlySpan<int> members = Members.Of(c);
            if (keys.Length < members.Length)
                keys = new long[members.Length];
            Span<long> partitionKeys = keys.AsSpan(0, members.Length);
            for (int i = 0; i < members.Length; i++)
                partitionKeys[i] = OrderKey.Of(Gaps[members[i]], members[i]);
            int count = (int)Math.Min(members.Length, RefreshedPerShed * PriceUpdate.Shed(sizes[c], max));
            LeastValues.Gather(partitionKeys, count);
            foreach (long key in partitionKeys[..count])
                refresh.Add(OrderKey.Index(key));
        }
        refresh.Sort();
        ReassignRows(refresh, packed);
        return refresh.Count;
    }

    /// <summary>Rows whose gap <see cref="RefreshGaps"/> makes exact, per row a step is to shed.</summary>
    private const int RefreshedPerShed = 2;

    /// <summary>A score's rounding, in units of the last place of the largest score, that the rise test allows for.</summary>
    private const double RoundingUnits = 8;

    /// <summary>
    /// Each of <paramref name="rows"/> to its nearest packed centroid, with its exact gap to the second, the rows' lists
    /// taken <see cref="BlocksAtOnce"/> blocks at a time, so that a price step re-assigning thousands of rows (the
    /// production run's) keeps its lists small, off the large-object heap.
    /// </summary>
    /// <returns>How many of the rows changed partition, and the change in their loss, summed per block in order.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (long Reassigned, double LossChange) ReassignRows(List<int> rows, PackedCentroids packed)
    {
        int d = Sample.Dimension;
        int n = Math.Min(Prices.Length, 2);
        var rowBlocks = new RowBlocks(rows.Count, NearestCentroidSearch.RowsPerBlock);
        long reassigned = 0;
        double change = 0;
        for (long firstBlock = 0; firstBlock < rowBlocks.Count; firstBlock += BlocksAtOnce)
        {
            int first = (int)rowBlocks.First(firstBlock);
            int count = (int)Math.Min(rows.Count - first, (long)BlocksAtOnce * rowBlocks.RowsPerBlock);
            (int[] ids, float[] scores) = Nearest(CollectionsMarshal.AsSpan(rows).Slice(first, count).ToArray(), n, n, packed);
            for (long block = firstBlock; block < Math.Min(rowBlocks.Count, firstBlock + BlocksAtOnce); block++)
            {
                double blockChange = 0;
                for (int at = (int)rowBlocks.First(block); at < rowBlocks.First(block) + rowBlocks.Length(block); at++)
                {
                    int row = rows[at];
                    int i = at - first;
                    int label = ids[i * n];
                    if (Labels[row] != label)
                    {
                        ReadOnlySpan<float> x = Sample.Rows(row, 1);
                        blockChange += RowLoss.Of(x, Centroids.AsSpan(label * d, d), Metric) - RowLoss.Of(x, Centroids.AsSpan(Labels[row] * d, d), Metric);
                        reassigned++;
                    }
                    Labels[row] = label;
                    Gaps[row] = n > 1 ? DistanceOfScore(scores[i * n + 1] - scores[i * n]) : float.PositiveInfinity;
                }
                change += blockChange;
            }
        }
        return (reassigned, change);
    }

    /// <summary>Blocks of rows whose lists <see cref="ReassignRows"/> takes at once: 4,032 rows, 32 KiB of lists.</summary>
    private const int BlocksAtOnce = 21;

    /// <summary>
    /// The <paramref name="n"/> nearest packed centroids under their current norm terms to each of
    /// <paramref name="rows"/>, from <c>i · <paramref name="listed"/></c> in the arrays (−1 and +∞ beyond): after
    /// <see cref="AssignSample"/> from the rows' kept scores (<see cref="ScoredRows"/>: the price steps and the searches
    /// score the rows of the same full partitions again and again, under new prices only), else by the kernel, on all
    /// threads when the rows fill several blocks. The same lists either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (int[] Ids, float[] Scores) Nearest(int[] rows, int n, int listed, PackedCentroids packed)
    {
        if (_scored is not null)
            return _scored.Nearest(rows, n, listed);
        var ids = new int[rows.Length * listed];
        var scores = new float[rows.Length * listed];
        ids.AsSpan().Fill(-1);
        scores.AsSpan().Fill(float.PositiveInfinity);
        var rowBlocks = new RowBlocks(rows.Length, NearestCentroidSearch.RowsPerBlock);
        Action<long> score = [MethodImpl(MethodImplOptions.AggressiveOptimization)] (long block) =>
        {
            int first = (int)rowBlocks.First(block);
            int count = rowBlocks.Length(block);
            using var gathered = GatheredRows.Of(Sample, rows.AsSpan(first, count));
            var blockIds = new int[count * n];
            var blockScores = new float[count * n];
            NearestKernel.Assign(gathered.Values, count, packed, n, blockIds, blockScores, KernelPaths.Machine);
            for (int i = 0; i < count; i++)
            {
                blockIds.AsSpan(i * n, n).CopyTo(ids.AsSpan((first + i) * listed, n));
                blockScores.AsSpan(i * n, n).CopyTo(scores.AsSpan((first + i) * listed, n));
            }
        };
        // A few dozen rows are one block, scored on this thread: handing each of thousands of them to the thread pool
        // cost more than scoring it.
        if (rowBlocks.Count == 1)
            score(0);
        else
            rowBlocks.ForEach(Parallel, score);
        return (ids, scores);
    }

    /// <summary>The rows' scores kept since the last <see cref="AssignSample"/>, for the centroids it packed.</summary>
    private ScoredRows? _scored;

    public void Dispose() => _scored?.Dispose();

    /// <summary>
    /// Each row's two lowest scores and their centroids (its one when K = 1), by the branch-free two-nearest kernel on
    /// the tiled paths: the same scores and ties as <see cref="NearestKernel"/>'s sorted lists, which cost about 1.4×
    /// the nearest alone where it costs about 1.1×.
    /// </summary>
    private static void AssignTwoNearest(ReadOnlySpan<float> rows, int count, PackedCentroids packed, Span<int> ids,
        Span<float> scores)
    {
        KernelPath path = KernelPaths.Machine;
        if (packed.K < 2 || path == KernelPath.Portable)
        {
            NearestKernel.Assign(rows, count, packed, Math.Min(packed.K, 2), ids, scores, path);
            return;
        }
        int d = packed.Dimension;
        var scratch = new TwoNearestKernel.Scratch(Math.Min(count, NearestCentroidSearch.RowsPerBlock));
        for (int first = 0; first < count; first += NearestCentroidSearch.RowsPerBlock)
        {
            int n = Math.Min(NearestCentroidSearch.RowsPerBlock, count - first);
            TwoNearestKernel.Assign(rows.Slice(first * d, n * d), n, packed, ids.Slice(2 * first, 2 * n),
                scores.Slice(2 * first, 2 * n), scratch, wide: path == KernelPath.Avx512);
        }
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
        AssignTwoNearest(x, count, packed, ids, scores);
        // The rows as the kernel takes them, less the packing's offset: the rounding margin of Reprice scales with them.
        float largestNorm = 0f;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = x.Slice(i * d, d);
            largestNorm = Math.Max(largestNorm, packed.HasOffset ? MathF.Sqrt(SquaredDistance.Of(row, packed.Offset)) : TensorPrimitives.Norm(row));
        }
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RefreshCache(PackedCentroids packed)
    {
        packed.PackRelativeTo(_cacheOffset, Centroids, Metric);
        ScoreAgainstAll(Enumerable.Range(0, Cache.Rows).ToArray(), packed, Cache.Candidates);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        // Per-row helpers of balancing are fully optimized from the first call, as its passes (see PartitionBalancer):
        // a training runs them a few hundred thousand times, mostly before the tiered JIT would promote them.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        bool ListsMoved(int row)
        {
            foreach (int id in Cache.Ids.AsSpan(row * m, m))
            {
                if (isMoved[id])
                    return true;
            }
            return false;
        }
        var listsMoved = new bool[Cache.Rows];
        int listing = 0;
        for (int row = 0; row < Cache.Rows; row++)
            listing += (listsMoved[row] = ListsMoved(row)) ? 1 : 0;
        var rowsByList = new int[Cache.Rows];
        for (int row = 0, listed = 0, kept = listing; row < Cache.Rows; row++)
            rowsByList[listsMoved[row] ? listed++ : kept++] = row;
        ReadOnlyMemory<int> keeping = rowsByList.AsMemory(listing);
        packed.PackRelativeTo(_cacheOffset, Centroids, Metric);
        ScoreAgainstAll(rowsByList.AsMemory(0, listing), packed, m);
        int[] movedIds = Enumerable.Range(0, k).Where(c => isMoved[c]).ToArray();
        using PackedCentroids movedPacked = PackedSubset(movedIds);
        ForEachNearest(keeping, movedPacked, Math.Min(m, movedIds.Length), (position, x, ids, scores) =>
            TakeInMoved(keeping.Span[position], x, ids, scores, movedIds));
    }

    /// <summary>
    /// Merges a cached row's candidates, none of which moved, with its nearest moved centroids (<paramref name="ids"/>
    /// into <paramref name="movedIds"/>, and their scores), both nearest first, ties to the lower index.
    /// </summary>
    private void TakeInMoved(int cachedRow, ReadOnlySpan<float> x, ReadOnlySpan<int> ids, ReadOnlySpan<float> scores,
        int[] movedIds)
    {
        int m = Cache.Candidates;
        float rowNorm = RowNorm(x);
        Span<int> cachedIds = Cache.Ids.AsSpan(cachedRow * m, m);
        Span<float> cachedCosts = Cache.Costs.AsSpan(cachedRow * m, m);
        Span<int> mergedIds = stackalloc int[m];
        Span<float> mergedCosts = stackalloc float[m];
        for (int kept = 0, taken = 0, at = 0; at < m; at++)
        {
            int id = taken < ids.Length ? movedIds[ids[taken]] : -1;
            float cost = taken < ids.Length ? CostOfScore(scores[taken], rowNorm) : float.PositiveInfinity;
            bool takeMoved = id >= 0 && (cost < cachedCosts[kept] || (cost == cachedCosts[kept] && id < cachedIds[kept]));
            (mergedIds[at], mergedCosts[at]) = takeMoved ? (id, cost) : (cachedIds[kept], cachedCosts[kept]);
            (taken, kept) = takeMoved ? (taken + 1, kept) : (taken, kept + 1);
        }
        mergedIds.CopyTo(cachedIds);
        mergedCosts.CopyTo(cachedCosts);
    }

    /// <summary>The cached rows <paramref name="rows"/>' nearest <see cref="CandidateCache.Candidates"/> centroids among all, by the kernel.</summary>
    private void ScoreAgainstAll(ReadOnlyMemory<int> rows, PackedCentroids packed, int candidates) =>
        ForEachNearest(rows, packed, candidates, (position, x, ids, scores) =>
            CacheRow(rows.Span[position], x, ids, scores));

    /// <summary>A cached row's nearest of some packed centroids: its place among the rows handed over, its values, ids and scores.</summary>
    private delegate void RowNearest(int position, ReadOnlySpan<float> x, ReadOnlySpan<int> ids, ReadOnlySpan<float> scores);

    /// <summary>
    /// The <paramref name="n"/> nearest of <paramref name="packed"/> to each of the cached rows <paramref name="rows"/>,
    /// by the kernel in blocks on all threads, handed to <paramref name="take"/> row by row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForEachNearest(ReadOnlyMemory<int> rows, PackedCentroids packed, int n, RowNearest take)
    {
        int d = Sample.Dimension;
        var rowBlocks = new RowBlocks(rows.Length, NearestCentroidSearch.RowsPerBlock);
        rowBlocks.ForEach(Parallel, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (long block) =>
        {
            int first = (int)rowBlocks.First(block);
            int count = rowBlocks.Length(block);
            using var gathered = GatheredRows.Of(Sample, rows.Span.Slice(first, count), Cache.Stride);
            var ids = new int[count * n];
            var scores = new float[count * n];
            if (n == 2)
                AssignTwoNearest(gathered.Values, count, packed, ids, scores);
            else
                NearestKernel.Assign(gathered.Values, count, packed, n, ids, scores, KernelPaths.Machine);
            for (int i = 0; i < count; i++)
                take(first + i, gathered.Values.Slice(i * d, d), ids.AsSpan(i * n, n), scores.AsSpan(i * n, n));
        });
    }

    /// <summary>The centroids <paramref name="ids"/> packed on their own, ascending, so that ties still go to the lower index.</summary>
    private PackedCentroids PackedSubset(int[] ids)
    {
        int d = Sample.Dimension;
        var subset = new float[ids.Length * d];
        for (int i = 0; i < ids.Length; i++)
            Centroids.AsSpan(ids[i] * d, d).CopyTo(subset.AsSpan(i * d, d));
        var packed = new PackedCentroids(ids.Length, d);
        packed.PackRelativeTo(_cacheOffset, subset, Metric);
        return packed;
    }

    /// <summary>
    /// The offset every packing of the candidate cache (all centroids, the moved ones, the open ones) is relative to,
    /// fixed for the run: their scores become distances with the same row terms, so that costs from a partial refresh
    /// are those of a full one.
    /// </summary>
    private readonly float[] _cacheOffset = SampleOffset.Of(sample);

    /// <summary>What turns a row's cache score into its distance: ‖x − m‖² under L2 (m the cache's offset), 0 otherwise.</summary>
    private float RowNorm(ReadOnlySpan<float> x)
    {
        if (Metric != DistanceMetric.L2)
            return 0f;
        return _cacheOffset.AsSpan().ContainsAnyExcept(0f) ? SquaredDistance.Of(x, _cacheOffset) : TensorPrimitives.SumOfSquares(x);
    }

    /// <summary>
    /// A cached row's nearest candidates from the kernel's scores (without prices), as distances; places beyond them
    /// are left empty (no centroid, infinite cost).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CacheRow(int cachedRow, ReadOnlySpan<float> x, ReadOnlySpan<int> ids, ReadOnlySpan<float> scores)
    {
        int m = Cache.Candidates;
        float rowNorm = RowNorm(x);
        for (int r = 0; r < m; r++)
        {
            Cache.Ids[(long)cachedRow * m + r] = r < ids.Length ? ids[r] : -1;
            Cache.Costs[(long)cachedRow * m + r] = r < ids.Length ? CostOfScore(scores[r], rowNorm) : float.PositiveInfinity;
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

    public double DistanceOfScore(double scoreDifference) =>
        Metric == DistanceMetric.L2 ? scoreDifference : scoreDifference / 2;

    /// <summary>
    /// The cached rows' candidates scored again against the moved centroids, by the metric's distance, and put back
    /// in ascending order (ties to the lower index).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RescoreCache()
    {
        int d = Sample.Dimension;
        int m = Cache.Candidates;
        var cacheBlocks = new RowBlocks(Cache.Rows, NearestCentroidSearch.RowsPerBlock);
        cacheBlocks.ForEach(Parallel, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (long block) =>
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (int[] Ids, float[] Costs) WiderCandidates(int[] waiting, int width, int[] open)
    {
        var wideIds = new int[(long)waiting.Length * width];
        var wideCosts = new float[(long)waiting.Length * width];
        using PackedCentroids packed = PackedSubset(open);
        ForEachNearest(waiting, packed, width, (position, x, ids, scores) =>
        {
            float rowNorm = RowNorm(x);
            for (int r = 0; r < width; r++)
            {
                wideIds[(long)position * width + r] = open[ids[r]];
                wideCosts[(long)position * width + r] = CostOfScore(scores[r], rowNorm);
            }
        });
        return (wideIds, wideCosts);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Loss()
    {
        int d = Sample.Dimension;
        var blockLoss = new double[blocks.Count];
        blocks.ForEach(Parallel, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (long block) =>
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double CacheLoss(int[] cacheLabels)
    {
        int d = Sample.Dimension;
        var losses = new float[cacheLabels.Length];
        var cacheBlocks = new RowBlocks(cacheLabels.Length, NearestCentroidSearch.RowsPerBlock);
        cacheBlocks.ForEach(Parallel, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (long block) =>
        {
            int first = (int)cacheBlocks.First(block);
            for (int row = first; row < first + cacheBlocks.Length(block); row++)
                losses[row] = RowLoss.Of(Sample.Rows((long)row * Cache.Stride, 1), Centroids.AsSpan(cacheLabels[row] * d, d), Metric);
        });
        return SumInRowOrder(losses);
    }

    /// <summary>
    /// Each centroid becomes the mean of its cached rows (normalised under Cosine), summed in double in row order,
    /// the centroids shared among the threads; a centroid left without rows stays where it was.
    /// </summary>
    /// <returns>
    /// The loss of the cached rows' labels after the move, what <see cref="CacheLoss"/> gives: each row's loss is taken
    /// right after its centroid's mean, while its rows are still in cache, so the pass reads the rows once less.
    /// </returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double MoveToMeans(int[] cacheLabels, long[] cacheSizes)
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
        var losses = new float[cacheLabels.Length];
        var centroidBlocks = new RowBlocks(k, CentroidsPerBlock);
        int ahead = CacheLinePrefetch.ItemsAhead(d * sizeof(float));
        centroidBlocks.ForEach(Parallel, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (long block) =>
        {
            var sum = new double[d];
            var scratch = new float[d];
            int first = (int)centroidBlocks.First(block);
            for (int c = first; c < first + centroidBlocks.Length(block); c++)
            {
                if (cacheSizes[c] == 0)
                    continue;
                Array.Clear(sum);
                for (int at = start[c]; at < start[c + 1]; at++)
                {
                    if (at + ahead < start[c + 1])
                        CacheLinePrefetch.Request(Sample.Rows((long)members[at + ahead] * Cache.Stride, 1));
                    WideningSum.Add(Sample.Rows((long)members[at] * Cache.Stride, 1), sum);
                }
                Span<float> centroid = Centroids.AsSpan(c * d, d);
                ClusterMean.Set(centroid, sum, cacheSizes[c], Metric, scratch);
                for (int at = start[c]; at < start[c + 1]; at++)
                    losses[members[at]] = RowLoss.Of(Sample.Rows((long)members[at] * Cache.Stride, 1), centroid, Metric);
            }
        });
        return SumInRowOrder(losses);
    }

    private static double SumInRowOrder(float[] losses)
    {
        double loss = 0;
        foreach (float rowLoss in losses)
            loss += rowLoss;
        return loss;
    }

    /// <summary>Centroids whose means one task computes: few enough that every thread gets several.</summary>
    private const int CentroidsPerBlock = 16;
}
