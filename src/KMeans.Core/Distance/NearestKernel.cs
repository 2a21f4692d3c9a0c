using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KMeans.Core.Distance;

/// <summary>
/// The <c>n</c> nearest centroids of each row, nearest first, for multi-probe search and spilled assignment. It walks
/// the same packed tiles as <see cref="AssignmentKernel"/> and scores every (row, centroid) pair with the same
/// arithmetic (one fused multiply-add per dimension in order from 0, then −2·dot + ‖c‖² fused; the ordered portable
/// dot elsewhere), so each score is bit-identical to the kernel's and the first of the <c>n</c> is the kernel's label.
/// The tiled paths share <see cref="RegisterTiles"/> with the kernel; a row's list is touched only for the scores
/// below its current <c>n</c>-th, which after the first tiles are few, so the cost stays close to the kernel's.
/// </summary>
internal static unsafe class NearestKernel
{
    private const int TileWidth = PackedCentroids.TileWidth;

    /// <summary>
    /// For each of <paramref name="count"/> rows, the <paramref name="n"/> lowest scores (‖c‖² − 2·x·c) in ascending
    /// order, ties to the lower index, and their centroids.
    /// </summary>
    /// <param name="perLane">Keep the lists per lane or per row; by default as <see cref="ListsPerLane"/> says.</param>
    // Fully optimized from the first call: balancing calls it a few hundred times per training at most, and in a fresh
    // process the lanes' merge ran at tier 0, its vector helpers not inlined (perf, the skewed mixture at 1.2).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Assign(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, int n, Span<int> labels,
        Span<float> scores, KernelPath path, bool? perLane = null)
    {
        labels.Slice(0, count * n).Fill(-1);
        scores.Slice(0, count * n).Fill(float.PositiveInfinity);
        fixed (float* x = rows)
        fixed (float* best = scores)
        fixed (int* bestLabel = labels)
        {
            if (path == KernelPath.Portable)
            {
                AssignPortable(x, count, centroids, n, best, bestLabel);
                return;
            }
            bool wide = path == KernelPath.Avx512;
            if (perLane ?? ListsPerLane(centroids.K, n))
            {
                AssignByLanes(x, count, centroids, n, best, bestLabel, wide);
                return;
            }
            var lists = new SortedLists(best, bestLabel, n, centroids.K);
            RegisterTiles.Run(x, count, centroids, wide, everyQuarter: false, ref lists);
        }
    }

    /// <summary>
    /// Whether the lists of <paramref name="n"/> nearest of <paramref name="k"/> centroids are kept per lane
    /// (<see cref="LaneLists"/>): where each lane sees at most <see cref="CentroidsPerLanePlace"/> × n centroids, most
    /// scores enter the lists, and a row's sorted list then branched on nearly every one, unpredictably, where lanes
    /// cost a compare and two blends per place (8 nearest of 16,384 rows × 128 against K = 256: 11.0 ms per lane,
    /// 15.0 ms per row, on one thread, `nearest-lists` bench). At larger K a row's n-th soon rejects a whole vector of
    /// scores with one compare, while each lane's n-th, over a sixteenth of the centroids, stays higher and keeps
    /// taking scores (1,024 rows against K = 16,384: 26.4 ms per lane, 19.6 ms per row); around K = 64·n they cost
    /// about the same. Lists longer than <see cref="LaneListLimit"/> cost more per score in lanes than they save.
    /// </summary>
    public static bool ListsPerLane(int k, int n) => n <= LaneListLimit && k <= CentroidsPerLanePlace * Lanes * n;

    private const int LaneListLimit = 16;

    private const int CentroidsPerLanePlace = 4;

    private const int Lanes = 16;

    /// <summary>
    /// The n nearest by <see cref="LaneLists"/>, then per row a merge of its 16 lanes' lists: the lowest head (ties to
    /// the lower index, the kernel's own reduction) is taken n times, its lane moving up after each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AssignByLanes(float* x, int count, PackedCentroids centroids, int n, float* best, int* bestLabel,
        bool wide)
    {
        int length = count * n * Lanes;
        float[] values = ArrayPool<float>.Shared.Rent(length);
        int[] indices = ArrayPool<int>.Shared.Rent(length);
        try
        {
            values.AsSpan(0, length).Fill(float.PositiveInfinity);
            indices.AsSpan(0, length).Fill(-1);
            fixed (float* value = values)
            fixed (int* index = indices)
            {
                var lists = new LaneLists(value, index, n);
                RegisterTiles.Run(x, count, centroids, wide, everyQuarter: false, ref lists);
                for (int i = 0; i < count; i++)
                {
                    float* rowValues = value + (long)i * n * Lanes;
                    int* rowIndices = index + (long)i * n * Lanes;
                    for (int r = 0; r < n; r++)
                    {
                        AssignmentKernel.ReduceLanes(rowValues, rowIndices, out float score, out int label);
                        if (label < 0)
                            break;
                        best[(long)i * n + r] = score;
                        bestLabel[(long)i * n + r] = label;
                        int lane = label % Lanes;
                        for (int level = 0; level < n - 1; level++)
                        {
                            rowValues[level * Lanes + lane] = rowValues[(level + 1) * Lanes + lane];
                            rowIndices[level * Lanes + lane] = rowIndices[(level + 1) * Lanes + lane];
                        }
                        rowValues[(n - 1) * Lanes + lane] = float.PositiveInfinity;
                        rowIndices[(n - 1) * Lanes + lane] = -1;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(values);
            ArrayPool<int>.Shared.Return(indices);
        }
    }

    /// <summary>
    /// Per row, 16 lanes (centroid 16·q + lane competes in lane <c>lane</c>), each with its n lowest scores ascending
    /// and their centroids, level after level: level l of row i is the 16 lanes at (i·n + l)·16. Centroids reach a lane
    /// in ascending order, so strict comparisons keep the lower index ahead on ties, and the n nearest of the row are
    /// among the lanes' lists.
    /// </summary>
    private readonly struct LaneLists(float* values, int* indices, int n) : ITileEpilogue
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take64(int row, Vector512<float> scores0, Vector512<float> scores1, Vector512<float> scores2,
            Vector512<float> scores3, int firstCentroid)
        {
            Vector512<int> lane = Lanes512(firstCentroid);
            Keep(row, scores0, lane);
            Keep(row, scores1, lane + Vector512.Create(16));
            Keep(row, scores2, lane + Vector512.Create(32));
            Keep(row, scores3, lane + Vector512.Create(48));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take16(int row, Vector512<float> scores, int firstCentroid) => Keep(row, scores, Lanes512(firstCentroid));

        /// <summary>The two halves map onto the same 16 lanes as the AVX-512 path.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take16(int row, Vector256<float> low, Vector256<float> high, int firstCentroid)
        {
            Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create(firstCentroid);
            KeepHalf(row, 0, low, lane);
            KeepHalf(row, 8, high, lane + Vector256.Create(8));
        }

        /// <summary>
        /// Per lane, a score below the level above moves that level's entry down, one below this level only takes
        /// its place; nothing is touched when no lane's score is below its n-th.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Keep(int row, Vector512<float> score, Vector512<int> centroid)
        {
            float* value = values + (long)row * n * Lanes;
            int* index = indices + (long)row * n * Lanes;
            Vector512<float> current = Vector512.Load(value + (n - 1) * Lanes);
            Vector512<float> belowCurrent = Vector512.LessThan(score, current);
            if (belowCurrent == Vector512<float>.Zero)
                return;
            for (int level = n - 1; level > 0; level--)
            {
                Vector512<float> upper = Vector512.Load(value + (level - 1) * Lanes);
                Vector512<float> belowUpper = Vector512.LessThan(score, upper);
                Vector512.ConditionalSelect(belowUpper, upper, Vector512.ConditionalSelect(belowCurrent, score, current))
                    .Store(value + level * Lanes);
                Vector512<int> upperIndex = Vector512.Load(index + (level - 1) * Lanes);
                Vector512<int> currentIndex = Vector512.Load(index + level * Lanes);
                Vector512.ConditionalSelect(belowUpper.AsInt32(), upperIndex,
                    Vector512.ConditionalSelect(belowCurrent.AsInt32(), centroid, currentIndex)).Store(index + level * Lanes);
                (current, belowCurrent) = (upper, belowUpper);
            }
            Vector512.ConditionalSelect(belowCurrent, score, current).Store(value);
            Vector512.ConditionalSelect(belowCurrent.AsInt32(), centroid, Vector512.Load(index)).Store(index);
        }

        /// <summary><see cref="Keep"/> on the 8 lanes from <paramref name="firstLane"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void KeepHalf(int row, int firstLane, Vector256<float> score, Vector256<int> centroid)
        {
            float* value = values + (long)row * n * Lanes + firstLane;
            int* index = indices + (long)row * n * Lanes + firstLane;
            Vector256<float> current = Vector256.Load(value + (n - 1) * Lanes);
            Vector256<float> belowCurrent = Vector256.LessThan(score, current);
            if (belowCurrent == Vector256<float>.Zero)
                return;
            for (int level = n - 1; level > 0; level--)
            {
                Vector256<float> upper = Vector256.Load(value + (level - 1) * Lanes);
                Vector256<float> belowUpper = Vector256.LessThan(score, upper);
                Vector256.ConditionalSelect(belowUpper, upper, Vector256.ConditionalSelect(belowCurrent, score, current))
                    .Store(value + level * Lanes);
                Vector256<int> upperIndex = Vector256.Load(index + (level - 1) * Lanes);
                Vector256<int> currentIndex = Vector256.Load(index + level * Lanes);
                Vector256.ConditionalSelect(belowUpper.AsInt32(), upperIndex,
                    Vector256.ConditionalSelect(belowCurrent.AsInt32(), centroid, currentIndex)).Store(index + level * Lanes);
                (current, belowCurrent) = (upper, belowUpper);
            }
            Vector256.ConditionalSelect(belowCurrent, score, current).Store(value);
            Vector256.ConditionalSelect(belowCurrent.AsInt32(), centroid, Vector256.Load(index)).Store(index);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<int> Lanes512(int firstCentroid) =>
            Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + Vector512.Create(firstCentroid);
    }

    /// <summary>Each row's <c>n</c> lowest scores so far, ascending, and their centroids.</summary>
    private readonly struct SortedLists(float* best, int* bestLabel, int n, int k) : ITileEpilogue
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take64(int row, Vector512<float> scores0, Vector512<float> scores1, Vector512<float> scores2,
            Vector512<float> scores3, int firstCentroid)
        {
            Take16(row, scores0, firstCentroid);
            Take16(row, scores1, firstCentroid + 16);
            Take16(row, scores2, firstCentroid + 32);
            Take16(row, scores3, firstCentroid + 48);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take16(int row, Vector512<float> scores, int firstCentroid)
        {
            float* list = best + (long)row * n;
            ulong below = Vector512.LessThan(scores, Vector512.Create(list[n - 1])).ExtractMostSignificantBits()
                          & Padding(firstCentroid, 16);
            if (below != 0)
                Insert(scores, (uint)below, firstCentroid, list, bestLabel + (long)row * n, n);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take16(int row, Vector256<float> low, Vector256<float> high, int firstCentroid)
        {
            float* list = best + (long)row * n;
            int* labels = bestLabel + (long)row * n;
            uint below = Vector256.LessThan(low, Vector256.Create(list[n - 1])).ExtractMostSignificantBits()
                         & (uint)Padding(firstCentroid, 8);
            if (below != 0)
                Insert(low, below, firstCentroid, list, labels, n);
            below = Vector256.LessThan(high, Vector256.Create(list[n - 1])).ExtractMostSignificantBits()
                    & (uint)Padding(firstCentroid + 8, 8);
            if (below != 0)
                Insert(high, below, firstCentroid + 8, list, labels, n);
        }

        /// <summary>The lanes of <paramref name="width"/> from <paramref name="firstCentroid"/> that hold real centroids.</summary>
        private ulong Padding(int firstCentroid, int width) =>
            k - firstCentroid >= width ? ulong.MaxValue : (1UL << Math.Max(0, k - firstCentroid)) - 1;
    }

    /// <summary>
    /// Inserts the lanes of <paramref name="scores"/> set in <paramref name="candidates"/> (those below the row's n-th
    /// when the vector arrived) into its sorted list, in centroid order; each is checked again against the n-th as it
    /// stands, which earlier insertions may have lowered.
    /// </summary>
    private static void Insert<TVector>(TVector scores, uint candidates, int firstCentroid, float* best, int* bestLabel, int n)
        where TVector : unmanaged
    {
        float* lanes = (float*)&scores;
        while (candidates != 0)
        {
            int q = BitOperations.TrailingZeroCount(candidates);
            candidates &= candidates - 1;
            Insert(lanes[q], firstCentroid + q, best, bestLabel, n);
        }
    }

    /// <summary>Puts one score into a row's sorted list if it is below the n-th; an equal score goes after (lower index first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Insert(float score, int centroid, float* best, int* bestLabel, int n)
    {
        if (!(score < best[n - 1]))
            return;
        int at = n - 1;
        while (at > 0 && score < best[at - 1])
        {
            best[at] = best[at - 1];
            bestLabel[at] = bestLabel[at - 1];
            at--;
        }
        best[at] = score;
        bestLabel[at] = centroid;
    }

    /// <summary>The ordered portable dot per pair, in the tiled paths' order (tile after tile, each row in centroid order).</summary>
    private static void AssignPortable(float* x, int count, PackedCentroids centroids, int n, float* best, int* bestLabel)
    {
        int d = centroids.Dimension;
        ReadOnlySpan<float> plain = centroids.Plain;
        for (int t = 0; t < centroids.TileCount; t++)
        {
            int firstCentroid = t * TileWidth;
            int width = Math.Min(TileWidth, centroids.K - firstCentroid);
            for (int i = 0; i < count; i++)
            {
                var row = new ReadOnlySpan<float>(x + (long)i * d, d);
                for (int c = firstCentroid; c < firstCentroid + width; c++)
                    Insert(KernelScore.Portable(row, plain.Slice(c * d, d), centroids.Norms[c]), c, best + (long)i * n, bestLabel + (long)i * n, n);
            }
        }
    }
}
