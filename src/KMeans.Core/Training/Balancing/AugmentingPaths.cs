using System.Runtime.CompilerServices;
using KMeans.Core.Distance;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// The price steps' finish where the simultaneous steps of <see cref="PriceUpdate"/> stall: a row at a time leaves the
/// partition furthest above the maximum along the cheapest chain of moves to a partition with room (each partition on
/// the way full and handing one row on), found by Dijkstra's algorithm over the partitions with a move's cost under the
/// prices (distance + price to the row's next choice less that to its own, never negative) as the edge; the prices of
/// the partitions it settled then rise by the path's cost less their own distance, so that each row on the path prefers
/// its next partition and no other row's choice changes (successive shortest paths for min-cost flow, with the prices
/// as its potentials: Ahuja, Magnanti and Orlin, Network Flows, ch. 9). Where the stall comes from: a dense region whose
/// partitions are all full can only shed rows to a far partition with room, which takes a price rise far above any gap
/// between the full neighbours, while the simultaneous steps raise the neighbours by those gaps together and so leave
/// their differences, and their rows, where they were (the skewed mixture at MaxSizeRatio 1.2: 36 rows above the bound
/// for 60 steps, then 185 rows displaced by the repair); a path lifts the whole region at once, by what each part of it
/// needs.
/// </summary>
/// <remarks>
/// No move of a row costs less than its gap (exact or a lower bound, see <see cref="BalancingRun.Reprice"/>), so a
/// settled partition's rows wait in the queue in order of their gaps and go through the kernel a few at a time, only
/// when the least gap left could lead the search; a row's moves are then its <see cref="Listed"/> nearest under the
/// prices, and beyond its list no move is cheaper than its last listed, a bound that waits in the queue in turn. Most
/// searches end after a few partitions and a few dozen rows (the skewed mixture at 1.2: 265 searches scoring 95,145
/// rows, 6,101 of them distinct, whose scores are kept between searches, see <see cref="ScoredRows"/>; about 0.04 s).
/// The queues order by cost, then partition; rows by gap, then index; so the paths, and the prices, do not depend on
/// threads. Memory: per search, a few numbers per partition and per row scanned.
/// </remarks>
internal static class AugmentingPaths
{
    /// <summary>Moves listed per row at a time.</summary>
    public const int Listed = 8;

    /// <summary>Rows of a settled partition scanned at a time.</summary>
    public const int RowsPerScan = 32;

    /// <summary>
    /// The finish ends once this many searches in a row have left the rows above the maximum no fewer than their least
    /// so far and have put <see cref="StalledWork"/> of the sample's rows through the kernel meanwhile: copies of one
    /// row, or rows closer to a border than the kernel's rounding, tie under any prices, so a path's rise moves them all
    /// and they overfill the partition it led to, search after search, until one leads them to a partition with room
    /// for all of them, or never (copies of one row more than a partition holds). On the skewed mixture the excess
    /// reaches a new least every one or two searches.
    /// </summary>
    public const int StalledSearches = 64;

    /// <summary>
    /// See <see cref="StalledSearches"/>: in the production run (4,194,304 rows, K = 16,384, MaxSizeRatio 2) 3 rows
    /// within the kernel's rounding of a border traded places for 2,483 searches, 0.04 of the sample's rows through
    /// the kernel and 3.7 s, before a path placed them: 0 rows displaced and every row with the prices within the bound
    /// (2.00× the mean instead of 2.02×). Rows no path can place cost at most this much beyond the 64 searches.
    /// </summary>
    public const double StalledWork = 0.1;

    /// <summary>
    /// Searches between two reports of progress, each a pass of the balance history: counted, not timed, so that the
    /// history is the same on every run (the skewed mixture at 1.2: 8 such passes before the last).
    /// </summary>
    public const int SearchesPerReport = 32;

