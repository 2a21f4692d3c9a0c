using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KMeans.Core.Distance;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// Before the constrained passes, centroids go where the rows are: in rounds, every partition of the cached rows above
/// the maximum is split in two, and the second half takes the centroid of a small partition (below half the mean, or up
/// to the mean where its neighbours have room for its rows, see <see cref="Donors"/>) whose rows lose least by going to
/// their next nearest. A split is bisecting k-means' step: the partition's rows on either side of the hyperplane
/// through its centroid normal to their principal direction, each side's mean a centroid. After each round the cached
/// rows that listed a moved centroid get their candidates again from the kernel, and the others take in the moved
/// centroids nearer than their last candidate. A pair is split only where that costs the loss less than sending the
/// partition's rows above the maximum to neighbours with room, unless the donor is small and covered (<see cref="Accepts"/>).
/// </summary>
/// <remarks>
/// Why: where a dense region holds many times its share of rows (a heavy component of a skewed mixture), its partitions
/// are all full, and neither prices nor a capacity-constrained assignment can fix that without sending rows far away:
/// prices then trade rows between the full neighbours and stall, and a constrained pass moves a far centroid only part of
/// the way, towards the mean of its own rows and the overflow. It needs more centroids, as cuVS's balanced k-means gets
/// by splitting large clusters and re-seeding small ones. Every step follows row and partition order, so the result is
/// the same for any thread count and in memory or on disk: the bisections of a round only read, so they run on all
/// threads, and the pairs are then chosen and their centroids written in partition order.
/// </remarks>
internal static class PartitionSplits
{
    public const int Rounds = 6;

