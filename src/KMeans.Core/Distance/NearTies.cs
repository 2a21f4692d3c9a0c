using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using KMeans.Core.Numerics;

namespace KMeans.Core.Distance;

/// <summary>
/// The exact nearest centroids of rows whose float scores cannot tell them. The kernels compare L2 scores in expanded
/// form, ‖c‖² − 2·x·c, whose rounding scales with the norms rather than with the distances: where one dimension's
/// range dwarfs the gaps between neighbours (2,000 rows of 32 values, one spread over 0–20,000, as their own
/// centroids), a row's own copy scored tens above another centroid 79 away, and 266 of the 2,000 rows went elsewhere.
/// Every score lies within E of its exact value (below), so a row with no other score within 2·E of its lowest has its
/// nearest for certain; for the others the centroids within 2·E of the lowest are ranked by their exact ‖x − c‖²
/// (<see cref="ExactDistanceOrder"/>), ties to the lower index. The kernel's lanes name those centroids unless two of
/// them share a lane; only then is the row scored against every centroid once more.
/// </summary>
/// <remarks>
/// The bound, with ε = 2⁻²⁴, C² the largest norm term of the packing and X ≥ ‖x − m‖ (the row as the kernels take it):
/// the dot product of d fused multiply-adds is off by at most γ_d·X·C, the float norm term by γ_d·C², and the fused
/// −2·dot + ‖c‖² rounds once more, so a score is off by at most γ_{d+2}·(C² + 2·X·C), plus (d + 1)·2⁻¹⁴⁷ for products
/// that underflow (the argument of <see cref="Training.SkipBounds"/>). With an offset m the kernels score x − m and
/// c − m rounded to float, points within ε·X and ε·C of the given ones, which moves each squared distance by at most
/// 2ε·(1 + ε)·(X + C)²: 3ε·(X + C)² is added then. The bound is a worst case, some 30 times the usual error at
/// d = 1,024: uncertain rows are 0.3 % of W1's and 5 % of W2's with rows for centroids, fewer with trained ones.
/// </remarks>
internal static unsafe class NearTies
{
    private const int Lanes = 16;

    /// <summary>Rows scored against every centroid at once: their scores take at most this many floats (4 MiB).</summary>
    private const int ScoresAtOnce = 1 << 20;

