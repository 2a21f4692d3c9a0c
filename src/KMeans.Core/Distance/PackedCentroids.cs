using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace KMeans.Core.Distance;

/// <summary>
/// Centroids laid out for <see cref="AssignmentKernel"/>: tiles of <see cref="TileWidth"/> centroids, each tile a
/// dimension-major block (for every dimension, the 64 centroids' values side by side), so that the kernel loads four
/// full vectors per dimension. K is padded to whole tiles with +∞ norms, which no row ever picks.
/// </summary>
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
        _unpricedNorms = new float[k];
        Panels = (float*)NativeMemory.AlignedAlloc((nuint)((long)TileCount * TileWidth * dimension * sizeof(float)), Alignment);
        Norms = (float*)NativeMemory.AlignedAlloc((nuint)(TileCount * TileWidth * sizeof(float)), Alignment);
    }

    public int K { get; }

    public int Dimension { get; }

    public int TileCount { get; }

    /// <summary>The centroids row-major, as packed last.</summary>
    public float[] Plain { get; }

    public float* Panels { get; private set; }

    /// <summary>
    /// ‖c‖² per padded centroid for L2, 0 for inner-product metrics, +∞ for padding; plus the centroid's price in the
    /// score's units when packed with prices.
    /// </summary>
    public float* Norms { get; private set; }

    public float* Tile(int tile) => Panels + (long)tile * TileWidth * Dimension;

    /// <summary>Each centroid's norm term without a price, as the last <see cref="Pack(ReadOnlySpan{float}, DistanceMetric, ReadOnlySpan{float})"/> computed it.</summary>
    private readonly float[] _unpricedNorms;

    public void Pack(ReadOnlySpan<float> centroids, DistanceMetric metric) => Pack(centroids, metric, []);

    /// <summary>
    /// Packs the centroids with an additive price per centroid (none when <paramref name="prices"/> is empty), so that
    /// the kernels, unchanged, find the centroid of least distance + price: the kernel's score ‖c‖² − 2·x·c is the L2
    /// distance less ‖x‖², and twice the inner-product metrics' distance less a constant, so the price enters the
    /// norm term once under L2 and twice otherwise.
    /// </summary>
    public void Pack(ReadOnlySpan<float> centroids, DistanceMetric metric, ReadOnlySpan<float> prices)
    {
        if (!prices.IsEmpty && prices.Length != K)
            throw new ArgumentException($"Expected {K} prices, got {prices.Length}.", nameof(prices));
        if (centroids.Length != Plain.Length)
            throw new ArgumentException($"Expected {K} × {Dimension} values, got {centroids.Length}.", nameof(centroids));
        centroids.CopyTo(Plain);
        int d = Dimension;
        for (int t = 0; t < TileCount; t++)
        {
            float* tile = Tile(t);
            for (int q = 0; q < TileWidth; q++)
            {
                int c = t * TileWidth + q;
                if (c < K)
                {
                    ReadOnlySpan<float> row = centroids.Slice(c * d, d);
                    for (int j = 0; j < d; j++)
                        tile[j * TileWidth + q] = row[j];
                    _unpricedNorms[c] = metric == DistanceMetric.L2 ? TensorPrimitives.SumOfSquares(row) : 0f;
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
