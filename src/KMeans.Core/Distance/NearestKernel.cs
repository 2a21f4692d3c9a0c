using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
            var lists = new SortedLists(best, bestLabel, n, centroids.K);
            RegisterTiles.Run(x, count, centroids, wide: path == KernelPath.Avx512, everyQuarter: false, ref lists);
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
        if (n == VectorList && Avx2.IsSupported)
        {
            InsertInVector(score, centroid, best, bestLabel);
            return;
        }
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

    /// <summary>The list length kept in one 256-bit vector: eight, the candidates per row of balancing's cache.</summary>
    private const int VectorList = 8;

    /// <summary>
    /// <see cref="Insert(float, int, float*, int*, int)"/> for a list of <see cref="VectorList"/>, without branches: the
    /// entries above the score (a suffix, the list being sorted) move one lane up and the first of them takes the score.
    /// The scalar shifting loop mispredicted at every insertion, and the first tiles insert a few dozen per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InsertInVector(float score, int centroid, float* best, int* bestLabel)
    {
        Vector256<int> up = Vector256.Create(0, 0, 1, 2, 3, 4, 5, 6);
        Vector256<float> list = Avx.LoadVector256(best);
        Vector256<int> labels = Avx.LoadVector256(bestLabel);
        Vector256<float> shifted = Avx2.PermuteVar8x32(list, up);
        Vector256<int> shiftedLabels = Avx2.PermuteVar8x32(labels, up);
        Vector256<float> value = Vector256.Create(score);
        Vector256<float> above = Vector256.GreaterThan(list, value);
        Vector256<float> belowAbove = Vector256.GreaterThan(shifted, value) & NotFirstLane;
        Vector256<float> taken = Vector256.ConditionalSelect(belowAbove, shifted, Vector256.ConditionalSelect(above, value, list));
        Vector256<int> takenLabels = Vector256.ConditionalSelect(belowAbove.AsInt32(), shiftedLabels,
            Vector256.ConditionalSelect(above.AsInt32(), Vector256.Create(centroid), labels));
        Avx.Store(best, taken);
        Avx.Store(bestLabel, takenLabels);
    }

    private static Vector256<float> NotFirstLane => Vector256.Create(0, -1, -1, -1, -1, -1, -1, -1).AsSingle();

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