    /// <param name="normTerms">The centroids' <see cref="PriceUpdate.NormTerms"/>.</param>
    /// <param name="budgetRows">Rows through the kernel after which no new search starts.</param>
    /// <param name="loss">The loss of the sample's partition as the searches find it.</param>
    /// <param name="report">
    /// Called every <see cref="SearchesPerReport"/> searches with the sizes, the rows that changed partition since the
    /// last call and the loss.
    /// </param>
    /// <returns>The sizes, the rows that changed partition since the last report, and the loss.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (long[] Sizes, long Reassigned, double Loss) Run(BalancingRun run, PackedCentroids packed,
        double[] normTerms, long[] sizes, long budgetRows, double loss, Action<long[], long, double> report,
        CancellationToken cancellationToken)
    {
        long max = run.Bounds.Max;
        int k = sizes.Length;
        (long reassigned, long kernelRows, int searches) = (0, 0, 0);
        (long leastExcess, int sinceLeast, long rowsAtLeast) = (long.MaxValue, 0, 0);
        long stalledRows = (long)(StalledWork * run.Labels.Length);
        var search = new PathSearch(run, packed, k, max);
        while (kernelRows < budgetRows && k > 1 && (sinceLeast < StalledSearches || kernelRows - rowsAtLeast < stalledRows))
        {
            int fullest = -1;
            long excess = 0;
            for (int c = 0; c < k; c++)
            {
                excess += Math.Max(0, sizes[c] - max);
                if (sizes[c] > max && (fullest < 0 || sizes[c] > sizes[fullest]))
                    fullest = c;
            }
            if (fullest < 0)
                break;
            (leastExcess, sinceLeast, rowsAtLeast) = excess < leastExcess
                ? (excess, 0, kernelRows)
                : (leastExcess, sinceLeast + 1, rowsAtLeast);
            cancellationToken.ThrowIfCancellationRequested();
            search.Clear();
            bool found = search.From(fullest, sizes);
            kernelRows += search.KernelRows;
            if (!found)
                break;
            foreach ((int partition, double rise) in search.Rises(normTerms))
                run.Prices[partition] = (float)(run.Prices[partition] + rise);
            (sizes, long moved, long revisited, double change) = run.Reprice(packed);
            (reassigned, kernelRows, loss) = (reassigned + moved, kernelRows + revisited, loss + change);
            if (++searches % SearchesPerReport == 0)
            {
                report(sizes, reassigned, loss);
                reassigned = 0;
            }
        }
        return (sizes, reassigned, loss);
    }

    /// <summary>
    /// One search from a partition above the maximum to the nearest, by moves under the prices, with room; one object
    /// serves a whole finish. Its methods are compiled fully optimized from the first call, as every pass of balancing:
    /// in a fresh process they ran at tier 0 or instrumented (perf, the mixture at 1.2, 265 searches).
    /// </summary>
    private sealed class PathSearch(BalancingRun run, PackedCentroids packed, int k, long max)
    {
        private readonly double[] _distance = Filled(k, double.PositiveInfinity);
        private readonly int[] _parent = Filled(k, -1);
        private readonly bool[] _settled = new bool[k];
        private readonly List<int> _settledOrder = [];
        private readonly PriorityQueue<(int Partition, int From), (double Cost, int Partition)> _moves = new();
        private readonly PriorityQueue<int, (double Cost, int Partition)> _unscanned = new();
        private readonly long[]?[] _unscannedKeys = new long[k][];
        private readonly int[] _scanned = new int[k];
        private readonly List<(int Row, int From, float OwnScore, double Bound)> _beyondLists = [];
        private double _leastBeyond = double.PositiveInfinity;
        private readonly double[] _cheapest = Filled(k, double.PositiveInfinity);
        private readonly List<int> _reached = [];
        private int _target = -1;
        private long[] _sizes = [];

        public long KernelRows { get; private set; }

        /// <summary>
        /// Forgets the last search, resetting only what it touched: the arrays are the size of K and live through the
        /// finish, where a new set per search (six arrays of 16,384 entries in the production run, most on the large
        /// object heap) was collected again and again over 2,685 searches.
        /// </summary>
        public void Clear()
        {
            foreach (int partition in _settledOrder)
                (_distance[partition], _parent[partition], _settled[partition], _unscannedKeys[partition], _scanned[partition]) =
                    (double.PositiveInfinity, -1, false, null, 0);
            if (_target >= 0)
                (_distance[_target], _parent[_target]) = (double.PositiveInfinity, -1);
            _settledOrder.Clear();
            _moves.Clear();
            _unscanned.Clear();
            _beyondLists.Clear();
            _leastBeyond = double.PositiveInfinity;
            _target = -1;
            KernelRows = 0;
        }

        /// <returns>Whether a partition with room was reached.</returns>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool From(int source, long[] sizes)
        {
            _sizes = sizes;
            _moves.Enqueue((source, -1), (0, source));
            while (true)
            {
                bool haveMove = _moves.TryPeek(out _, out var move);
                double moveCost = haveMove ? move.Cost : double.PositiveInfinity;
                double rowsCost = _unscanned.TryPeek(out int unscanned, out var rowsBound) ? rowsBound.Cost : double.PositiveInfinity;
                double beyondCost = _beyondLists.Count > 0 ? _leastBeyond : double.PositiveInfinity;
                if (!haveMove && double.IsPositiveInfinity(rowsCost) && double.IsPositiveInfinity(beyondCost))
                    return false;
                if (rowsCost < moveCost && rowsCost <= beyondCost)
                {
                    _unscanned.Dequeue();
                    ScanNext(unscanned);
                    continue;
                }
                if (beyondCost < moveCost)
                {
                    ListBeyond(moveCost);
                    continue;
                }
                (int partition, int from) = _moves.Dequeue();
                if (_settled[partition])
                    continue;
                _parent[partition] = from;
                _distance[partition] = move.Cost;
                if (partition != source && _sizes[partition] < max)
                {
                    _target = partition;
                    return true;
                }
                _settled[partition] = true;
                _settledOrder.Add(partition);
                Settle(partition);
            }
        }

        /// <summary>The step where every term is 0: centroids on the offset, no prices yet, a path of ties.</summary>
        private const double LeastStep = 1e-12;

        /// <summary>
        /// Each settled partition's rise: the path's cost less its distance, which leaves every move of the search's
        /// tree at no cost, and a few steps that break those ties: on the path one more per partition still ahead of
        /// it, so that every row on the path strictly prefers its next partition, and off the path one more than the
        /// partition the search reached it from, so that the row it was reached by keeps its partition. The step is
        /// the largest <see cref="PriceUpdate.Resolution"/> of the partitions whose prices rise, the same for all, so
        /// that the ties break alike along the tree, and no less than a few units in the last place of the path's
        /// cost, which the rises carry into the float prices.
        /// </summary>
        /// <remarks>
        /// Off the path the steps had been left out, so the row by which the search reached a partition from the path
        /// moved there too, a step cheaper than staying: every search overfilled one full partition per branch leaving
        /// the path, and on some samples the excess stopped falling (the skewed mixture at MaxSizeRatio 1.2 with seeds 1
        /// and 4: 674 and 330 rows displaced after 384 searches).
        /// </remarks>
        public IEnumerable<(int Partition, double Rise)> Rises(double[] normTerms)
        {
            double length = _distance[_target];
            double step = Math.Max(LeastStep, 8 * length * Math.Pow(2, -23));
            foreach (int partition in _settledOrder)
                step = Math.Max(step, PriceUpdate.Resolution(normTerms[partition], run.Prices[partition], run.Metric));
            var steps = new Dictionary<int, int>();
            int hops = 1;
            for (int at = _parent[_target]; at >= 0; at = _parent[at])
                steps[at] = hops++;
            // Settled in order of distance, so a partition's parent has its steps before it.
            foreach (int partition in _settledOrder)
            {
                if (!steps.ContainsKey(partition))
                    steps[partition] = steps[_parent[partition]] + 1;
                yield return (partition, length - _distance[partition] + step * steps[partition]);
            }
        }

        /// <summary>
        /// A newly settled partition's rows, to be scanned in order of their gaps (exact or lower bounds, see
        /// <see cref="BalancingRun.Reprice"/>), which no move of theirs can undercut: <see cref="RowsPerScan"/> at a
        /// time, only while the least gap left could still lead the search. The next rows are gathered as they are needed
        /// (<see cref="LeastValues"/>): most searches read a few rows of each partition, and sorting them all with the
        /// runtime's generic sort, unoptimized in a fresh process, took a quarter of the searches' time there.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Settle(int partition)
        {
            ReadOnlySpan<int> members = run.Members.Of(partition);
            var keys = new long[members.Length];
            long least = long.MaxValue;
            for (int i = 0; i < members.Length; i++)
            {
                keys[i] = OrderKey.Of(Math.Max(0f, run.Gaps[members[i]]), members[i]);
                least = Math.Min(least, keys[i]);
            }
            _unscannedKeys[partition] = keys;
            if (keys.Length > 0)
                QueueUnscanned(partition, run.Gaps[OrderKey.Index(least)]);
        }

        /// <summary>Queues the rest of a partition's rows at the least gap they can have.</summary>
        private void QueueUnscanned(int partition, float leastGap) =>
            _unscanned.Enqueue(partition, (_distance[partition] + Math.Max(0f, leastGap), partition));

        /// <summary>The moves of a settled partition's next rows by gap, from the kernel's nearest under the prices.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ScanNext(int partition)
        {
            long[] keys = _unscannedKeys[partition]!;
            int next = _scanned[partition];
            int count = Math.Min(RowsPerScan, keys.Length - next);
            // Every row left has a key at least the largest gathered, so a gap at least that row's before this scan.
            float restGap = run.Gaps[OrderKey.Index(LeastValues.Gather(keys.AsSpan(next), count))];
            var rows = new int[count];
            for (int i = 0; i < count; i++)
                rows[i] = OrderKey.Index(keys[next + i]);
            _scanned[partition] = next + count;
            double distance = _distance[partition];
            (int[] ids, float[] scores) = Nearest(rows);
            for (int i = 0; i < rows.Length; i++)
            {
                ReadOnlySpan<int> rowIds = ids.AsSpan(i * Listed, Listed);
                ReadOnlySpan<float> rowScores = scores.AsSpan(i * Listed, Listed);
                int own = rowIds.IndexOf(partition);
                float ownScore = own >= 0 ? rowScores[own] : rowScores[0];
                run.Gaps[rows[i]] = own == 0 && rowIds.Length > 1 && rowIds[1] >= 0
                    ? (float)Math.Max(0, run.DistanceOfScore((double)rowScores[1] - ownScore))
                    : 0f;
                Reach(rows[i], partition, distance, rowIds, rowScores, ownScore, rowScores[^1]);
            }
            EnqueueReached(partition, distance);
            if (next + count < keys.Length)
                QueueUnscanned(partition, restGap);
        }

        /// <summary>
        /// The rows whose lists ran out before their moves did and whose bound is below <paramref name="cheapestMove"/>,
        /// the least queued move: their next nearest with the settled partitions priced out (infinite prices in the
        /// packed centroids for the while, then the prices again, exactly as they were), all at once. The others wait:
        /// on the skewed mixture listing every waiting row had put 28,000 rows through the kernel in 12 calls, a fifth
        /// of the searches' rows. Rows of one partition that follow each other count as one move per partition
        /// reached, as a scan's do.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ListBeyond(double cheapestMove)
        {
            var waiting = new List<(int Row, int From, float OwnScore, double Bound)>();
            int kept = 0;
            _leastBeyond = double.PositiveInfinity;
            for (int i = 0; i < _beyondLists.Count; i++)
            {
                var entry = _beyondLists[i];
                if (entry.Bound < cheapestMove)
                {
                    waiting.Add(entry);
                    continue;
                }
                _beyondLists[kept++] = entry;
                _leastBeyond = Math.Min(_leastBeyond, entry.Bound);
            }
            _beyondLists.RemoveRange(kept, _beyondLists.Count - kept);
            var prices = (float[])run.Prices.Clone();
            foreach (int partition in _settledOrder)
                prices[partition] = float.PositiveInfinity;
            packed.Reprice(run.Metric, prices);
            var rows = new int[waiting.Count];
            for (int i = 0; i < waiting.Count; i++)
                rows[i] = waiting[i].Row;
            (int[] ids, float[] scores) = Nearest(rows);
            packed.Reprice(run.Metric, run.Prices);
            for (int start = 0; start < waiting.Count;)
            {
                int from = waiting[start].From;
                int end = start;
                for (; end < waiting.Count && waiting[end].From == from; end++)
                {
                    ReadOnlySpan<float> rowScores = scores.AsSpan(end * Listed, Listed);
                    Reach(waiting[end].Row, from, _distance[from], ids.AsSpan(end * Listed, Listed), rowScores,
                        waiting[end].OwnScore, rowScores[^1]);
                }
                EnqueueReached(from, _distance[from]);
                start = end;
            }
        }

        /// <summary>
        /// A row's listed moves, each kept if the cheapest yet from its partition to that one, and the least score of
        /// those not listed (infinite when the list holds every centroid there is).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Reach(int row, int from, double distance, ReadOnlySpan<int> ids, ReadOnlySpan<float> scores,
            float ownScore, float unlistedBound)
        {
            for (int r = 0; r < ids.Length; r++)
            {
                if (ids[r] < 0 || !float.IsFinite(scores[r]))
                    continue;
                double cost = Math.Max(0, run.DistanceOfScore((double)scores[r] - ownScore));
                int to = ids[r];
                if (_settled[to])
                    continue;
                if (double.IsPositiveInfinity(_cheapest[to]))
                    _reached.Add(to);
                _cheapest[to] = Math.Min(_cheapest[to], cost);
            }
            if (float.IsFinite(unlistedBound))
            {
                double bound = distance + Math.Max(0, run.DistanceOfScore((double)unlistedBound - ownScore));
                _beyondLists.Add((row, from, ownScore, bound));
                _leastBeyond = Math.Min(_leastBeyond, bound);
            }
        }

        /// <summary>One queued move per partition reached from <paramref name="from"/>: its cheapest.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void EnqueueReached(int from, double distance)
        {
            _reached.Sort();
            foreach (int to in _reached)
            {
                _moves.Enqueue((to, from), (distance + _cheapest[to], to));
                _cheapest[to] = double.PositiveInfinity;
            }
            _reached.Clear();
        }

        /// <summary>The <see cref="Listed"/> nearest packed centroids to each row (<see cref="BalancingRun.Nearest"/>).</summary>
        private (int[] Ids, float[] Scores) Nearest(int[] rows)
        {
            KernelRows += rows.Length;
            return run.Nearest(rows, Math.Min(k, Listed), Listed, packed);
        }

        private static T[] Filled<T>(int length, T value)
        {
            var values = new T[length];
            Array.Fill(values, value);
            return values;
        }
    }
}
