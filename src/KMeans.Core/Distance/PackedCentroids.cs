using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

using KMeans.Core.Numerics;

namespace KMeans.Core.Distance;

/// <summary>
/// Centroids laid out for <see cref="AssignmentKernel"/>: tiles of <see cref="TileWidth"/> centroids, each tile a
/// dimension-major block (for every dimension, the 64 centroids' values side by side), so that the kernel loads four
/// full vectors per dimension. K is padded to whole tiles with +∞ norms, which no row ever picks.
/// </summary>
/// <remarks>
/// Under L2 the centroids are packed relative to an <see cref="Offset"/> m, a point among them: the kernel's score
/// ‖c‖² − 2·x·c cancels catastrophically in float when the data lie far from the origin for their spread (centroids
/// 100 ± 0.05 gave 1,844 of 5,000 rows a centroid that was not their nearest), so it scores
/// ‖c − m‖² − 2·(x − m)·(c − m) instead, rows and centroids less m: the same score plus 2·x·m − ‖m‖², the same for
/// every centroid of a row, so the ranking is the same, and its rounding shrinks with ‖x − m‖ and ‖c − m‖. m is, per
/// dimension, the median of (up to 65 of) the centroids, so that a few far ones (rows of zeros among data far from the
/// origin) do not move it, and 0 where that median is within a few of the centroids' own spreads of the origin: data
/// about the origin keep the plain score, bit for bit. The panels hold c − m and the kernels take rows x − m (in
/// registers or from <see cref="RowsRelative"/>), rounded to float, so the kernel ranks points within a relative 2⁻²⁴ of
/// ‖c − m‖ and ‖x − m‖ of the ones given, which <see cref="Training.SkipBounds"/> allows for. Balancing and k-means‖
/// seeding, which turn scores into distances, pack relative to one offset for a whole run (<see cref="PackRelativeTo"/>).
/// </remarks>
internal sealed unsafe class PackedCentroids : IDisposable
{
    public const int TileWidth = 64;
    private const nuint Alignment = 64;

    /// <param name="screens">
    /// Keep the centroids as 8-bit integers too (<see cref="Screen"/>), for Lloyd's passes, which pass each row's last
    /// label as a hint (<see cref="ScreenedAssignment.Screens"/> decides).
    /// </param>
    public PackedCentroids(int k, int dimension, bool screens = false)
    {
        _screens = screens;
        K = k;
        Dimension = dimension;
        TileCount = (k + TileWidth - 1) / TileWidth;
        _plain = new LineAligned<float>(checked(k * dimension));
        _offset = new LineAligned<float>(dimension);
        _unpricedNorms = new float[k];
        Panels = (float*)NativeMemory.AlignedAlloc((nuint)((long)TileCount * TileWidth * dimension * sizeof(float)), Alignment);
        Norms = (float*)NativeMemory.AlignedAlloc((nuint)(TileCount * TileWidth * sizeof(float)), Alignment);
    }

    public int K { get; }

    public int Dimension { get; }

    public int TileCount { get; }

    private readonly LineAligned<float> _plain;

    /// <summary>
    /// The centroids row-major, as packed last, from a cache-line boundary: the update's row losses and the bounds
    /// read them with 512-bit loads, which straddled two lines per load where the heap put the array off a line.
    /// </summary>
    public Span<float> Plain => _plain.Span;

    private readonly LineAligned<float> _offset;

    /// <summary>
    /// The offset m the panels are relative to (zeros where there is none), as packed last; from a cache-line boundary,
    /// as rows are translated by it with 512-bit loads.
    /// </summary>
    public Span<float> Offset => _offset.Span;

    /// <summary>Whether <see cref="Offset"/> is not all zeros.</summary>
    public bool HasOffset { get; private set; }

