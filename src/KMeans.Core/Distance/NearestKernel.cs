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
    public static void Assign(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, int n, Span<int> labels,
        Span<float> scores, KernelPath path)
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
            if (n <= MaxLaneListLength)
            {
                AssignByLanes(x, count, centroids, n, wide, best, bestLabel);
                return;
            }
            var lists = new SortedLists(best, bestLabel, n, centroids.K);
            RegisterTiles.Run(x, count, centroids, wide, everyQuarter: false, ref lists);
        }
    }

    /// <summary>Up to this many nearest, each of the 16 lanes keeps a sorted list of its own (<see cref="LaneLists"/>).</summary>
    private const int MaxLaneListLength = 4;

    private const int Lanes = 16;

    /// <summary>
    /// The tiles with <see cref="LaneLists"/>, then each row's n lowest of its 16 lanes' lists, by score and then
    /// index: the n lowest (score, index) pairs of the row, as <see cref="SortedLists"/> keeps them.
    /// </summary>
    private static void AssignByLanes(float* x, int count, PackedCentroids centroids, int n, bool wide, float* best,
        int* bestLabel)
    {
        int length = count * n * Lanes;
        float[] laneScores = ArrayPool<float>.Shared.Rent(length);
        int[] laneLabels = ArrayPool<int>.Shared.Rent(length);
        try
        {
            laneScores.AsSpan(0, length).Fill(float.PositiveInfinity);
            laneLabels.AsSpan(0, length).Fill(-1);
            fixed (float* laneScore = laneScores)
            fixed (int* laneLabel = laneLabels)
            {
                var lists = new LaneLists(laneScore, laneLabel, n);
                RegisterTiles.Run(x, count, centroids, wide, everyQuarter: false, ref lists);
                Span<int> heads = stackalloc int[Lanes];
                for (int i = 0; i < count; i++)
                    MergeLanes(laneScore + (long)i * n * Lanes, laneLabel + (long)i * n * Lanes, n, heads,
                        best + (long)i * n, bestLabel + (long)i * n);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(laneScores);
            ArrayPool<int>.Shared.Return(laneLabels);
        }
    }

    /// <summary>Takes the n lowest (score, index) pairs from a row's lane lists (level-major: level·16 + lane); +∞ entries are empty.</summary>
    private static void MergeLanes(float* laneScore, int* laneLabel, int n, Span<int> heads, float* best, int* bestLabel)
    {
        heads.Clear();
        for (int r = 0; r < n; r++)
        {
            int pick = -1;
            float score = float.PositiveInfinity;
            int label = int.MaxValue;
            for (int lane = 0; lane < Lanes; lane++)
            {
                if (heads[lane] == n)
                    continue;
                int at = heads[lane] * Lanes + lane;
                if (laneScore[at] < score || (laneScore[at] == score && laneScore[at] < float.PositiveInfinity && laneLabel[at] < label))
                {
                    pick = lane;
                    score = laneScore[at];
                    label = laneLabel[at];
                }
            }
            if (pick < 0)
                return;
            heads[pick]++;
            best[r] = score;
            bestLabel[r] = label;
        }
    }

    /// <summary>
    /// Per row and lane, the n lowest scores so far, ascending, of the centroids that compete in that lane (centroid
    /// firstCentroid + 16·q + lane in lane <c>lane</c>): a new score goes in at the first level it is strictly below
    /// and every level from there takes the one above it, so equal scores keep their arrival order, which is centroid
    /// order. The levels it is below are the deeper ones, the list being sorted, so each level needs only its own
    /// comparison with the new score.
    /// </summary>
    private readonly struct LaneLists(float* laneScore, int* laneLabel, int n) : ITileEpilogue
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
            float* value = laneScore + (long)row * n * Lanes;
            int* label = laneLabel + (long)row * n * Lanes;
            Vector512<float> score = scores;
            // Below no lane's last level: the lists stay as they are (after the first tiles, nearly always).
            if (!Vector512.LessThanAny(score, Vector512.Load(value + (n - 1) * Lanes)))
                return;
            Vector512<int> centroid = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + Vector512.Create(firstCentroid);
            Vector512<float> above = score, aboveBelow = Vector512<float>.Zero;
            Vector512<int> aboveLabel = centroid;
            for (int level = 0; level < n; level++, value += Lanes, label += Lanes)
            {
                Vector512<float> kept = Vector512.Load(value);
                Vector512<int> keptLabel = Vector512.Load(label);
                Vector512<float> below = Vector512.LessThan(score, kept);
                Vector512.ConditionalSelect(below, Vector512.ConditionalSelect(aboveBelow, above, score), kept).Store(value);
                Vector512.ConditionalSelect(below.AsInt32(), Vector512.ConditionalSelect(aboveBelow.AsInt32(), aboveLabel, centroid), keptLabel).Store(label);
                above = kept;
                aboveLabel = keptLabel;
                aboveBelow = below;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take16(int row, Vector256<float> low, Vector256<float> high, int firstCentroid)
        {
            float* value = laneScore + (long)row * n * Lanes;
            int* label = laneLabel + (long)row * n * Lanes;
            Vector256<int> centroid = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create(firstCentroid);
            TakeHalf(low, centroid, value, label);
            TakeHalf(high, centroid + Vector256.Create(8), value + 8, label + 8);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void TakeHalf(Vector256<float> score, Vector256<int> centroid, float* value, int* label)
        {
            if (!Vector256.LessThanAny(score, Vector256.Load(value + (n - 1) * Lanes)))
                return;
            Vector256<float> above = score, aboveBelow = Vector256<float>.Zero;
            Vector256<int> aboveLabel = centroid;
            for (int level = 0; level < n; level++, value += Lanes, label += Lanes)
            {
                Vector256<float> kept = Vector256.Load(value);
                Vector256<int> keptLabel = Vector256.Load(label);
                Vector256<float> below = Vector256.LessThan(score, kept);
                Vector256.ConditionalSelect(below, Vector256.ConditionalSelect(aboveBelow, above, score), kept).Store(value);
                Vector256.ConditionalSelect(below.AsInt32(), Vector256.ConditionalSelect(aboveBelow.AsInt32(), aboveLabel, centroid), keptLabel).Store(label);
                above = kept;
                aboveLabel = keptLabel;
                aboveBelow = below;
            }
        }
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
