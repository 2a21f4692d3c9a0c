using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace KMeans.Core.Distance;

/// <summary>
/// Centroids laid out for <see cref="AssignmentKernel"/>: tiles of <see cref="TileWidth"/> centroids, each tile a
/// dimension-major block (for every dimension, the 64 centroids' values side by side), so that the kernel loads four
/// full vectors per dimension. K is padded to whole tiles with +∞ norms, which no row ever picks.
/// </summary>
/// <remarks>
/// Under L2 the centroids are packed relative to an <see cref="Offset"/> m where all of them share one: the kernel's
/// score ‖c‖² − 2·x·c cancels catastrophically in float when the data lie far from the origin for their spread
/// (centroids 100 ± 0.05 gave 1,844 of 5,000 rows a centroid that was not their nearest), so it scores
/// ‖c − m‖² + 2·m·(c − m) − 2·x·(c − m) instead, which is the same score plus 2·x·m − ‖m‖², the same for every
/// centroid of a row, so the ranking is the same and its rounding shrinks with ‖c − m‖. A dimension gets an offset
/// only when every centroid lies within a factor 2 of it, where c − m is exact in float (Sterbenz), so the kernel
/// ranks the very centroids given; data about the origin keep m = 0 and the plain score, bit for bit.
/// </remarks>
internal sealed unsafe class PackedCentroids : IDisposable
{
    public const int TileWidth = 64;
    private const nuint Alignment = 64;

    public PackedCentroids(int k, int dimension)
    {
        K = k;
        Dimension = dimension;
        TileCount = (k + TileWidth - 1) / TileWidth;
        Plain = new float[(long)k * dimension];
        Offset = new float[dimension];
        _unpricedNorms = new float[k];
        Panels = (float*)NativeMemory.AlignedAlloc((nuint)((long)TileCount * TileWidth * dimension * sizeof(float)), Alignment);
        Norms = (float*)NativeMemory.AlignedAlloc((nuint)(TileCount * TileWidth * sizeof(float)), Alignment);
    }

    public int K { get; }

    public int Dimension { get; }

    public int TileCount { get; }

    /// <summary>The centroids row-major, as packed last.</summary>
    public float[] Plain { get; }

    /// <summary>The offset m the panels are relative to (zeros where there is none), as packed last.</summary>
    public float[] Offset { get; }

    /// <summary>Whether <see cref="Offset"/> is not all zeros.</summary>
    public bool HasOffset { get; private set; }

    /// <summary>
    /// One centroid as the kernel scores it: its <see cref="Plain"/> values less <see cref="Offset"/> (exact), which
    /// is what the panels hold. What scores a pair as the kernel does reads this; no second copy of all K is kept.
    /// </summary>
    public void CopyScored(int centroid, Span<float> destination)
    {
        ReadOnlySpan<float> plain = Plain.AsSpan(centroid * Dimension, Dimension);
        if (!HasOffset)
        {
            plain.CopyTo(destination);
            return;
        }
        for (int j = 0; j < plain.Length; j++)
            destination[j] = plain[j] - Offset[j];
    }

    public float* Panels { get; private set; }

    /// <summary>
    /// ‖c‖² per padded centroid for L2 (‖c − m‖² + 2·m·(c − m) with an offset), 0 for inner-product metrics, +∞ for
    /// padding; plus the centroid's price in the score's units when packed with prices.
    /// </summary>
    public float* Norms { get; private set; }

    public float* Tile(int tile) => Panels + (long)tile * TileWidth * Dimension;

    /// <summary>Each centroid's norm term without a price, as the last <see cref="Pack(ReadOnlySpan{float}, DistanceMetric, ReadOnlySpan{float})"/> computed it.</summary>
    private readonly float[] _unpricedNorms;

    public void Pack(ReadOnlySpan<float> centroids, DistanceMetric metric) => Pack(centroids, metric, []);

    /// <summary>
    /// Packs without an offset, so that a score plus the row's ‖x‖² is its squared distance: for k-means‖ seeding and
    /// balancing, which turn scores into distances with each row's ‖x‖² and compare them across packings.
    /// </summary>
    public void PackAboutOrigin(ReadOnlySpan<float> centroids, DistanceMetric metric, ReadOnlySpan<float> prices) =>
        Pack(centroids, metric, prices, offset: false);

