using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KMeans.Core.Distance;

/// <summary>
/// The n lowest of one row's scores against every centroid, ascending, ties to the lower index, for lists of
/// <see cref="NearestKernel"/> taken after the tiles. Three steps, none of which branches per score: a bound (the
/// n-th lowest of the two least scores of each of 16 lanes, which holds n scores at or below it and so is at least
/// the row's n-th lowest), the scores at or below it gathered in centroid order (a few more than n: 8.2 on average
/// for n = 8 in the `nearest-lists` bench, at every K), and each of those placed by its rank among them. Where many
/// scores tie with the bound (copies of one centroid), more than <see cref="RankedCandidates"/> are gathered and go
/// into the sorted list one by one instead.
/// </summary>
/// <remarks>
/// Why not keep sorted lists while the tiles run: at K ≤ 64·n each lane's list of n took most scores, a cascade of
/// blends each, and the lanes' merge ran n vector reductions per row; a row's sorted list branched on most scores.
/// Both left the 8 nearest of 256 centroids at 2.0 and 3.1 times the two-nearest kernel's time, where this takes 1.4
/// (`nearest-lists` bench).
/// </remarks>
internal static unsafe class LowestScores
{
    public const int Lanes = 16;

    private const int HalfLanes = Lanes / 2;

    /// <summary>Candidates ranked among themselves; more go through the sorted insert.</summary>
    public const int RankedCandidates = 32;

    /// <summary>Values and centroids a row's candidates need: room for every score of a row, padded.</summary>
    public static int ScratchLength(int stride) => stride + HalfLanes;

