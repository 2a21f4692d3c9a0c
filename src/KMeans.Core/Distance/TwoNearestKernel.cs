using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KMeans.Core.Distance;

/// <summary>
/// The two nearest centroids of each row on the tiled paths, the case multi-probe search and spilled assignment use
/// most. Like <see cref="AssignmentKernel"/> it keeps per row 16 lanes (centroid 16·q + lane competes in lane
/// <c>lane</c>), here each with its best and second-best score, updated by comparisons and blends only:
/// <see cref="NearestKernel"/>'s sorted list per row branches on every score below the row's second, which early tiles
/// make frequent and unpredictable. The row's nearest is the best lane's first (the kernel's own reduction, so the
/// same label as <see cref="AssignmentKernel"/>); its second is the best of the other lanes' firsts and that lane's
/// second. Scores are the tiles' own, so both are what <see cref="NearestKernel"/> gives.
/// </summary>
internal static unsafe class TwoNearestKernel
{
    private const int Lanes = 16;

    /// <summary>Per-thread memory for a block of <paramref name="rows"/> rows: each lane's two best scores and centroids.</summary>
    public sealed class Scratch(int rows)
    {
        public float[] Values { get; } = new float[rows * 2 * Lanes];

        public int[] Indices { get; } = new int[rows * 2 * Lanes];
    }

