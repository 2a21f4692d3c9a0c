using System.Numerics.Tensors;
using KMeans.Core.Distance;
using KMeans.Core.Numerics;

namespace KMeans.Core.Training;

/// <summary>
/// Proves, one row at a time, that the assignment kernel would give a row the label it already has, so that the
/// row can skip the kernel (Elkan's and Hamerly's bound on the distance between centroids). The proof covers the
/// kernel's float rounding, so a kept label is exactly the label plain Lloyd computes, ties and all.
/// </summary>
/// <remarks>
/// <para>
/// Let a be the row's label, c any other centroid, u ≥ ‖x − a‖ (from the row's distance to a, which the L2 loss
/// needs anyway) and D ≤ min over c ≠ a of ‖a − c‖ (computed once per iteration, O(K²·d)). The triangle inequality
/// gives ‖x − c‖ ≥ D − u, so when D ≥ 2u: ‖x − c‖² − ‖x − a‖² ≥ (D − u)² − u² = D·(D − 2u).
/// </para>
/// <para>
/// The kernel compares float scores s̃(c) ≈ s(c) = ν(c) − 2·x·c, with ν(c) = ‖c‖² for L2 and 0 for Cosine and Dot.
/// Writing τ(c) = ‖c‖² − ν(c): s(c) − s(a) = ‖x − c‖² − ‖x − a‖² − (τ(c) − τ(a)). Rounding error, with unit roundoff
/// ε = 2⁻²⁴ and γₙ = n·ε / (1 − n·ε): the dot product (d products, d − 1 additions or d fused multiply-adds, in any
/// order) is off by at most γ_d·Σ|x_j·c_j| ≤ γ_d·‖x‖·‖c‖; the float ‖c‖² by at most γ_d·‖c‖²; −2·dot is exact; the
/// final subtraction (or fused multiply-add) adds one rounding, ε·(1 + γ_d)·(‖c‖² + 2‖x‖‖c‖). Since
/// γ_d + ε·(1 + γ_d) ≤ γ_{d+1}: |s̃(c) − s(c)| ≤ E = γ_{d+1}·(C² + 2·X·C) + (d + 1)·2⁻¹⁴⁷, where C bounds every
/// centroid's norm, X = ‖a‖ + u ≥ ‖x‖, and the last term covers products that underflow (each at most 2⁻¹⁵⁰ off).
/// So s̃(c) &gt; s̃(a) for every c ≠ a, and the kernel (lowest index on ties) returns a, whenever
/// D·(D − 2u) &gt; max τ − τ(a) + 2E. The test refuses when C² + 2·X·C comes near float.MaxValue, where the kernel's
/// scores could overflow and the error model would not hold. Centroids packed relative to an offset m (L2 only)
/// score ‖c′‖² − 2·x′·c′ with c′ = c − m and x′ = x − m rounded to float and ‖c′‖² rounded once from double: the
/// exact score of the centroid ĉ = m + c′, within η = 2ε·max ‖c′‖ of c, for the point x̂ = m + x′, within
/// 2ε·‖x − m‖ of x, so the same bound holds with ‖c‖ replaced by ‖c′‖, X by a bound on ‖x′‖ (‖a′‖ + u, widened), and u
/// by u + η + 2ε·‖x′‖.
/// </para>
/// <para>
/// The bounds themselves are rounded outwards: the row distance u and the centroid separation D are the float square
/// roots of <see cref="SquaredDistance.Of"/>, d squared differences summed in float in any order (relative error at
/// most γ_{d+3}, plus √(d·2⁻¹⁴⁹) absolute for underflowing squares) and are widened by 2·γ_{d+3}; norms are summed in
/// double and widened by (d + 4)·2⁻⁵²; every test inequality is then evaluated in double with a 2⁻⁴⁰ relative slack,
/// far above the few double roundings involved. Memory: three doubles per centroid; nothing per row.
/// </para>
/// </remarks>
internal sealed class SkipBounds
{
    private const double UnitRoundoff = FloatRounding.UnitRoundoff;
    private const double DoubleSlack = 1.0 / (1L << 40);
    private const double SafeMagnitude = float.MaxValue / 4.0;