    /// <summary>
    /// One centroid as the kernel scores it: its <see cref="Plain"/> values less <see cref="Offset"/> (rounded to
    /// float), which is what the panels hold. What scores a pair as the kernel does reads this; no second copy of all
    /// K is kept here (<see cref="ScreenedAssignment"/> keeps one, <see cref="QuantizedCentroids.Scored"/>, for its pairs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CopyScored(int centroid, Span<float> destination)
    {
        ReadOnlySpan<float> plain = Plain.Slice(centroid * Dimension, Dimension);
        if (!HasOffset)
        {
            plain.CopyTo(destination);
            return;
        }
        TensorPrimitives.Subtract(plain, Offset, destination);
    }

    public float* Panels { get; private set; }

    /// <summary>
    /// ‖c‖² per padded centroid for L2 (‖c − m‖² with an offset), 0 for inner-product metrics, +∞ for padding; plus
    /// the centroid's price in the score's units when packed with prices.
    /// </summary>
    public float* Norms { get; private set; }

    /// <summary>
    /// Whether the kernels settle rows whose two best scores lie within rounding of each other by exact distances
    /// (<see cref="NearTies"/>): L2 without prices. A balanced model's priced scores keep the float comparison its
    /// balancing made, so that assigning its sample reproduces the balanced sizes.
    /// </summary>
    public bool SettlesNearTies { get; private set; }

    /// <summary>
    /// The centroids as 8-bit integers for <see cref="ScreenedAssignment"/>, as packed last, where this packing screens
    /// and was packed without prices; else null.
    /// </summary>
    public QuantizedCentroids? Screen { get; private set; }

    private readonly bool _screens;

    /// <summary>The quantised copy, kept from packing to packing.</summary>
    private QuantizedCentroids? _quantized;

    /// <summary>The largest ‖c − m‖² (‖c‖² without an offset) of the real centroids, as packed, for <see cref="NearTies"/>.</summary>
    public float LargestNormTerm { get; private set; }

    public float* Tile(int tile) => Panels + (long)tile * TileWidth * Dimension;

    /// <summary>Each centroid's norm term without a price, as the last <see cref="Pack(ReadOnlySpan{float}, DistanceMetric, ReadOnlySpan{float})"/> computed it.</summary>
    private readonly float[] _unpricedNorms;

    public void Pack(ReadOnlySpan<float> centroids, DistanceMetric metric) => Pack(centroids, metric, []);

    /// <summary>
    /// Packs relative to a given <paramref name="offset"/> (L2): centroids packed apart from others (a subset) score
    /// as they do among them, so that their scores turned into distances compare.
    /// </summary>
    public void PackRelativeTo(ReadOnlySpan<float> offset, ReadOnlySpan<float> centroids, DistanceMetric metric)
    {
        if (offset.Length != Dimension)
            throw new ArgumentException($"Expected an offset of {Dimension} values, got {offset.Length}.", nameof(offset));
        offset.CopyTo(Offset);
        Pack(centroids, metric, [], findOffset: false, keepOffset: metric == DistanceMetric.L2 && offset.ContainsAnyExcept(0f));
    }

    /// <summary>
    /// Packs the centroids with an additive price per centroid (none when <paramref name="prices"/> is empty), so that
    /// the kernels, unchanged, find the centroid of least distance + price: the kernel's score is the L2 distance less
    /// ‖x − m‖² (the same for every centroid of a row), and twice the inner-product metrics' distance less a constant,
    /// so the price enters the norm term once under L2 and twice otherwise.
    /// </summary>
    public void Pack(ReadOnlySpan<float> centroids, DistanceMetric metric, ReadOnlySpan<float> prices) =>
        Pack(centroids, metric, prices, findOffset: true);

