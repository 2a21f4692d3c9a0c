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
/// The tiled paths share <see cref="RegisterTiles"/> with the kernel. Up to a few thousand centroids every score of a
/// row is kept and its n lowest chosen once the tiles are done (<see cref="LowestScores"/>); beyond, a row's sorted
/// list is touched only for the scores below its current <c>n</c>-th, which after the first tiles are few. Either way
/// the cost stays close to the kernel's.
/// </summary>
internal static unsafe class NearestKernel
{
    private const int TileWidth = PackedCentroids.TileWidth;

    /// <summary>
    /// For each of <paramref name="count"/> rows, the <paramref name="n"/> lowest scores (‖c‖² − 2·x·c) in ascending
    /// order, ties to the lower index, and their centroids.
    /// </summary>
    /// <param name="fromAllScores">
    /// Take the lists from every score of each row or keep them sorted per row; by default as
    /// <see cref="ListsFromAllScores"/> says.
    /// </param>
    // Fully optimized from the first call: balancing calls it a few hundred times per training at most, and in a fresh
    // process the lists' helpers ran at tier 0, not inlined (perf, the skewed mixture at 1.2).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Assign(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, int n, Span<int> labels,
        Span<float> scores, KernelPath path, bool? fromAllScores = null)
    {
        labels.Slice(0, count * n).Fill(-1);
        scores.Slice(0, count * n).Fill(float.PositiveInfinity);
        rows = path == KernelPath.Portable ? centroids.RowsRelative(rows, count) : centroids.RowsForTiles(rows, count, path == KernelPath.Avx512);
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
            if (fromAllScores ?? ListsFromAllScores(centroids.K, n))
            {
                AssignFromAllScores(x, count, centroids, n, best, bestLabel, wide);
                return;
            }
            var lists = new SortedLists(best, bestLabel, n, centroids.K);
            RegisterTiles.Run(x, count, centroids, wide, everyQuarter: false, ref lists);
        }
    }

    /// <summary>The scores a row of <see cref="ScoreAll"/> holds: K rounded up to whole vectors, the padding +∞.</summary>
    public static int ScoreStride(int k) => (k + LowestScores.Lanes - 1) / LowestScores.Lanes * LowestScores.Lanes;

    /// <summary>
    /// Every score of each of <paramref name="count"/> rows, row i's <see cref="ScoreStride"/> values from
    /// <c>i · ScoreStride</c>, exactly as the tiled kernels form them (a tiled path only).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScoreAll(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, Span<float> scores, KernelPath path)
    {
        if (path == KernelPath.Portable)
            throw new ArgumentException("Scores of every centroid come from the tiled kernels only.", nameof(path));
        int stride = ScoreStride(centroids.K);
        if (scores.Length < count * stride)
            throw new ArgumentException($"Expected room for {count} × {stride} scores, got {scores.Length}.", nameof(scores));
        rows = centroids.RowsForTiles(rows, count, path == KernelPath.Avx512);
        fixed (float* x = rows)
        fixed (float* all = scores)
        {
            var rowScores = new RowScores(all, stride);
            RegisterTiles.Run(x, count, centroids, path == KernelPath.Avx512, everyQuarter: false, ref rowScores);
        }
    }

    /// <summary>
    /// Whether the lists come from every score of each row (<see cref="AssignFromAllScores"/>) or are kept sorted per
    /// row while the tiles run (<see cref="SortedLists"/>). Every score of a block takes K × 4 bytes per row (3 MiB for
    /// a block of 192 rows at <see cref="MostCentroidsScored"/>); at larger K a row's n-th soon rejects a whole vector
    /// of scores with one compare, and the sorted lists cost little more than
    /// the two-nearest kernel (`nearest-lists` bench, 1 thread, ÷ the two-nearest kernel's time, all scores / sorted:
    /// K = 256, n = 8: 1.42 / 3.05; K = 4,096, n = 8: 1.06 / 1.27; K = 16,384, n = 8: 1.12 / 1.07). Lists longer than
    /// <see cref="LowestScores.RankedCandidates"/>'s half would outgrow the bound's 32 values.
    /// </summary>
    public static bool ListsFromAllScores(int k, int n) => n <= LowestScores.RankedCandidates / 2 && k <= MostCentroidsScored;

    private const int MostCentroidsScored = 4_096;

    /// <summary>
    /// The n nearest from every score of each row, kept by <see cref="RowScores"/> while the tiles run, then chosen
    /// per row by <see cref="LowestScores"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AssignFromAllScores(float* x, int count, PackedCentroids centroids, int n, float* best, int* bestLabel,
        bool wide)
    {
        int stride = ScoreStride(centroids.K);
        int scratch = LowestScores.ScratchLength(stride);
        float[] buffer = ArrayPool<float>.Shared.Rent(count * stride + 2 * scratch);
        try
        {
            fixed (float* scores = buffer)
            {
                var rowScores = new RowScores(scores, stride);
                RegisterTiles.Run(x, count, centroids, wide, everyQuarter: false, ref rowScores);
                float* values = scores + (long)count * stride;
                int* candidates = (int*)(values + scratch);
                for (int i = 0; i < count; i++)
                {
                    LowestScores.Select(scores + (long)i * stride, null, stride / LowestScores.Lanes, n, best + (long)i * n,
                        bestLabel + (long)i * n, values, candidates);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Every score of each row, row i's at <c>i · stride</c> in centroid order, for <see cref="LowestScores"/>. The tiles
    /// hand on every vector up to the last real centroid, whose padding lanes score +∞ (their norms are).
    /// </summary>
    private readonly struct RowScores(float* scores, int stride) : ITileEpilogue
    {
        /// <remarks>A row holds its scores up to the last real centroid's vector: a whole tile of fewer centroids (see
        /// <see cref="RegisterTiles"/>) hands on vectors of padding beyond it, which are left out.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take64(int row, Vector512<float> scores0, Vector512<float> scores1, Vector512<float> scores2,
            Vector512<float> scores3, int firstCentroid)
        {
            float* at = scores + (long)row * stride + firstCentroid;
            int room = stride - firstCentroid;
            scores0.Store(at);
            scores1.Store(at + LowestScores.Lanes);
            if (room > 2 * LowestScores.Lanes)
                scores2.Store(at + 2 * LowestScores.Lanes);
            if (room > 3 * LowestScores.Lanes)
                scores3.Store(at + 3 * LowestScores.Lanes);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take16(int row, Vector512<float> scores16, int firstCentroid) =>
            scores16.Store(scores + (long)row * stride + firstCentroid);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take16(int row, Vector256<float> low, Vector256<float> high, int firstCentroid)
        {
            float* at = scores + (long)row * stride + firstCentroid;
            low.Store(at);
            high.Store(at + LowestScores.Lanes / 2);
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
    internal static void Insert(float score, int centroid, float* best, int* bestLabel, int n)
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
        Span<float> centroid = new float[d];
        // Centroid by centroid, each taken as the kernel scores it once; every row still sees them in order.
        for (int c = 0; c < centroids.K; c++)
        {
            centroids.CopyScored(c, centroid);
            for (int i = 0; i < count; i++)
            {
                var row = new ReadOnlySpan<float>(x + (long)i * d, d);
                Insert(KernelScore.Portable(row, centroid, centroids.Norms[c]), c, best + (long)i * n, bestLabel + (long)i * n, n);
            }
        }
    }
}
