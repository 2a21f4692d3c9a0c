using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using KMeans.Core.Numerics;

namespace KMeans.Core.Distance;

/// <summary>
/// The hot loop: for each row, the centroid minimising ‖c‖² − 2·x·c (the L2 distance less the row's own norm, or the
/// negated inner product when norms are 0), ties going to the lowest index; under L2 rows whose best scores lie within
/// their rounding of each other get the exact nearest (<see cref="NearTies"/>). With AVX-512, or AVX2 and FMA, the rows go
/// through <see cref="RegisterTiles"/>, which scores each pair the same way whatever the grouping of rows, so labels
/// do not depend on block boundaries or thread count; elsewhere a portable per-pair loop serves.
/// </summary>
internal static unsafe class AssignmentKernel
{
    /// <summary>Rows per block that training and assignment hand the kernel: 32 of its register groups.</summary>
    public const int BlockRows = 32 * RegisterTiles.GroupRows;
    private const int Lanes = 16;

    public static bool UsesAvx512 => Avx512F.IsSupported;

    public static bool UsesAvx2 => !UsesAvx512 && Avx2.IsSupported && Fma.IsSupported;

    /// <summary>Per-thread scratch for a block of rows: best value, its centroid and second value per row and lane.</summary>
    public static int ScratchBytesPerThread(int rowsPerBlock) => rowsPerBlock * Lanes * (2 * sizeof(float) + sizeof(int));

    /// <summary>Per-thread memory the kernel needs for a block of <paramref name="rows"/> rows.</summary>
    public sealed class Scratch(int rows)
    {
        /// <summary>Each row's ‖x − m‖² as the tiles measured it, for <see cref="NearTies"/>.</summary>
        public float[] RowSquares { get; } = new float[rows];

        // Each row's 16 lanes fill one cache line, which every tile loads and stores.
        public LineAligned<float> BestValues { get; } = new(rows * Lanes);

        public LineAligned<int> BestIndices { get; } = new(rows * Lanes);

        /// <summary>Each lane's second-lowest score, kept where <see cref="NearTies"/> settles the choice.</summary>
        public LineAligned<float> SecondValues { get; } = new(rows * Lanes);

        /// <summary><see cref="ScreenedAssignment"/>'s memory, made on first use.</summary>
        public ScreenedAssignment.Scratch Screening => _screening ??= new ScreenedAssignment.Scratch(rows);

        private ScreenedAssignment.Scratch? _screening;
    }

    /// <summary>Labels and scores (‖c‖² − 2·x·c of the chosen centroid) for <paramref name="count"/> rows.</summary>
    /// <param name="scoresWanted">
    /// False where the caller reads only the labels: screened rows whose label is certain without an exact score then
    /// get NaN for their score instead of one.
    /// </param>
    /// <param name="hints">
    /// Per row a centroid likely to be its nearest (its label from the last pass), or empty: with hints, a packing with
    /// a screen (<see cref="PackedCentroids.Screen"/>) screens the rows by 8-bit integers first
    /// (<see cref="ScreenedAssignment"/>); the results are the same either way.
    /// </param>
    public static void Assign(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, Span<int> labels,
        Span<float> scores, Scratch scratch, bool scoresWanted = true, ReadOnlySpan<int> hints = default)
    {
        if (UsesAvx512)
        {
            if (!hints.IsEmpty && centroids.Screen is { } screen && screen.ScreenNext())
            {
                (int pairs, int unscreened) = ScreenedAssignment.Assign(rows, count, centroids, screen, hints, labels, scores,
                    scratch, integerDots: ScreenedAssignment.Accelerated, scoresWanted);
                screen.Observe(count, pairs, unscreened);
                return;
            }
            AssignTiled(rows, count, centroids, labels, scores, scratch, wide: true);
        }
        else if (UsesAvx2)
            AssignTiled(rows, count, centroids, labels, scores, scratch, wide: false);
        else
            AssignPortable(rows, count, centroids, labels, scores);
    }