    /// <param name="findOffset">Take the centroids' common offset (L2); else keep <see cref="Offset"/> as set when
    /// <paramref name="keepOffset"/>, or pack about the origin.</param>
    // Fully optimized from the first call, as every method here that an iteration runs: packing runs once an
    // iteration, too few times for the tiered JIT to promote it in time (the offset of W2's centroids took 3.7 ms a
    // packing at first against 1.6 ms fully optimized, a probe of 20 packings).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Pack(ReadOnlySpan<float> centroids, DistanceMetric metric, ReadOnlySpan<float> prices, bool findOffset,
        bool keepOffset = false)
    {
        if (!prices.IsEmpty && prices.Length != K)
            throw new ArgumentException($"Expected {K} prices, got {prices.Length}.", nameof(prices));
        if (centroids.Length != Plain.Length)
            throw new ArgumentException($"Expected {K} × {Dimension} values, got {centroids.Length}.", nameof(centroids));
        centroids.CopyTo(Plain);
        int d = Dimension;
        HasOffset = keepOffset || (findOffset && metric == DistanceMetric.L2 && FindOffset(centroids));
        if (!HasOffset)
            Offset.Clear();
        SettlesNearTies = metric == DistanceMetric.L2 && prices.IsEmpty;
        LargestNormTerm = 0;
        for (int t = 0; t < TileCount; t++)
        {
            FillPanel(t);
            for (int q = 0; q < TileWidth; q++)
            {
                int c = t * TileWidth + q;
                if (c < K)
                {
                    ReadOnlySpan<float> centroid = Plain.Slice(c * d, d);
                    _unpricedNorms[c] = metric != DistanceMetric.L2 ? 0f
                        : HasOffset ? ShiftedNormTerm(centroid, Offset) : TensorPrimitives.SumOfSquares(centroid);
                    Norms[c] = _unpricedNorms[c];
                    LargestNormTerm = Math.Max(LargestNormTerm, _unpricedNorms[c]);
                    if (!prices.IsEmpty)
                        Norms[c] += metric == DistanceMetric.L2 ? prices[c] : 2f * prices[c];
                }
                else
                {
                    Norms[c] = float.PositiveInfinity;
                }
            }
        }
        Screen = null;
        if (_screens && prices.IsEmpty)
        {
            _quantized ??= new QuantizedCentroids(K, Dimension);
            _quantized.Quantize(this);
            Screen = _quantized;
        }
    }

    /// <summary>
    /// Tile <paramref name="tile"/>'s panel (c − m rounded to float, as <see cref="CopyScored"/> gives them; 0 for
    /// padding), sixteen dimensions at a time: each centroid's 16 values, one cache line, go to the 16 runs of 64 values
    /// those dimensions hold, 4 KiB that stay in the first-level cache across the tile's centroids. Centroid by
    /// centroid over all dimensions, each value went to another line (W2's packing spent 0.37 ms copying the centroids
    /// less the offset and 0.31 ms on those stores, a throwaway stopwatch); dimension by dimension over the centroids,
    /// W2's rows 4 KiB apart all fell in one set of the first-level cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillPanel(int tile)
    {
        const int Block = 16;
        int d = Dimension;
        int first = tile * TileWidth;
        int real = Math.Min(TileWidth, K - first);
        float* panel = Tile(tile);
        fixed (float* plain = Plain)
        fixed (float* offset = Offset)
        {
            for (int j0 = 0; j0 < d; j0 += Block)
            {
                int width = Math.Min(Block, d - j0);
                float* runs = panel + (long)j0 * TileWidth;
                // Without an offset it is all zeros, and x − 0 is x, bit for bit.
                for (int q = 0; q < real; q++)
                {
                    float* values = plain + (long)(first + q) * d + j0;
                    for (int i = 0; i < width; i++)
                        runs[i * TileWidth + q] = values[i] - offset[j0 + i];
                }
                for (int i = 0; i < width; i++)
                    new Span<float>(runs + i * TileWidth + real, TileWidth - real).Clear();
            }
        }
    }

    /// <summary>Sets <see cref="Offset"/> to <see cref="CommonOffset"/>'s; false when it is all zeros.</summary>
    private bool FindOffset(ReadOnlySpan<float> centroids)
    {
        CommonOffset.Of(centroids, K, Dimension).CopyTo(Offset);
        foreach (float m in Offset)
        {
            if (m != 0)
                return true;
        }
        return false;
    }

    /// <summary>‖c − m‖² for a centroid less the offset, summed in double and rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ShiftedNormTerm(ReadOnlySpan<float> centroid, ReadOnlySpan<float> offset)
    {
        double term = 0;
        for (int j = 0; j < centroid.Length; j++)
        {
            float shifted = centroid[j] - offset[j];
            term += (double)shifted * shifted;
        }
        return (float)term;
    }

    /// <summary>A thread's rows less the offset, from a cache-line boundary: written and read with 512-bit stores and loads.</summary>
    [ThreadStatic]
    private static LineAligned<float>? t_rowsRelative;

    /// <summary>
    /// Most tiles for which the AVX-512 tiles take rows less the offset in registers (a subtraction per row and
    /// dimension in every tile) rather than from <see cref="RowsRelative"/> (one pass per block into a buffer beside
    /// the rows): `kernel`, one thread, alternating: W2 (4 tiles, d = 1,024) 133–134 ms in registers against 142–143
    /// from the buffer, W1 (8 tiles, d = 128) 70.0–71.3 against 68.2–69.7 (Zen 4). The AVX2 tiles always take the
    /// buffer: on Zen 3 the subtraction beside their 12 multiply-adds cost W2's shape a quarter of its rate (a probe,
    /// one thread, 6 × 16 tiles over 65,536 × 1,024 rows: 41–61 GFLOP/s against 64–74 without it).
    /// </summary>
    private const int TilesTranslatingInRegisters = 4;

    /// <summary>Whether the tiled kernels, AVX-512 ones if <paramref name="wide"/>, translate rows in registers (<see cref="RowsForTiles"/>).</summary>
    public bool TilesTranslateRows(bool wide) => wide && HasOffset && TileCount <= TilesTranslatingInRegisters;

    /// <summary>
    /// Rows as the tiled kernels, AVX-512 ones if <paramref name="wide"/>, take them (<see cref="RegisterTiles.Run"/>):
    /// as given where there is no offset or the tiles translate them in registers, else <see cref="RowsRelative"/>.
    /// </summary>
    public ReadOnlySpan<float> RowsForTiles(ReadOnlySpan<float> rows, int count, bool wide) =>
        TilesTranslateRows(wide) ? rows : RowsRelative(rows, count);

    /// <summary>
    /// <paramref name="count"/> rows as the kernels score them against these centroids: less <see cref="Offset"/>,
    /// rounded to float, in a buffer of the calling thread's (valid until its next call), or as they are without an
    /// offset.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<float> RowsRelative(ReadOnlySpan<float> rows, int count)
    {
        if (!HasOffset)
            return rows;
        int d = Dimension;
        int length = count * d;
        Span<float> buffer = (t_rowsRelative is { } kept && kept.Length >= length ? kept : t_rowsRelative = new LineAligned<float>(length)).Span;
        // Its own vector loop rather than TensorPrimitives.Subtract, which ran ten times slower until the tiered JIT
        // promoted it, a few iterations into a training; either rounds each difference once, as a scalar would.
        fixed (float* source = rows)
        fixed (float* target = buffer)
        fixed (float* offset = Offset)
        {
            int wideEnd = Vector512.IsHardwareAccelerated ? d - d % Vector512<float>.Count : 0;
            int narrowEnd = d - d % Vector256<float>.Count;
            for (long i = 0; i < count; i++)
            {
                float* row = source + i * d, relative = target + i * d;
                int j = 0;
                for (; j < wideEnd; j += Vector512<float>.Count)
                    (Vector512.Load(row + j) - Vector512.Load(offset + j)).Store(relative + j);
                for (; j < narrowEnd; j += Vector256<float>.Count)
                    (Vector256.Load(row + j) - Vector256.Load(offset + j)).Store(relative + j);
                for (; j < d; j++)
                    relative[j] = row[j] - offset[j];
            }
        }
        return buffer[..length];
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
        SettlesNearTies = false;
        Screen = null;
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
        _quantized?.Dispose();
        Screen = null;
    }
}