    private readonly int _dimension;
    private readonly bool _innerProduct;
    private readonly bool _usable;
    private readonly double _scoreGamma;
    private readonly double _distanceWidening;
    private readonly double _underflowDistance;
    private readonly double _underflowScore;
    private readonly double _normWidening;
    private readonly double[] _norms;
    private readonly double[] _separations;
    private readonly double[] _squaredNormsBelow;
    private double _largestNorm;
    private double _largestSquaredNorm;
    private double _largestScoredNorm;
    private double _largestNormTerm;
    private double _rankedShift;
    private bool _offsetScored;
    private readonly double[] _scoredNorms;

    public SkipBounds(int k, int dimension, DistanceMetric metric)
    {
        _dimension = dimension;
        _innerProduct = metric != DistanceMetric.L2;
        // γₙ needs n·ε < 1; far beyond any real dimension, but the proof must not silently break.
        _usable = (dimension + 3) * UnitRoundoff < 0.25;
        _scoreGamma = FloatRounding.Gamma(dimension + 1);
        _distanceWidening = 2 * FloatRounding.Gamma(dimension + 3) + DoubleSlack;
        _underflowDistance = Math.Sqrt(dimension * Math.ScaleB(1.0, -149));
        _underflowScore = (dimension + 1) * Math.ScaleB(1.0, -147);
        _normWidening = (dimension + 4) * Math.ScaleB(1.0, -52);
        _norms = new double[k];
        _scoredNorms = new double[k];
        _separations = new double[k];
        _squaredNormsBelow = new double[k];
    }

    /// <summary>
    /// Recomputes the per-centroid bounds for newly packed centroids: O(K·d) for norms, O(K²·d / 2) for separations.
    /// Workers take centroids a and measure every pair (a, c &gt; a), keeping per-worker minima; a minimum is exact,
    /// so merging them in any order gives the same separations whatever the thread count.
    /// </summary>
    public void Update(PackedCentroids centroids, ParallelOptions parallel)
    {
        int k = _norms.Length;
        int d = _dimension;
        ReadOnlySpan<float> plain = centroids.Plain;
        _largestNorm = 0;
        for (int a = 0; a < k; a++)
        {
            double squaredNorm = 0;
            foreach (float value in plain.Slice(a * d, d))
                squaredNorm += (double)value * value;
            _norms[a] = Math.Sqrt(squaredNorm) * (1 + _normWidening);
            _squaredNormsBelow[a] = squaredNorm * (1 - _normWidening);
            _largestNorm = Math.Max(_largestNorm, _norms[a]);
        }
        _largestSquaredNorm = _largestNorm * _largestNorm * (1 + DoubleSlack);
        (_largestScoredNorm, _largestNormTerm) = (_largestNorm, _largestNorm * _largestNorm);
        _rankedShift = 0;
        _offsetScored = centroids.HasOffset;
        if (centroids.HasOffset)
        {
            (_largestScoredNorm, _largestNormTerm) = ScoredMagnitudes(centroids);
            // The panels hold c − m rounded to float: the kernel ranks centroids at most ε·‖c − m‖ from the true ones.
            _rankedShift = 2 * UnitRoundoff * _largestScoredNorm;
        }

        var nearest = new float[k];
        Array.Fill(nearest, float.PositiveInfinity);
        Parallel.For(0, k, parallel,
            () => NewMinima(k),
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (a, _, minima) =>
            {
                ReadOnlySpan<float> all = centroids.Plain;
                ReadOnlySpan<float> centroid = all.Slice(a * d, d);
                for (int c = a + 1; c < k; c++)
                {
                    float distance = MathF.Sqrt(SquaredDistance.Of(centroid, all.Slice(c * d, d)));
                    minima[a] = Math.Min(minima[a], distance);
                    minima[c] = Math.Min(minima[c], distance);
                }
                return minima;
            },
            minima =>
            {
                lock (nearest)
                    TensorPrimitives.Min(nearest, minima, nearest);
            });
        parallel.CancellationToken.ThrowIfCancellationRequested();
        for (int a = 0; a < k; a++)
            _separations[a] = SeparationBelow(nearest[a], k);
    }