    /// <summary>The path for machines with neither AVX-512 nor AVX2 with FMA (and the reference the tiles are tested against).</summary>
    internal static void AssignPortable(ReadOnlySpan<float> rows, int count, PackedCentroids centroids,
        Span<int> labels, Span<float> scores)
    {
        int d = centroids.Dimension;
        ReadOnlySpan<float> given = rows;
        rows = centroids.RowsRelative(rows, count);
        labels[..count].Clear();
        scores[..count].Fill(float.PositiveInfinity);
        Span<float> seconds = new float[count];
        seconds.Fill(float.PositiveInfinity);
        // Centroid by centroid, each taken as the kernel scores it once; every row still sees them in order.
        Span<float> centroid = new float[d];
        for (int c = 0; c < centroids.K; c++)
        {
            centroids.CopyScored(c, centroid);
            for (int i = 0; i < count; i++)
            {
                float score = centroids.Norms[c] - 2f * OrderedDot.Of(rows.Slice(i * d, d), centroid);
                if (score < scores[i])
                {
                    seconds[i] = scores[i];
                    scores[i] = score;
                    labels[i] = c;
                }
                else if (score < seconds[i])
                {
                    seconds[i] = score;
                }
            }
        }
        NearTies.Settle(given, count, centroids, labels, scores, seconds, KernelPath.Portable);
    }