    /// <param name="scores">The row's scores, <paramref name="vectors"/> × 16 in centroid order; padding is +∞.</param>
    /// <param name="terms">
    /// Added to the scores first, one per centroid (the norm terms of the moment for kept scores, see
    /// <see cref="Training.Balancing.ScoredRows"/>), or null: one rounding, as the kernel adds them.
    /// </param>
    /// <param name="best">Receives the n lowest, ascending; left as it was (+∞) where fewer scores are finite.</param>
    /// <param name="bestLabel">Receives their centroids; left as it was (−1) where fewer scores are finite.</param>
    /// <param name="values">Scratch of <see cref="ScratchLength"/>.</param>
    /// <param name="centroids">Scratch of <see cref="ScratchLength"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Select(float* scores, float* terms, int vectors, int n, float* best, int* bestLabel, float* values,
        int* centroids)
    {
        Vector256<float> bound = Vector256.Create(Bound(scores, terms, vectors, n));
        Vector256<float> infinite = Vector256.Create(float.PositiveInfinity);
        int count = 0;
        for (int v = 0; v < vectors; v++)
        {
            Vector256<float> low = Load(scores, terms, v * Lanes), high = Load(scores, terms, v * Lanes + HalfLanes);
            uint candidates = (Vector256.LessThanOrEqual(low, bound) & Vector256.LessThan(low, infinite)).ExtractMostSignificantBits()
                              | (Vector256.LessThanOrEqual(high, bound) & Vector256.LessThan(high, infinite)).ExtractMostSignificantBits() << HalfLanes;
            while (candidates != 0)
            {
                int lane = BitOperations.TrailingZeroCount(candidates);
                candidates &= candidates - 1;
                int centroid = v * Lanes + lane;
                values[count] = terms == null ? scores[centroid] : scores[centroid] + terms[centroid];
                centroids[count++] = centroid;
            }
        }
        if (count > RankedCandidates)
        {
            for (int i = 0; i < count; i++)
                NearestKernel.Insert(values[i], centroids[i], best, bestLabel, n);
            return;
        }
        PlaceByRank(values, centroids, count, n, best, bestLabel);
    }

    /// <summary>Eight scores from <paramref name="at"/>, with their terms if any (the same rounding lane by lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load(float* scores, float* terms, int at) =>
        terms == null ? Vector256.Load(scores + at) : Vector256.Load(scores + at) + Vector256.Load(terms + at);

    /// <summary>
    /// The n-th lowest of the lanes' two least scores: the least of those 32 values with at least n of them at or
    /// below it (+∞ if none has).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Bound(float* scores, float* terms, int vectors, int n)
    {
        Vector256<float> infinite = Vector256.Create(float.PositiveInfinity);
        Vector256<float> least0 = infinite, least1 = infinite, second0 = infinite, second1 = infinite;
        for (int v = 0; v < vectors; v++)
        {
            Vector256<float> low = Load(scores, terms, v * Lanes), high = Load(scores, terms, v * Lanes + HalfLanes);
            second0 = Avx.Min(second0, Avx.Max(least0, low));
            second1 = Avx.Min(second1, Avx.Max(least1, high));
            least0 = Avx.Min(least0, low);
            least1 = Avx.Min(least1, high);
        }
        float* lanes = stackalloc float[2 * Lanes];
        least0.Store(lanes);
        least1.Store(lanes + HalfLanes);
        second0.Store(lanes + 2 * HalfLanes);
        second1.Store(lanes + 3 * HalfLanes);
        // Each value's count of values at or below it, all 32 at once: every value in turn against the four vectors.
        Vector256<int> atOrBelow0 = Vector256<int>.Zero, atOrBelow1 = atOrBelow0, atOrBelow2 = atOrBelow0, atOrBelow3 = atOrBelow0;
        for (int j = 0; j < 2 * Lanes; j++)
        {
            Vector256<float> value = Vector256.Create(lanes[j]);
            atOrBelow0 -= Vector256.LessThanOrEqual(value, least0).AsInt32();
            atOrBelow1 -= Vector256.LessThanOrEqual(value, least1).AsInt32();
            atOrBelow2 -= Vector256.LessThanOrEqual(value, second0).AsInt32();
            atOrBelow3 -= Vector256.LessThanOrEqual(value, second1).AsInt32();
        }
        Vector256<int> enough = Vector256.Create(n);
        Vector256<float> bound = Avx.Min(
            Avx.Min(Reaching(atOrBelow0, enough, least0), Reaching(atOrBelow1, enough, least1)),
            Avx.Min(Reaching(atOrBelow2, enough, second0), Reaching(atOrBelow3, enough, second1)));
        return HorizontalMin(bound);
    }

    /// <summary>The values whose count reaches <paramref name="enough"/>, +∞ elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reaching(Vector256<int> atOrBelow, Vector256<int> enough, Vector256<float> values) =>
        Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(atOrBelow, enough).AsSingle(), values,
            Vector256.Create(float.PositiveInfinity));

    /// <summary>
    /// Each candidate to the place its rank gives it, (score, centroid) ascending, the candidates being in centroid
    /// order; the first n places are the row's list.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PlaceByRank(float* values, int* centroids, int count, int n, float* best, int* bestLabel)
    {
        int padded = (count + HalfLanes - 1) & ~(HalfLanes - 1);
        for (int i = count; i < padded; i++)
            values[i] = float.PositiveInfinity;
        float* ranked = stackalloc float[RankedCandidates];
        int* rankedCentroids = stackalloc int[RankedCandidates];
        Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        for (int i = 0; i < count; i++)
        {
            Vector256<float> value = Vector256.Create(values[i]);
            Vector256<int> position = Vector256.Create(i);
            int rank = 0;
            for (int j = 0; j < padded; j += HalfLanes)
            {
                Vector256<float> others = Vector256.Load(values + j);
                Vector256<float> tiedBefore = Vector256.Equals(others, value)
                                              & Vector256.LessThan(lane + Vector256.Create(j), position).AsSingle();
                rank += BitOperations.PopCount((Vector256.LessThan(others, value) | tiedBefore).ExtractMostSignificantBits());
            }
            ranked[rank] = values[i];
            rankedCentroids[rank] = centroids[i];
        }
        for (int r = 0; r < Math.Min(n, count); r++)
        {
            best[r] = ranked[r];
            bestLabel[r] = rankedCentroids[r];
        }
    }

    private static float HorizontalMin(Vector256<float> values)
    {
        values = Avx.Min(values, Avx.Permute2x128(values, values, 1));
        values = Avx.Min(values, Avx.Permute(values, 0b01_00_11_10));
        return Avx.Min(values, Avx.Permute(values, 0b10_11_00_01)).ToScalar();
    }
}