    /// <param name="roundDone">After each round: the cached rows' nearest centroids and how many of them changed.</param>
    // Fully optimized from the first call, as every pass of balancing marked so (per-block bodies too): each runs a few
    // times per training, too few for the tiered JIT to promote it in time (see PartitionBalancer's remarks).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(BalancingRun run, PackedCentroids packed, SizeBounds cacheBounds,
        Action<int[], long> roundDone, CancellationToken cancellationToken)
    {
        CandidateCache cache = run.Cache;
        int k = run.Prices.Length;
        int[] labels = cache.NearestLabels();
        for (int round = 0; round < Rounds; round++)
        {
            var members = new List<int>?[k];
            for (int row = 0; row < labels.Length; row++)
                (members[labels[row]] ??= []).Add(row);
            int[] large = Enumerable.Range(0, k).Where(c => Count(members[c]) > cacheBounds.Max)
                .OrderByDescending(c => Count(members[c])).ThenBy(c => c).ToArray();
            Donor[] donors = Donors(cache, members, k, cacheBounds.Max, run.Metric).Take(large.Length).ToArray();
            long[] room = [.. members.Select(rows => Math.Max(0, cacheBounds.Max - Count(rows)))];
            var moved = new List<int>();
            int nextDonor = 0;
            // Bisected in batches of as many large partitions as donors are left: a large partition whose pair is
            // refused leaves its donor to the next, and the bisections stay in proportion to the pairs tried.
            for (int first = 0; first < large.Length && nextDonor < donors.Length;)
            {
                var halves = new Bisection?[Math.Min(large.Length - first, donors.Length - nextDonor)];
                int batchFirst = first;
                Parallel.For(0, halves.Length, run.Parallel, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (int i) =>
                    halves[i] = Bisect(run, members[large[batchFirst + i]]!, large[batchFirst + i]));
                for (int i = 0; i < halves.Length && nextDonor < donors.Length; i++)
                {
                    int split = large[first + i];
                    Donor donor = donors[nextDonor];
                    if (halves[i] is not Bisection bisection || !Accepts(cache, members[split]!, cacheBounds.Max, bisection, donor, room))
                        continue;
                    int d = run.Sample.Dimension;
                    SetMean(run, split, bisection.Sums.AsSpan(0, d), bisection.Counts[0]);
                    SetMean(run, donor.Partition, bisection.Sums.AsSpan(d, d), bisection.Counts[1]);
                    moved.AddRange([split, donor.Partition]);
                    nextDonor++;
                }
                first += halves.Length;
            }
            if (moved.Count == 0)
                break;
            cancellationToken.ThrowIfCancellationRequested();
            run.RefreshCache(packed, moved);
            int[] after = cache.NearestLabels();
            long changed = 0;
            for (int row = 0; row < after.Length; row++)
                changed += after[row] != labels[row] ? 1 : 0;
            roundDone(after, changed);
            labels = after;
        }
    }

    private static int Count(List<int>? rows) => rows?.Count ?? 0;

    /// <summary>
    /// A partition that may give up its centroid and what its rows lose by going to their second candidate (the merge
    /// cost of split-and-merge k-means).
    /// </summary>
    /// <param name="Covered">
    /// Its rows would at most double their loss: other centroids cover its region, so it is not a group of its own.
    /// </param>
    /// <param name="Receivers">The partitions its rows go to (their second candidates), with how many go to each.</param>
    private readonly record struct Donor(int Partition, double MergeCost, bool Small, bool Covered,
        (int Receiver, int Rows)[] Receivers)
    {
        /// <summary>A small partition that others cover: its centroid is better used where the rows crowd.</summary>
        public bool Spare => Small && Covered;
    }

    /// <summary>
    /// The partitions that may give up their centroid: those below half the mean, least merge cost first, so that a
    /// centroid leaves a region that others cover, not a far group of its own; then, where the large partitions need
    /// more, covered partitions up to the mean whose rows their second candidates have room for, least merge cost
    /// first. A partition that takes a donor's rows is not a donor in the same round. Why the second kind: ten equal
    /// blobs of 1,000 rows (16-d, K = 20, a helper's data) trained with one centroid in one blob and three in another;
    /// at MaxSizeRatio 1.2 the blob of one centroid was twice the mean, the three partitions of the other two thirds
    /// of it, none below half, so no split was made and 400 rows went into other blobs: the loss rose 2–2.4-fold on
    /// five of ten seeds (1.7–1.9-fold at 1.3, without a warning), where a centroid moved between the blobs costs nothing.
    /// </summary>
    private static IEnumerable<Donor> Donors(CandidateCache cache, List<int>?[] members, int k, long max, DistanceMetric metric)
    {
        int m = cache.Candidates;
        var mergeCost = new double[k];
        var ownLoss = new double[k];
        var room = new long[k];
        for (int c = 0; c < k; c++)
        {
            foreach (int row in members[c] ?? [])
            {
                mergeCost[c] += m > 1 ? cache.Costs[(long)row * m + 1] - cache.Costs[(long)row * m] : double.PositiveInfinity;
                ownLoss[c] += cache.Costs[(long)row * m];
            }
            room[c] = Math.Max(0, max - Count(members[c]));
        }
        bool Small(int c) => 2L * Count(members[c]) * k < cache.Rows;
        // Under Dot the loss, −x·c, has no scale to set a merge cost against: its small partitions give up their
        // centroid as before this rule, and none of up to the mean does.
        bool Covered(int c) => metric == DistanceMetric.Dot ? Small(c) : ownLoss[c] > 0 && mergeCost[c] <= ownLoss[c];
        bool CoveredUpToTheMean(int c) => (long)Count(members[c]) * k <= cache.Rows && metric != DistanceMetric.Dot && Covered(c);
        var receiving = new bool[k];
        foreach (int c in Enumerable.Range(0, k).Where(c => Small(c) || CoveredUpToTheMean(c))
                     .OrderBy(c => Small(c) ? 0 : 1).ThenBy(c => mergeCost[c]).ThenBy(c => c))
        {
            if (receiving[c])
                continue;
            (int Receiver, int Rows)[] receivers = m > 1
                ? [.. (members[c] ?? []).GroupBy(row => cache.Ids[(long)row * m + 1]).Select(rows => (rows.Key, rows.Count())).OrderBy(r => r.Key)]
                : [];
            if (!Small(c) && receivers.Any(r => r.Rows > room[r.Receiver]))
                continue;
            foreach ((int receiver, int rows) in receivers)
            {
                receiving[receiver] = true;
                room[receiver] -= rows;
            }
            // Its rows leave with its centroid: no later donor's rows may count on it.
            room[c] = 0;
            yield return new Donor(c, mergeCost[c], Small(c), Covered(c), receivers);
        }
    }

    /// <summary>
    /// Whether <paramref name="donor"/>'s centroid goes to the large partition whose cached rows are
    /// <paramref name="rows"/>. A spare donor always gives it up; a group of its own, or a partition of up to the mean,
    /// only where the split and merge together cost the loss less than sending the large partition's rows above the
    /// maximum to neighbours with room would. Where the neighbours are full (a dense region short of centroids, what the
    /// splits are for) such a split is taken; where a partition is a little above the maximum among neighbours with
    /// room, its rows go there in the constrained passes and no far group gives up its centroid for it. A helper's
    /// mixture (17,000 rows in one blob beside ten far blobs of 300, K = 32, MaxSizeRatio 1.5) had the blob's 19
    /// partitions at 0.88–1.06 of the bound: every-9th-row cache sizes put six above it, the three halves of split blobs
    /// gave up their centroids, and so did three far blobs, whose rows then joined the blob's partitions: 9.8× the
    /// unbalanced loss, where fitting the blob's rows within it costs nothing measurable (1.003×, bench/README.md).
    /// <paramref name="room"/> follows the round: an accepted donor's rows fill its receivers and it has none left; a
    /// refused partition's shed rows fill their takers.
    /// </summary>
    private static bool Accepts(CandidateCache cache, List<int> rows, long max, Bisection bisection, Donor donor, long[] room)
    {
        (double shedCost, List<int> takers) = donor.Spare
            ? (double.PositiveInfinity, [])
            : Shedding(cache, rows, rows.Count - max, room);
        if (donor.MergeCost - bisection.Gain <= shedCost)
        {
            foreach ((int receiver, int moving) in donor.Receivers)
                room[receiver] = Math.Max(0, room[receiver] - moving);
            room[donor.Partition] = 0;
            return true;
        }
        foreach (int taker in takers)
            room[taker]--;
        return false;
    }

    /// <summary>
    /// What moving <paramref name="excess"/> of a partition's cached rows to candidates with room would add to the
    /// loss, the cheapest moves first, and who takes them; infinite where its rows' candidates lack the room.
    /// </summary>
    private static (double Cost, List<int> Takers) Shedding(CandidateCache cache, List<int> rows, long excess, long[] room)
    {
        int m = cache.Candidates;
        var moves = new List<(float Gap, int Row, int Taker)>();
        foreach (int row in rows)
        {
            for (int r = 1; r < m; r++)
            {
                int candidate = cache.Ids[(long)row * m + r];
                if (room[candidate] > 0)
                {
                    moves.Add((cache.Costs[(long)row * m + r] - cache.Costs[(long)row * m], row, candidate));
                    break;
                }
            }
        }
        moves.Sort();
        var taken = new Dictionary<int, long>();
        var takers = new List<int>();
        double cost = 0;
        foreach ((float gap, int _, int taker) in moves)
        {
            if (takers.Count == excess)
                break;
            long already = taken.GetValueOrDefault(taker);
            if (already == room[taker])
                continue;
            taken[taker] = already + 1;
            takers.Add(taker);
            cost += gap;
        }
        return takers.Count < excess ? (double.PositiveInfinity, []) : (cost, takers);
    }

    /// <summary>
    /// A partition's cached rows split by the side of its centroid they lie on along their principal direction:
    /// each side's sum and count, and what their means would take off the loss of those rows.
    /// </summary>
    private sealed record Bisection(double[] Sums, long[] Counts, double Gain);

    /// <summary>
    /// Splits <paramref name="large"/>'s cached rows by the side of its centroid they lie on along their principal
    /// direction (as bisecting k-means does), found by <see cref="PowerIterations"/> steps of power iteration from the
    /// offset of the row farthest from the centroid.
    /// </summary>
    /// <returns>Null when every row lies on one side (the rows are all alike).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Bisection? Bisect(BalancingRun run, List<int> rows, int large)
    {
        int d = run.Sample.Dimension;
        double[] centroid = new double[d];
        for (int j = 0; j < d; j++)
            centroid[j] = run.Centroids[large * d + j];
        var direction = new double[d];
        double farthest = -1;
        foreach (int row in rows)
        {
            ReadOnlySpan<float> x = Row(run, row);
            double distance = OffsetSum(x, centroid, null, Vector256.IsHardwareAccelerated);
            if (distance > farthest)
            {
                farthest = distance;
                for (int j = 0; j < d; j++)
                    direction[j] = x[j] - centroid[j];
            }
        }
        var next = new double[d];
        for (int step = 0; step < PowerIterations; step++)
        {
            Array.Clear(next);
            foreach (int row in rows)
            {
                ReadOnlySpan<float> x = Row(run, row);
                AddOffset(x, centroid, OffsetSum(x, centroid, direction, Vector256.IsHardwareAccelerated), next);
            }
            double norm = Math.Sqrt(next.Sum(value => value * value));
            if (norm == 0)
                break;
            for (int j = 0; j < d; j++)
                direction[j] = next[j] / norm;
        }
        var sides = new bool[rows.Count];
        var sums = new double[2 * d];
        var counts = new long[2];
        for (int i = 0; i < rows.Count; i++)
        {
            ReadOnlySpan<float> x = Row(run, rows[i]);
            sides[i] = OffsetSum(x, centroid, direction, Vector256.IsHardwareAccelerated) > 0;
            int side = sides[i] ? 1 : 0;
            counts[side]++;
            WideningSum.Add(x, sums.AsSpan(side * d, d));
        }
        if (counts[0] == 0 || counts[1] == 0)
            return null;
        ReadOnlySpan<float> current = run.Centroids.AsSpan(large * d, d);
        float[] means = new float[2 * d];
        var scratch = new float[d];
        for (int side = 0; side < 2; side++)
        {
            current.CopyTo(means.AsSpan(side * d, d));
            ClusterMean.Set(means.AsSpan(side * d, d), sums.AsSpan(side * d, d), counts[side], run.Metric, scratch);
        }
        double gain = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            ReadOnlySpan<float> x = Row(run, rows[i]);
            gain += RowLoss.Of(x, current, run.Metric) - RowLoss.Of(x, means.AsSpan(sides[i] ? d : 0, d), run.Metric);
        }
        return new Bisection(sums, counts, gain);
    }

    /// <summary>Power iteration steps towards a partition's principal direction: two bring it close enough to halve it.</summary>
    private const int PowerIterations = 2;

    private static ReadOnlySpan<float> Row(BalancingRun run, int cachedRow) =>
        run.Sample.Rows((long)cachedRow * run.Cache.Stride, 1);

    /// <summary>Lanes of <see cref="OffsetSum"/>: two vectors of four doubles.</summary>
    private const int SumLanes = 8;

    /// <summary>
    /// Σ (x_j − c_j)·w_j, or Σ (x_j − c_j)² without <paramref name="weights"/>, in double: lane j mod 8 sums the
    /// products of its elements, the lanes are added pairwise in a fixed order and the last d mod 8 products after
    /// them, so the value is the same with or without vector hardware. One running sum over j had a floating-point
    /// add's latency per element: the splits of the skewed mixture at MaxSizeRatio 1.2 (8,165 rows, four passes) took
    /// 6–9 ms of a 0.16 s balancing.
    /// </summary>
    // Fully optimized from the first call, as Split that calls it for every row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double OffsetSum(ReadOnlySpan<float> x, double[] centroid, double[]? weights, bool vectors)
    {
        int d = x.Length;
        int j = 0;
        Span<double> lanes = stackalloc double[SumLanes];
        if (vectors)
        {
            ref float xs = ref MemoryMarshal.GetReference(x);
            ref double cs = ref MemoryMarshal.GetArrayDataReference(centroid);
            Vector256<double> low = Vector256<double>.Zero, high = Vector256<double>.Zero;
            for (; j <= d - SumLanes; j += SumLanes)
            {
                Vector256<float> values = Vector256.LoadUnsafe(ref xs, (nuint)j);
                Vector256<double> lowOffset = Vector256.WidenLower(values) - Vector256.LoadUnsafe(ref cs, (nuint)j);
                Vector256<double> highOffset = Vector256.WidenUpper(values) - Vector256.LoadUnsafe(ref cs, (nuint)(j + 4));
                low += lowOffset * (weights is null ? lowOffset : Vector256.Create(weights, j));
                high += highOffset * (weights is null ? highOffset : Vector256.Create(weights, j + 4));
            }
            low.CopyTo(lanes);
            high.CopyTo(lanes[4..]);
        }
        else
        {
            lanes.Clear();
            for (; j <= d - SumLanes; j += SumLanes)
            {
                for (int lane = 0; lane < SumLanes; lane++)
                {
                    double offset = x[j + lane] - centroid[j + lane];
                    lanes[lane] += offset * (weights is null ? offset : weights[j + lane]);
                }
            }
        }
        double sum = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
        for (; j < d; j++)
        {
            double offset = x[j] - centroid[j];
            sum += offset * (weights is null ? offset : weights[j]);
        }
        return sum;
    }

    /// <summary>next += along · (x − c), element by element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddOffset(ReadOnlySpan<float> x, double[] centroid, double along, double[] next)
    {
        for (int j = 0; j < next.Length; j++)
            next[j] += along * (x[j] - centroid[j]);
    }

    private static void SetMean(BalancingRun run, int partition, ReadOnlySpan<double> sum, long count)
    {
        int d = run.Sample.Dimension;
        ClusterMean.Set(run.Centroids.AsSpan(partition * d, d), sum, count, run.Metric, new float[d]);
    }
}