    /// <summary>
    /// Whether the kernel is certain to give label <paramref name="label"/> to a row whose float distance to that
    /// centroid (the float square root of <see cref="SquaredDistance.Of"/>) is
    /// <paramref name="distance"/>. Any doubt, including NaN or infinity anywhere, answers false.
    /// </summary>
    // Fully optimized from the start, like the assignment's per-row methods that call it (see Assignment.AssignBlock).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool KeepsLabel(int label, float distance)
    {
        if (!_usable || !float.IsFinite(distance))
            return false;
        double rowDistance = (distance + _underflowDistance) * (1 + _distanceWidening) + _rankedShift;
        double rowNorm = _norms[label] + rowDistance;
        if (_offsetScored)
        {
            // The kernel takes the row less the offset, ‖x − m‖ ≤ ‖a − m‖ + u, rounded to float: the point it ranks
            // lies within ε·‖x − m‖ of the row.
            rowNorm = (_scoredNorms[label] + rowDistance) * (1 + 4 * UnitRoundoff);
            rowDistance += 2 * UnitRoundoff * rowNorm;
        }
        double separation = _separations[label];
        double room = separation - 2 * rowDistance;
        if (!(room > 0))
            return false;
        double magnitude = _largestNormTerm + 2 * rowNorm * _largestScoredNorm;
        if (!(magnitude < SafeMagnitude))
            return false;
        double scoreError = _scoreGamma * magnitude + _underflowScore;
        double normShift = _innerProduct ? _largestSquaredNorm - _squaredNormsBelow[label] : 0;
        double gap = separation * room;
        return gap * (1 - DoubleSlack) > (normShift + 2 * scoreError) * (1 + DoubleSlack);
    }

    /// <summary>
    /// For centroids packed relative to an offset m (c − m rounded to float, see <see cref="PackedCentroids"/>): each
    /// ‖c − m‖, the largest, and the largest ‖c − m‖² (the norm term the kernel adds), summed in double and widened,
    /// which then take the places of ‖c‖ and ‖c‖² in the score's error bound.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private (double Norm, double NormTerm) ScoredMagnitudes(PackedCentroids centroids)
    {
        int d = _dimension;
        ReadOnlySpan<float> plain = centroids.Plain;
        ReadOnlySpan<float> offset = centroids.Offset;
        double largestNorm = 0, largestTerm = 0;
        for (int c = 0; c < _norms.Length; c++)
        {
            double squaredNorm = 0;
            for (int j = 0; j < d; j++)
            {
                double value = plain[c * d + j] - offset[j];
                squaredNorm += value * value;
            }
            _scoredNorms[c] = Math.Sqrt(squaredNorm) * (1 + _normWidening);
            largestNorm = Math.Max(largestNorm, _scoredNorms[c]);
            largestTerm = Math.Max(largestTerm, squaredNorm * (1 + _normWidening));
        }
        return (largestNorm, largestTerm);
    }

    /// <summary>
    /// A lower bound on the distance from a centroid to its nearest other centroid, whose float distance is
    /// <paramref name="nearest"/>; an overflowed distance bounds nothing.
    /// </summary>
    private double SeparationBelow(float nearest, int k)
    {
        if (k == 1)
            return double.PositiveInfinity;
        if (!float.IsFinite(nearest))
            return 0;
        return Math.Max(0, (nearest - _underflowDistance) * (1 - _distanceWidening));
    }

    private static float[] NewMinima(int k)
    {
        var minima = new float[k];
        Array.Fill(minima, float.PositiveInfinity);
        return minima;
    }
}