    /// <summary>
    /// Packs the centroids with an additive price per centroid (none when <paramref name="prices"/> is empty), so that
    /// the kernels, unchanged, find the centroid of least distance + price: the kernel's score is the L2 distance less
    /// ‖x − m‖² (the same for every centroid of a row), and twice the inner-product metrics' distance less a constant,
    /// so the price enters the norm term once under L2 and twice otherwise.
    /// </summary>
    public void Pack(ReadOnlySpan<float> centroids, DistanceMetric metric, ReadOnlySpan<float> prices) =>
        Pack(centroids, metric, prices, offset: true);

    private void Pack(ReadOnlySpan<float> centroids, DistanceMetric metric, ReadOnlySpan<float> prices, bool offset)
    {
        if (!prices.IsEmpty && prices.Length != K)
            throw new ArgumentException($"Expected {K} prices, got {prices.Length}.", nameof(prices));
        if (centroids.Length != Plain.Length)
            throw new ArgumentException($"Expected {K} × {Dimension} values, got {centroids.Length}.", nameof(centroids));
        centroids.CopyTo(Plain);
        int d = Dimension;
        HasOffset = offset && metric == DistanceMetric.L2 && FindOffset(centroids);
        if (!HasOffset)
            Array.Clear(Offset);
        Span<float> scored = new float[d];
        for (int t = 0; t < TileCount; t++)
        {
            float* tile = Tile(t);
            for (int q = 0; q < TileWidth; q++)
            {
                int c = t * TileWidth + q;
                if (c < K)
                {
                    CopyScored(c, scored);
                    for (int j = 0; j < d; j++)
                        tile[j * TileWidth + q] = scored[j];
                    _unpricedNorms[c] = metric != DistanceMetric.L2 ? 0f
                        : HasOffset ? ShiftedNormTerm(scored) : TensorPrimitives.SumOfSquares(scored);
                    Norms[c] = _unpricedNorms[c];
                    if (!prices.IsEmpty)
                        Norms[c] += metric == DistanceMetric.L2 ? prices[c] : 2f * prices[c];
                }
                else
                {
                    for (int j = 0; j < d; j++)
                        tile[j * TileWidth + q] = 0f;
                    Norms[c] = float.PositiveInfinity;
                }
            }
        }
    }

    /// <summary>
    /// Sets <see cref="Offset"/> to the centroids' mean in every dimension where each centroid lies within a factor 2
    /// of it (so that c − m is exact), 0 elsewhere; false when no dimension has one.
    /// </summary>
    private bool FindOffset(ReadOnlySpan<float> centroids)
    {
        int d = Dimension;
        var sums = new double[d];
        for (int c = 0; c < K; c++)
        {
            for (int j = 0; j < d; j++)
                sums[j] += centroids[c * d + j];
        }
        for (int j = 0; j < d; j++)
        {
            float m = (float)(sums[j] / K);
            Offset[j] = float.IsFinite(m) && m != 0 ? m : 0f;
        }
        // Row by row, as the centroids lie in memory: a dimension loses its offset at the first centroid beyond it.
        for (int c = 0; c < K; c++)
        {
            for (int j = 0; j < d; j++)
            {
                float m = Offset[j], value = centroids[c * d + j];
                if (m > 0 ? value < m / 2 || value > 2 * m : value > m / 2 || value < 2 * m)
                    Offset[j] = 0f;
            }
        }
        foreach (float m in Offset)
        {
            if (m != 0)
                return true;
        }
        return false;
    }

    /// <summary>‖c − m‖² + 2·m·(c − m) for a centroid less the offset, summed in double and rounded once.</summary>
    private float ShiftedNormTerm(ReadOnlySpan<float> shifted)
    {
        double term = 0;
        for (int j = 0; j < shifted.Length; j++)
            term += (double)shifted[j] * shifted[j] + 2.0 * Offset[j] * shifted[j];
        return (float)term;
    }

    /// <summary>
    /// New prices for the centroids packed last, with the same <paramref name="metric"/>: only the norm terms change,
    /// to exactly what packing again would give. The price steps change nothing else, and packing 16,384 centroids
    /// again at every step rewrote 8 MiB of panels each time.
    /// </summary>
    public void Reprice(DistanceMetric metric, ReadOnlySpan<float> prices)
    {
        if (prices.Length != K)
            throw new ArgumentException($"Expected {K} prices, got {prices.Length}.", nameof(prices));
        for (int c = 0; c < K; c++)
            Norms[c] = _unpricedNorms[c] + (metric == DistanceMetric.L2 ? prices[c] : 2f * prices[c]);
    }

    public void Dispose()
    {
        if (Panels == null)
            return;
        NativeMemory.AlignedFree(Panels);
        NativeMemory.AlignedFree(Norms);
        Panels = null;
        Norms = null;
    }
}