    /// <summary>
    /// For each of <paramref name="count"/> rows, its two lowest scores (‖c‖² − 2·x·c) in ascending order, ties to the
    /// lower index, and their centroids, row-major in pairs; <paramref name="wide"/> selects AVX-512, else AVX2. With
    /// <paramref name="thirds"/>, a score at or below each row's third-lowest too (+∞ when K = 2), for
    /// <see cref="NearTies.SettleLists"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Assign(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, Span<int> labels,
        Span<float> scores, Scratch scratch, bool wide, Span<float> thirds = default)
    {
        if (centroids.K < 2)
            throw new ArgumentOutOfRangeException(nameof(centroids), centroids.K, "Two nearest centroids need at least two.");
        Span<float> values = scratch.Values.AsSpan(0, count * 2 * Lanes);
        Span<int> indices = scratch.Indices.AsSpan(0, count * 2 * Lanes);
        values.Fill(float.PositiveInfinity);
        indices.Clear();
        rows = centroids.RowsForTiles(rows, count, wide);
        fixed (float* x = rows)
        fixed (float* value = values)
        fixed (int* index = indices)
        {
            var lanes = new BestTwoPerLane(value, index);
            RegisterTiles.Run(x, count, centroids, wide, everyQuarter: false, ref lanes);
            for (int i = 0; i < count; i++)
            {
                float* first = value + i * 2 * Lanes;
                int* firstIndex = index + i * 2 * Lanes;
                AssignmentKernel.ReduceLanes(first, firstIndex, out scores[2 * i], out labels[2 * i]);
                // The nearest leaves its lane; that lane's second takes its place among the candidates for the second.
                int lane = labels[2 * i] % Lanes;
                first[lane] = first[Lanes + lane];
                firstIndex[lane] = firstIndex[Lanes + lane];
                AssignmentKernel.ReduceLanes(first, firstIndex, out scores[2 * i + 1], out labels[2 * i + 1]);
                if (thirds.IsEmpty)
                    continue;
                // Likewise the second leaves its lane. Where both came from one lane, its third is unknown, and the
                // row's second stands in for it: a bound at or below it, which leaves the row for NearTies to rank (one
                // row in 16 or so; scoring the lane's other centroids one by one cost more than that).
                int secondLane = labels[2 * i + 1] % Lanes;
                if (secondLane != lane)
                    first[secondLane] = first[Lanes + secondLane];
                float third = float.PositiveInfinity;
                for (int l = 0; l < Lanes; l++)
                    third = Math.Min(third, first[l]);
                thirds[i] = third;
            }
        }
    }

    /// <summary>
    /// Per row, 16 lanes of best score and centroid followed by 16 lanes of second best. Centroids reach a lane in
    /// ascending order, so strict comparisons keep the lower index ahead on ties.
    /// </summary>
    private readonly struct BestTwoPerLane(float* values, int* indices) : ITileEpilogue
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take64(int row, Vector512<float> scores0, Vector512<float> scores1, Vector512<float> scores2,
            Vector512<float> scores3, int firstCentroid)
        {
            float* value = values + row * 2 * Lanes;
            int* index = indices + row * 2 * Lanes;
            Vector512<float> best = Vector512.Load(value);
            Vector512<int> bestIndex = Vector512.Load(index);
            Vector512<float> second = Vector512.Load(value + Lanes);
            Vector512<int> secondIndex = Vector512.Load(index + Lanes);
            Vector512<int> lane = Lanes512(firstCentroid);
            Keep(scores0, lane, ref best, ref bestIndex, ref second, ref secondIndex);
            Keep(scores1, lane + Vector512.Create(16), ref best, ref bestIndex, ref second, ref secondIndex);
            Keep(scores2, lane + Vector512.Create(32), ref best, ref bestIndex, ref second, ref secondIndex);
            Keep(scores3, lane + Vector512.Create(48), ref best, ref bestIndex, ref second, ref secondIndex);
            best.Store(value);
            bestIndex.Store(index);
            second.Store(value + Lanes);
            secondIndex.Store(index + Lanes);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take16(int row, Vector512<float> scores, int firstCentroid)
        {
            float* value = values + row * 2 * Lanes;
            int* index = indices + row * 2 * Lanes;
            Vector512<float> best = Vector512.Load(value);
            Vector512<int> bestIndex = Vector512.Load(index);
            Vector512<float> second = Vector512.Load(value + Lanes);
            Vector512<int> secondIndex = Vector512.Load(index + Lanes);
            Keep(scores, Lanes512(firstCentroid), ref best, ref bestIndex, ref second, ref secondIndex);
            best.Store(value);
            bestIndex.Store(index);
            second.Store(value + Lanes);
            secondIndex.Store(index + Lanes);
        }

        /// <summary>The two halves map onto the same 16 lanes as the AVX-512 path.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take16(int row, Vector256<float> low, Vector256<float> high, int firstCentroid)
        {
            float* value = values + row * 2 * Lanes;
            int* index = indices + row * 2 * Lanes;
            Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create(firstCentroid);
            KeepHalf(low, lane, value, index);
            KeepHalf(high, lane + Vector256.Create(8), value + 8, index + 8);
        }
    }

    /// <summary>
    /// Per lane: a score below the best pushes the best down to second; one below the second only replaces it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep(Vector512<float> score, Vector512<int> centroid, ref Vector512<float> best,
        ref Vector512<int> bestIndex, ref Vector512<float> second, ref Vector512<int> secondIndex)
    {
        Vector512<float> belowBest = Vector512.LessThan(score, best);
        Vector512<float> belowSecond = Vector512.LessThan(score, second);
        second = Vector512.ConditionalSelect(belowBest, best, Vector512.ConditionalSelect(belowSecond, score, second));
        secondIndex = Vector512.ConditionalSelect(belowBest.AsInt32(), bestIndex,
            Vector512.ConditionalSelect(belowSecond.AsInt32(), centroid, secondIndex));
        best = Vector512.ConditionalSelect(belowBest, score, best);
        bestIndex = Vector512.ConditionalSelect(belowBest.AsInt32(), centroid, bestIndex);
    }

    /// <summary><see cref="Keep"/> on 8 lanes whose best is at <paramref name="value"/> and second 16 floats further.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KeepHalf(Vector256<float> score, Vector256<int> centroid, float* value, int* index)
    {
        Vector256<float> best = Vector256.Load(value);
        Vector256<int> bestIndex = Vector256.Load(index);
        Vector256<float> second = Vector256.Load(value + Lanes);
        Vector256<int> secondIndex = Vector256.Load(index + Lanes);
        Vector256<float> belowBest = Vector256.LessThan(score, best);
        Vector256<float> belowSecond = Vector256.LessThan(score, second);
        Vector256.ConditionalSelect(belowBest, best, Vector256.ConditionalSelect(belowSecond, score, second)).Store(value + Lanes);
        Vector256.ConditionalSelect(belowBest.AsInt32(), bestIndex,
            Vector256.ConditionalSelect(belowSecond.AsInt32(), centroid, secondIndex)).Store(index + Lanes);
        Vector256.ConditionalSelect(belowBest, score, best).Store(value);
        Vector256.ConditionalSelect(belowBest.AsInt32(), centroid, bestIndex).Store(index);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Lanes512(int firstCentroid) =>
        Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + Vector512.Create(firstCentroid);
}