    /// <summary>
    /// Settles the tiled kernel's choice from its lanes: centroid 16·q + lane competed in lane <c>lane</c>, which kept
    /// its lowest score (<paramref name="laneBest"/>, of centroid <paramref name="laneCentroid"/>) and its second-lowest
    /// (<paramref name="laneSecond"/>), 16 per row. A row whose lowest score is alone within 2·E keeps its label; else
    /// it gets the exact nearest centroid and that centroid's float score.
    /// </summary>
    /// <param name="rows">The rows as given to the kernel, not less the offset.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Settle(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, Span<int> labels,
        Span<float> scores, float* laneBest, int* laneCentroid, float* laneSecond, float* rowSquares, KernelPath path)
    {
        if (!centroids.SettlesNearTies || centroids.K < 2)
            return;
        using var work = new Work(count, centroids);
        work.TakeRowSquares(rows, rowSquares, count);
        int d = centroids.Dimension;
        int unresolved = 0;
        for (int i = 0; i < count; i++)
        {
            double gap = (double)SecondOfRow(laneBest + i * Lanes, laneSecond + i * Lanes, labels[i] % Lanes) - scores[i];
            // Most rows end here, beyond a margin that needs no square root.
            if (gap > work.MarginOfAny(i))
                continue;
            double margin = work.MarginOf(i, centroids.Norms[labels[i]]);
            // A NaN or infinite second-lowest score ends here too.
            if (!(gap <= margin) || !double.IsFinite(margin + scores[i]))
                continue;
            // In float, rounded up: a score at or below the double limit is at or below this one.
            float limit = (float)((double)scores[i] + margin);
            if (limit < scores[i] + margin)
                limit = MathF.BitIncrement(limit);
            uint withinBest = Within(laneBest + i * Lanes, limit), withinSecond = Within(laneSecond + i * Lanes, limit);
            if (withinSecond != 0)
            {
                work.Defer(i, margin, unresolved++);
                continue;
            }
            ReadOnlySpan<float> row = rows.Slice(i * d, d);
            int nearest = -1;
            double least = double.PositiveInfinity;
            for (; withinBest != 0; withinBest &= withinBest - 1)
            {
                int lane = BitOperations.TrailingZeroCount(withinBest);
                int centroid = laneCentroid[i * Lanes + lane];
                double distance = ExactDistanceOrder.InDouble(row, centroids, centroid);
                if (nearest < 0 || ExactDistanceOrder.Nearer(row, centroids, centroid, distance, labels[i], least))
                {
                    nearest = lane;
                    least = distance;
                    labels[i] = centroid;
                }
            }
            scores[i] = laneBest[i * Lanes + nearest];
        }
        SettleDeferred(rows, unresolved, centroids, labels, scores, work, path);
    }

    /// <summary>
    /// Settles the choice from each row's second-lowest score (<paramref name="seconds"/>) alone, as the portable
    /// kernel keeps it: a row with its second within 2·E of its lowest is scored against every centroid once more.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Settle(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, Span<int> labels,
        Span<float> scores, ReadOnlySpan<float> seconds, KernelPath path)
    {
        if (!centroids.SettlesNearTies || centroids.K < 2)
            return;
        using var work = new Work(count, centroids);
        int found = work.FindUncertain(rows, count, labels, scores, 1, seconds);
        SettleDeferred(rows, found, centroids, labels, scores, work, path);
    }

    /// <summary>
    /// Settles lists of the <paramref name="n"/> nearest (n ≥ 2, row-major, ascending by score), given for each row a
    /// score at or below its (n + 1)-th lowest (<paramref name="nexts"/>; +∞ when n = K). A row whose consecutive
    /// scores, that bound included, all lie more than 2·E apart has its exact n nearest in exact order already; any
    /// other gets the exact n nearest among the centroids within 2·E of its n-th, nearest first, each with its float
    /// score. Its first is what <see cref="Settle(ReadOnlySpan{float}, int, PackedCentroids, Span{int}, Span{float}, float*, int*, float*, float*, KernelPath)"/>
    /// gives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SettleLists(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, int n, Span<int> labels,
        Span<float> scores, ReadOnlySpan<float> nexts, KernelPath path)
    {
        if (!centroids.SettlesNearTies || centroids.K < 2 || n < 2)
            return;
        using var work = new Work(count, centroids);
        int found = work.FindUncertain(rows, count, labels, scores, n, nexts);
        var candidates = new List<(double Distance, int Centroid)>();
        for (int first = 0; first < found; first += work.BatchRows)
        {
            int taken = work.ScoreBatch(rows, first, found, path);
            for (int p = 0; p < taken; p++)
            {
                int i = work.Row(first + p);
                double limit = (double)scores[i * n + n - 1] + work.Margin(first + p);
                ReadOnlySpan<float> row = work.BatchRow(p), rowScores = work.BatchScores(p);
                candidates.Clear();
                for (int c = 0; c < centroids.K; c++)
                {
                    if (rowScores[c] <= limit)
                        candidates.Add((ExactDistanceOrder.InDouble(row, centroids, c), c));
                }
                float[] values = row.ToArray();
                candidates.Sort((a, b) => a.Centroid == b.Centroid ? 0
                    : ExactDistanceOrder.Nearer(values, centroids, a.Centroid, a.Distance, b.Centroid, b.Distance) ? -1 : 1);
                for (int r = 0; r < n && r < candidates.Count; r++)
                {
                    labels[i * n + r] = candidates[r].Centroid;
                    scores[i * n + r] = rowScores[candidates[r].Centroid];
                }
            }
        }
    }

    /// <summary>Each deferred row: scored against every centroid, the nearest of those within 2·E of its lowest.</summary>
    private static void SettleDeferred(ReadOnlySpan<float> rows, int found, PackedCentroids centroids, Span<int> labels,
        Span<float> scores, Work work, KernelPath path)
    {
        for (int first = 0; first < found; first += work.BatchRows)
        {
            int taken = work.ScoreBatch(rows, first, found, path);
            for (int p = 0; p < taken; p++)
            {
                int i = work.Row(first + p);
                double limit = (double)scores[i] + work.Margin(first + p);
                ReadOnlySpan<float> row = work.BatchRow(p), rowScores = work.BatchScores(p);
                int nearest = -1;
                double least = double.PositiveInfinity;
                for (int c = 0; c < centroids.K; c++)
                {
                    if (!(rowScores[c] <= limit))
                        continue;
                    double distance = ExactDistanceOrder.InDouble(row, centroids, c);
                    if (nearest < 0 || ExactDistanceOrder.Nearer(row, centroids, c, distance, nearest, least))
                    {
                        nearest = c;
                        least = distance;
                    }
                }
                labels[i] = nearest;
                scores[i] = rowScores[nearest];
            }
        }
    }

    /// <summary>
    /// A row's second-lowest score from its 16 lanes: the least of the other lanes' best and the winning lane's second
    /// (a lane tied with the winner gives the winner's own score). The tiled paths run on AVX machines only, so the
    /// native minimum serves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SecondOfRow(float* best, float* second, int winningLane)
    {
        Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), winner = Vector256.Create(winningLane);
        Vector256<float> low = Vector256.ConditionalSelect(Vector256.Equals(lane, winner).AsSingle(),
            Vector256.Load(second), Vector256.Load(best));
        Vector256<float> high = Vector256.ConditionalSelect(Vector256.Equals(lane + Vector256.Create(8), winner).AsSingle(),
            Vector256.Load(second + 8), Vector256.Load(best + 8));
        Vector256<float> least = Avx.Min(low, high);
        least = Avx.Min(least, Avx.Permute2x128(least, least, 1));
        least = Avx.Min(least, Avx.Permute(least, 0b01_00_11_10));
        return Avx.Min(least, Avx.Permute(least, 0b10_11_00_01)).ToScalar();
    }

    /// <summary>The lanes of <paramref name="values"/> (16) at or below <paramref name="limit"/>, as bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Within(float* values, float limit)
    {
        Vector256<float> bound = Vector256.Create(limit);
        return Vector256.LessThanOrEqual(Vector256.Load(values), bound).ExtractMostSignificantBits()
               | Vector256.LessThanOrEqual(Vector256.Load(values + 8), bound).ExtractMostSignificantBits() << 8;
    }

    /// <summary>
    /// One call's bound, its rows left for scoring against every centroid with their margins, and the pooled memory
    /// that scores them a bounded batch at a time.
    /// </summary>
    private sealed class Work : IDisposable
    {
        private readonly PackedCentroids _centroids;
        private readonly int _stride;
        private readonly int[] _rows;
        private readonly double[] _margins;
        private readonly AnyCentroidMargin _margin;
        private readonly double _rowWidening;
        private readonly double _rowUnderflow;
        private readonly double[] _rowNorms;
        private float[]? _gathered;
        private float[]? _scores;

        [ThreadStatic]
        private static int[]? t_rows;

        [ThreadStatic]
        private static double[]? t_margins;

        [ThreadStatic]
        private static double[]? t_rowNorms;

        public Work(int count, PackedCentroids centroids)
        {
            _centroids = centroids;
            _stride = NearestKernel.ScoreStride(centroids.K);
            BatchRows = Math.Max(1, Math.Min(count, ScoresAtOnce / _stride));
            // The thread's own arrays: a pass settles every block of 192 rows or so, and renting three arrays from the
            // shared pool each time took a fifth of settling W1's rows.
            _rows = t_rows is { } rows && rows.Length >= count ? rows : t_rows = new int[count];
            _margins = t_margins is { } margins && margins.Length >= count ? margins : t_margins = new double[count];
            _rowNorms = t_rowNorms is { } norms && norms.Length >= count ? norms : t_rowNorms = new double[count];
            int d = centroids.Dimension;
            _margin = new AnyCentroidMargin(centroids);
            _rowWidening = 1 + FloatRounding.Gamma(d + 4);
            _rowUnderflow = Math.Sqrt(NormUnderflow(d));
        }

        public int BatchRows { get; }

        /// <summary>The block's index of the <paramref name="position"/>-th row left.</summary>
        public int Row(int position) => _rows[position];

        /// <summary>2·E for the <paramref name="position"/>-th row left.</summary>
        public double Margin(int position) => _margins[position];

        /// <summary>Leaves row <paramref name="row"/> for scoring against every centroid, as the <paramref name="position"/>-th.</summary>
        public void Defer(int row, double margin, int position)
        {
            _rows[position] = row;
            _margins[position] = margin;
        }

        /// <summary>
        /// 2·E for the <paramref name="row"/>-th row <see cref="MeasureRows"/> measured, whose kernel's nearest (the
        /// farthest of a list) has the norm term <paramref name="nearestNormTerm"/>: twice the most the score of any
        /// centroid that could be nearer can be off. Not finite for a row holding a NaN or an infinity, which is left as
        /// the kernel scored it.
        /// </summary>
        /// <remarks>
        /// A centroid c at least as near as the kernel's choice a lies within ‖x − a‖ of x, so
        /// ‖c − m‖ ≤ ‖x − m‖ + ‖x − a‖ ≤ 2·‖x − m‖ + ‖a − m‖: that bounds C, rather than the largest centroid norm, and
        /// one far centroid (a cluster of zero rows among data far from the origin) no longer widens every row's
        /// margin (it made 32,768 rows' assignment 12 to 22 times slower). Centroids beyond it cannot be nearer,
        /// whatever their scores.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double MarginOf(int row, float nearestNormTerm)
        {
            double rowNorm = _rowNorms[row];
            return _margin.Against(rowNorm, Math.Min(_margin.LargestCentroidNorm,
                (2 * rowNorm + CentroidNorm(nearestNormTerm, _centroids.Dimension)) * (1 + 4 * FloatRounding.UnitRoundoff)));
        }

        /// <summary>
        /// <see cref="MarginOf"/> for the largest centroid norm, at or above it whatever the nearest centroid (every
        /// step rounds monotonically), and without its square root: a gap beyond it settles the row at less cost.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double MarginOfAny(int row) => _margin.Of(_rowNorms[row]);

        /// <summary>
        /// A bound on ‖x − m‖ for each of <paramref name="count"/> rows, which <see cref="MarginOf"/> takes: the offset
        /// is all zeros where there is none, so the rows' distance to it serves either way, each difference rounded to
        /// float as the kernels take it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void MeasureRows(ReadOnlySpan<float> rows, int count)
        {
            int d = _centroids.Dimension;
            ReadOnlySpan<float> offset = _centroids.Offset;
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<float> row = rows.Slice(i * d, d);
                _rowNorms[i] = NormOf(SquaredDistance.Of(row, offset), row, offset);
            }
        }

        /// <summary>
        /// <see cref="MeasureRows"/> from the rows' squared distances to the offset as the tiles measured them
        /// (<see cref="RegisterTiles.Run"/>), while the rows were in the first-level cache: measured here, the block
        /// came from the second level, which took W2's settling half its time.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void TakeRowSquares(ReadOnlySpan<float> rows, float* squares, int count)
        {
            int d = _centroids.Dimension;
            for (int i = 0; i < count; i++)
                _rowNorms[i] = NormOf(squares[i], rows.Slice(i * d, d), _centroids.Offset);
        }

        /// <summary>
        /// A bound on ‖x − m‖ from the float sum of its squared differences (in any order, which the widening covers),
        /// or from a sum in double where that overflowed.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private double NormOf(float squared, ReadOnlySpan<float> row, ReadOnlySpan<float> offset)
        {
            double norm = float.IsFinite(squared) ? squared : WideSquaredDistance(row, offset);
            return Math.Sqrt(norm) * _rowWidening + _rowUnderflow;
        }


        /// <summary>
        /// ‖x − m‖² in double, for a row of finite values whose float sum overflows (2e19 and beyond): its scores may
        /// still be finite. Each difference is rounded to float, as the kernels take it.
        /// </summary>
        private static double WideSquaredDistance(ReadOnlySpan<float> row, ReadOnlySpan<float> offset)
        {
            double sum = 0;
            for (int j = 0; j < row.Length; j++)
            {
                double value = row[j] - offset[j];
                sum += value * value;
            }
            return sum;
        }

        /// <summary>
        /// Leaves the rows whose list of <paramref name="n"/> lowest scores (<paramref name="scores"/>, ascending) is
        /// not certain: two consecutive ones, or its last and a bound at or below the next lowest
        /// (<paramref name="nexts"/>), lie within 2·E; returns how many. The list's centroids
        /// (<paramref name="labels"/>) bound the centroids that could be nearer (<see cref="MarginOf"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int FindUncertain(ReadOnlySpan<float> rows, int count, ReadOnlySpan<int> labels, ReadOnlySpan<float> scores,
            int n, ReadOnlySpan<float> nexts)
        {
            MeasureRows(rows, count);
            int found = 0;
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<float> list = scores.Slice(i * n, n);
                // A list the kernel could not fill (scores that overflowed) is left as it is.
                if (labels.Slice(i * n, n).Contains(-1))
                    continue;
                float farthestNormTerm = 0;
                for (int r = 0; r < n; r++)
                    farthestNormTerm = Math.Max(farthestNormTerm, _centroids.Norms[labels[i * n + r]]);
                double margin = MarginOf(i, farthestNormTerm);
                if (!double.IsFinite(margin + list[0]))
                    continue;
                bool uncertain = (double)nexts[i] - list[n - 1] <= margin;
                for (int r = 1; r < n && !uncertain; r++)
                    uncertain = (double)list[r] - list[r - 1] <= margin;
                if (uncertain)
                    Defer(i, margin, found++);
            }
            return found;
        }

        /// <summary>
        /// Gathers the rows left from position <paramref name="first"/> (of <paramref name="found"/>) and scores them
        /// against every centroid exactly as the kernels on <paramref name="path"/> do; returns how many.
        /// </summary>
        public int ScoreBatch(ReadOnlySpan<float> rows, int first, int found, KernelPath path)
        {
            int d = _centroids.Dimension;
            int taken = Math.Min(BatchRows, found - first);
            _gathered ??= ArrayPool<float>.Shared.Rent(BatchRows * d);
            _scores ??= ArrayPool<float>.Shared.Rent(BatchRows * _stride);
            for (int p = 0; p < taken; p++)
                rows.Slice(_rows[first + p] * d, d).CopyTo(_gathered.AsSpan(p * d, d));
            ReadOnlySpan<float> batch = _gathered.AsSpan(0, taken * d);
            if (path == KernelPath.Portable)
                ScorePortable(batch, taken, _centroids, _scores, _stride);
            else
                NearestKernel.ScoreAll(batch, taken, _centroids, _scores, path);
            return taken;
        }

        /// <summary>The <paramref name="p"/>-th row of the batch, as given.</summary>
        public ReadOnlySpan<float> BatchRow(int p) => _gathered!.AsSpan(p * _centroids.Dimension, _centroids.Dimension);

        /// <summary>The <paramref name="p"/>-th row's score against each centroid.</summary>
        public ReadOnlySpan<float> BatchScores(int p) => _scores!.AsSpan(p * _stride, _centroids.K);

        public void Dispose()
        {
            if (_gathered is not null)
                ArrayPool<float>.Shared.Return(_gathered);
            if (_scores is not null)
                ArrayPool<float>.Shared.Return(_scores);
        }
    }

    /// <summary>
    /// A bound on ‖c − m‖ from its norm term as packed: summed in float, off by γ_{d+1} relatively, and by 2⁻¹⁴⁹ for
    /// each square that underflowed.
    /// </summary>
    private static double CentroidNorm(float normTerm, int dimension) =>
        Math.Sqrt(normTerm * (1 + FloatRounding.Gamma(dimension + 1)) + NormUnderflow(dimension));

    private static double NormUnderflow(int dimension) => dimension * Math.ScaleB(1.0, -149);

    /// <summary>
    /// 2·E, the margin within which two scores of a row do not tell which centroid is nearer, for the centroids of a
    /// packing: against any of them (<see cref="Of"/>: a row whose second-lowest score lies further than this above
    /// its lowest keeps its label, which <see cref="ScreenedAssignment"/> needs to leave a row with one candidate
    /// unscored), or against centroids within a given norm (<see cref="Against"/>).
    /// </summary>
    public readonly struct AnyCentroidMargin(PackedCentroids centroids)
    {
        private readonly double _gamma = FloatRounding.Gamma(centroids.Dimension + 2);
        private readonly double _underflow = (centroids.Dimension + 1) * Math.ScaleB(1.0, -147);
        private readonly bool _hasOffset = centroids.HasOffset;

        /// <summary>A bound on the largest ‖c − m‖ of the packing.</summary>
        public double LargestCentroidNorm { get; } = CentroidNorm(centroids.LargestNormTerm, centroids.Dimension);

        /// <summary>The margin for a row with ‖x − m‖ at most <paramref name="rowNorm"/>, against any centroid.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Of(double rowNorm) => Against(rowNorm, LargestCentroidNorm);

        /// <summary>The margin for a row with ‖x − m‖ at most <paramref name="rowNorm"/> and centroids with ‖c − m‖ at most <paramref name="centroidNorm"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Against(double rowNorm, double centroidNorm)
        {
            double error = _gamma * (centroidNorm * centroidNorm + 2 * rowNorm * centroidNorm) + _underflow;
            if (_hasOffset)
                error += 3 * FloatRounding.UnitRoundoff * (rowNorm + centroidNorm) * (rowNorm + centroidNorm);
            return 2 * error;
        }
    }

    /// <summary>Every score of <paramref name="count"/> rows by the portable kernel's arithmetic, row i's from i · stride.</summary>
    private static void ScorePortable(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, Span<float> scores, int stride)
    {
        int d = centroids.Dimension;
        ReadOnlySpan<float> relative = centroids.RowsRelative(rows, count);
        Span<float> centroid = new float[d];
        for (int c = 0; c < centroids.K; c++)
        {
            centroids.CopyScored(c, centroid);
            for (int i = 0; i < count; i++)
                scores[i * stride + c] = KernelScore.Portable(relative.Slice(i * d, d), centroid, centroids.Norms[c]);
        }
    }
}