    /// <summary>
    /// The register-blocked paths: <paramref name="wide"/> selects AVX-512, else AVX2 (tests call both). Padding has +∞
    /// scores and never wins, so skipping quarters of padding changes nothing; <paramref name="everyQuarter"/> lets
    /// tests check it.
    /// </summary>
    // Fully optimized from the first call, as the tiles are: a pass calls it once per block, too few calls for tiering
    // to promote it before the first training's passes are over.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AssignTiled(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, Span<int> labels,
        Span<float> scores, Scratch scratch, bool wide, bool everyQuarter = false)
    {
        Span<float> bestValues = scratch.BestValues.Span[..(count * Lanes)];
        Span<int> bestIndices = scratch.BestIndices.Span[..(count * Lanes)];
        bestValues.Fill(float.PositiveInfinity);
        bestIndices.Clear();
        bool settles = centroids.SettlesNearTies;
        Span<float> secondValues = scratch.SecondValues.Span[..(settles ? count * Lanes : 0)];
        secondValues.Fill(float.PositiveInfinity);
        ReadOnlySpan<float> given = rows;
        rows = centroids.RowsForTiles(rows, count, wide);
        fixed (float* x = rows)
        fixed (float* bestValue = bestValues)
        fixed (int* bestIndex = bestIndices)
        fixed (float* secondValue = secondValues)
        fixed (float* rowSquares = scratch.RowSquares)
        {
            if (settles)
            {
                var lanes = new BestPerLane<WithSeconds>(bestValue, bestIndex, secondValue);
                RegisterTiles.Run(x, count, centroids, wide, everyQuarter, ref lanes, rowSquares);
            }
            else
            {
                var lanes = new BestPerLane<WithoutSeconds>(bestValue, bestIndex, null);
                RegisterTiles.Run(x, count, centroids, wide, everyQuarter, ref lanes);
            }
            for (int i = 0; i < count; i++)
                ReduceLanes(bestValue + i * Lanes, bestIndex + i * Lanes, out scores[i], out labels[i]);
            if (settles)
            {
                NearTies.Settle(given, count, centroids, labels, scores, bestValue, bestIndex, secondValue, rowSquares,
                    wide ? KernelPath.Avx512 : KernelPath.Avx2);
            }
        }
    }

    /// <summary>Whether <see cref="BestPerLane{TSeconds}"/> keeps each lane's second-lowest score too.</summary>
    private interface ISecondScores
    {
        static abstract bool Kept { get; }
    }

    private readonly struct WithSeconds : ISecondScores
    {
        public static bool Kept => true;
    }

    private readonly struct WithoutSeconds : ISecondScores
    {
        public static bool Kept => false;
    }

    /// <summary>
    /// Each row keeps 16 lanes of best score and centroid: centroid firstCentroid + 16·q + lane competes in lane
    /// <c>lane</c>, in centroid order, and a strict comparison keeps the lower index on ties.
    /// </summary>
    /// <remarks>
    /// With <typeparamref name="TSeconds"/> each lane also keeps its second-lowest score, for <see cref="NearTies"/>:
    /// the least of it and the larger of the lane's best and the new score.
    /// </remarks>
    private readonly struct BestPerLane<TSeconds>(float* bestValue, int* bestIndex, float* secondValue) : ITileEpilogue
        where TSeconds : struct, ISecondScores
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take64(int row, Vector512<float> scores0, Vector512<float> scores1, Vector512<float> scores2,
            Vector512<float> scores3, int firstCentroid)
        {
            float* value = bestValue + row * Lanes;
            int* index = bestIndex + row * Lanes;
            Vector512<float> best = Vector512.Load(value);
            Vector512<int> centroid = Vector512.Load(index);
            Vector512<int> lane = Lanes512(firstCentroid);
            if (TSeconds.Kept)
            {
                float* secondAt = secondValue + row * Lanes;
                Vector512<float> second = Vector512.Load(secondAt);
                second = KeepSecond(scores0, best, second);
                Keep(scores0, lane, ref best, ref centroid);
                second = KeepSecond(scores1, best, second);
                Keep(scores1, lane + Vector512.Create(16), ref best, ref centroid);
                second = KeepSecond(scores2, best, second);
                Keep(scores2, lane + Vector512.Create(32), ref best, ref centroid);
                second = KeepSecond(scores3, best, second);
                Keep(scores3, lane + Vector512.Create(48), ref best, ref centroid);
                second.Store(secondAt);
            }
            else
            {
                Keep(scores0, lane, ref best, ref centroid);
                Keep(scores1, lane + Vector512.Create(16), ref best, ref centroid);
                Keep(scores2, lane + Vector512.Create(32), ref best, ref centroid);
                Keep(scores3, lane + Vector512.Create(48), ref best, ref centroid);
            }
            best.Store(value);
            centroid.Store(index);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take16(int row, Vector512<float> scores, int firstCentroid)
        {
            float* value = bestValue + row * Lanes;
            int* index = bestIndex + row * Lanes;
            Vector512<float> best = Vector512.Load(value);
            Vector512<int> centroid = Vector512.Load(index);
            if (TSeconds.Kept)
            {
                float* secondAt = secondValue + row * Lanes;
                KeepSecond(scores, best, Vector512.Load(secondAt)).Store(secondAt);
            }
            Keep(scores, Lanes512(firstCentroid), ref best, ref centroid);
            best.Store(value);
            centroid.Store(index);
        }

        /// <summary>The two halves map onto the same 16 lanes as the AVX-512 path.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take16(int row, Vector256<float> low, Vector256<float> high, int firstCentroid)
        {
            float* value = bestValue + row * Lanes;
            int* index = bestIndex + row * Lanes;
            if (TSeconds.Kept)
            {
                float* secondAt = secondValue + row * Lanes;
                KeepSecondHalf(low, value, secondAt);
                KeepSecondHalf(high, value + 8, secondAt + 8);
            }
            Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create(firstCentroid);
            KeepHalf(low, lane, value, index);
            KeepHalf(high, lane + Vector256.Create(8), value + 8, index + 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KeepHalf(Vector256<float> score, Vector256<int> centroid, float* bestValue, int* bestIndex)
    {
        Vector256<float> best = Vector256.Load(bestValue);
        Vector256<float> better = Vector256.LessThan(score, best);
        Vector256.ConditionalSelect(better, score, best).Store(bestValue);
        Vector256.ConditionalSelect(better.AsInt32(), centroid, Vector256.Load(bestIndex)).Store(bestIndex);
    }

    /// <summary>A lane's new second-lowest score, from its best before <paramref name="score"/> arrived.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> KeepSecond(Vector512<float> score, Vector512<float> best, Vector512<float> second) =>
        Avx512F.Min(second, Avx512F.Max(best, score));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KeepSecondHalf(Vector256<float> score, float* bestValue, float* secondValue) =>
        Avx.Min(Vector256.Load(secondValue), Avx.Max(Vector256.Load(bestValue), score)).Store(secondValue);

    /// <summary>The centroid indices of 16 consecutive lanes from <paramref name="firstCentroid"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Lanes512(int firstCentroid) =>
        Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + Vector512.Create(firstCentroid);

    /// <summary>Per lane, keeps the smaller score; a strict comparison keeps the lower index on ties.</summary>
    /// <remarks>
    /// The score is x86's minimum, which is the first operand where it is less than the second and the second
    /// otherwise (ties, ±0 and NaN alike): the same value the comparison selects, without a second use of its mask,
    /// which the JIT would turn from a mask register into a vector and back (two more instructions per score vector).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep(Vector512<float> score, Vector512<int> centroid, ref Vector512<float> best, ref Vector512<int> index)
    {
        index = Vector512.ConditionalSelect(Vector512.LessThan(score, best).AsInt32(), centroid, index);
        best = Avx512F.Min(score, best);
    }

    /// <summary>
    /// A row's best lane: the smallest score, ties (±0 included) going to the lowest centroid index, and that lane's
    /// score, which is what a scan of the lanes in order with a strict comparison would keep. Lanes never hold NaN: a
    /// NaN score never wins <see cref="Keep"/> against the initial +∞.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ReduceLanes(float* values, int* indices, out float score, out int label)
    {
        Vector256<float> low = Vector256.Load(values);
        Vector256<float> high = Vector256.Load(values + 8);
        Vector256<int> lowIndex = Vector256.Load(indices);
        Vector256<int> highIndex = Vector256.Load(indices + 8);
        Vector256<float> best = MinimumInEveryLane(Avx.Min(low, high));
        Vector256<int> none = Vector256.Create(int.MaxValue);
        Vector256<int> lowCandidates = Vector256.ConditionalSelect(Vector256.Equals(low, best).AsInt32(), lowIndex, none);
        Vector256<int> highCandidates = Vector256.ConditionalSelect(Vector256.Equals(high, best).AsInt32(), highIndex, none);
        Vector256<int> winner = MinimumInEveryLane(Vector256.Min(lowCandidates, highCandidates));
        uint lanes = Vector256.Equals(lowCandidates, winner).ExtractMostSignificantBits()
                     | (Vector256.Equals(highCandidates, winner).ExtractMostSignificantBits() << 8);
        label = winner.ToScalar();
        score = values[BitOperations.TrailingZeroCount(lanes)];
    }

    /// <summary>
    /// The minimum of the 8 lanes in every lane. The tiled paths run on AVX machines only, so the native minimum (one
    /// instruction) serves; it may return either zero of a ±0 pair, which is enough: the minimum is only compared for
    /// equality.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MinimumInEveryLane(Vector256<float> values)
    {
        values = Avx.Min(values, Avx.Permute2x128(values, values, 1));
        values = Avx.Min(values, Avx.Permute(values, 0b01_00_11_10));
        return Avx.Min(values, Avx.Permute(values, 0b10_11_00_01));
    }

    /// <summary>The minimum of the 8 lanes in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> MinimumInEveryLane(Vector256<int> values)
    {
        values = Vector256.Min(values, Avx2.Permute2x128(values, values, 1));
        values = Vector256.Min(values, Avx2.Shuffle(values, 0b01_00_11_10));
        return Vector256.Min(values, Avx2.Shuffle(values, 0b10_11_00_01));
    }
}
