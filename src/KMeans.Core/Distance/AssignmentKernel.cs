using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KMeans.Core.Distance;

/// <summary>
/// The hot loop: for each row, the centroid minimising ‖c‖² − 2·x·c (the L2 distance less the row's own norm, or the
/// negated inner product when norms are 0), ties going to the lowest index. With AVX-512 a register-blocked tile of
/// 6 rows × 64 centroids keeps 24 accumulators in registers and does one broadcast per row and dimension. Every
/// (row, centroid) dot product is accumulated in the same order whatever the grouping of rows, so labels do not
/// depend on block boundaries or thread count. With AVX2 and FMA only, tiles of 6 rows × 16 centroids (12 Vector256
/// accumulators) walk the same packed tiles; elsewhere a portable per-pair loop serves.
/// </summary>
internal static unsafe class AssignmentKernel
{
    public const int GroupRows = 6;

    /// <summary>Rows per block that training and assignment hand the kernel: 32 of its register groups.</summary>
    public const int BlockRows = 192;
    private const int Lanes = 16;

    public static bool UsesAvx512 => Avx512F.IsSupported;

    public static bool UsesAvx2 => !UsesAvx512 && Avx2.IsSupported && Fma.IsSupported;

    /// <summary>Per-thread scratch for a block of rows: best value and index per row and lane.</summary>
    public static int ScratchBytesPerThread(int rowsPerBlock) => rowsPerBlock * Lanes * (sizeof(float) + sizeof(int));

    /// <summary>Per-thread memory the kernel needs for a block of <paramref name="rows"/> rows.</summary>
    public sealed class Scratch(int rows)
    {
        public float[] BestValues { get; } = new float[rows * Lanes];

        public int[] BestIndices { get; } = new int[rows * Lanes];
    }

    /// <summary>Labels and scores (‖c‖² − 2·x·c of the chosen centroid) for <paramref name="count"/> rows.</summary>
    public static void Assign(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, Span<int> labels,
        Span<float> scores, Scratch scratch)
    {
        if (UsesAvx512)
            AssignTiled(rows, count, centroids, labels, scores, scratch, wide: true);
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
        ReadOnlySpan<float> plain = centroids.Plain;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> x = rows.Slice(i * d, d);
            float best = float.PositiveInfinity;
            int bestIndex = 0;
            for (int c = 0; c < centroids.K; c++)
            {
                float score = centroids.Norms[c] - 2f * OrderedDot.Of(x, plain.Slice(c * d, d));
                if (score < best)
                {
                    best = score;
                    bestIndex = c;
                }
            }
            labels[i] = bestIndex;
            scores[i] = best;
        }
    }

    /// <summary>
    /// The register-blocked paths: <paramref name="wide"/> selects AVX-512, else AVX2 (tests call both). Quarters of a
    /// tile that hold only padding are skipped (a small K, such as a hierarchical top level of 16, would otherwise pay
    /// for 64 centroids): padding has +∞ scores and never wins, and each centroid's dot product is accumulated the same
    /// way in a quarter as in a whole tile, so results are the same; <paramref name="everyQuarter"/> lets tests check it.
    /// </summary>
    internal static void AssignTiled(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, Span<int> labels,
        Span<float> scores, Scratch scratch, bool wide, bool everyQuarter = false)
    {
        int d = centroids.Dimension;
        Span<float> bestValues = scratch.BestValues.AsSpan(0, count * Lanes);
        Span<int> bestIndices = scratch.BestIndices.AsSpan(0, count * Lanes);
        bestValues.Fill(float.PositiveInfinity);
        bestIndices.Clear();
        fixed (float* x = rows)
        fixed (float* bestValue = bestValues)
        fixed (int* bestIndex = bestIndices)
        {
            for (int t = 0; t < centroids.TileCount; t++)
            {
                float* tile = centroids.Tile(t);
                float* norms = centroids.Norms + t * PackedCentroids.TileWidth;
                int firstCentroid = t * PackedCentroids.TileWidth;
                int quarters = everyQuarter
                    ? PackedCentroids.TileWidth / Lanes
                    : Math.Min(PackedCentroids.TileWidth, centroids.K - firstCentroid + Lanes - 1) / Lanes;
                for (int g = 0; g < count; g += GroupRows)
                {
                    int groupRows = Math.Min(GroupRows, count - g);
                    float* x0 = x + (long)g * d;
                    // Rows missing from a short last group repeat the group's last row; their results are not kept.
                    float* x1 = groupRows > 1 ? x0 + d : x0;
                    float* x2 = groupRows > 2 ? x1 + d : x1;
                    float* x3 = groupRows > 3 ? x2 + d : x2;
                    float* x4 = groupRows > 4 ? x3 + d : x3;
                    float* x5 = groupRows > 5 ? x4 + d : x4;
                    if (wide && quarters == PackedCentroids.TileWidth / Lanes)
                    {
                        Tile6x64(x0, x1, x2, x3, x4, x5, d, tile, norms, firstCentroid,
                            bestValue + g * Lanes, bestIndex + g * Lanes, groupRows);
                    }
                    else if (wide)
                    {
                        for (int quarter = 0; quarter < quarters * Lanes; quarter += Lanes)
                        {
                            Tile6x16Wide(x0, x1, x2, x3, x4, x5, d, tile + quarter, norms + quarter, firstCentroid + quarter,
                                bestValue + g * Lanes, bestIndex + g * Lanes, groupRows);
                        }
                    }
                    else
                    {
                        for (int quarter = 0; quarter < quarters * Lanes; quarter += Lanes)
                        {
                            Tile6x16(x0, x1, x2, x3, x4, x5, d, tile + quarter, norms + quarter, firstCentroid + quarter,
                                bestValue + g * Lanes, bestIndex + g * Lanes, groupRows);
                        }
                    }
                }
            }
            for (int i = 0; i < count; i++)
                ReduceLanes(bestValue + i * Lanes, bestIndex + i * Lanes, out scores[i], out labels[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x64(float* x0, float* x1, float* x2, float* x3, float* x4, float* x5, int d,
        float* tile, float* norms, int firstCentroid, float* bestValue, int* bestIndex, int rows)
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        Vector512<float> a40 = default, a41 = default, a42 = default, a43 = default;
        Vector512<float> a50 = default, a51 = default, a52 = default, a53 = default;
        float* c = tile;
        for (int j = 0; j < d; j++, c += PackedCentroids.TileWidth)
        {
            Vector512<float> c0 = Vector512.LoadAligned(c);
            Vector512<float> c1 = Vector512.LoadAligned(c + 16);
            Vector512<float> c2 = Vector512.LoadAligned(c + 32);
            Vector512<float> c3 = Vector512.LoadAligned(c + 48);
            Vector512<float> b = Vector512.Create(x0[j]);
            a00 = Avx512F.FusedMultiplyAdd(b, c0, a00);
            a01 = Avx512F.FusedMultiplyAdd(b, c1, a01);
            a02 = Avx512F.FusedMultiplyAdd(b, c2, a02);
            a03 = Avx512F.FusedMultiplyAdd(b, c3, a03);
            b = Vector512.Create(x1[j]);
            a10 = Avx512F.FusedMultiplyAdd(b, c0, a10);
            a11 = Avx512F.FusedMultiplyAdd(b, c1, a11);
            a12 = Avx512F.FusedMultiplyAdd(b, c2, a12);
            a13 = Avx512F.FusedMultiplyAdd(b, c3, a13);
            b = Vector512.Create(x2[j]);
            a20 = Avx512F.FusedMultiplyAdd(b, c0, a20);
            a21 = Avx512F.FusedMultiplyAdd(b, c1, a21);
            a22 = Avx512F.FusedMultiplyAdd(b, c2, a22);
            a23 = Avx512F.FusedMultiplyAdd(b, c3, a23);
            b = Vector512.Create(x3[j]);
            a30 = Avx512F.FusedMultiplyAdd(b, c0, a30);
            a31 = Avx512F.FusedMultiplyAdd(b, c1, a31);
            a32 = Avx512F.FusedMultiplyAdd(b, c2, a32);
            a33 = Avx512F.FusedMultiplyAdd(b, c3, a33);
            b = Vector512.Create(x4[j]);
            a40 = Avx512F.FusedMultiplyAdd(b, c0, a40);
            a41 = Avx512F.FusedMultiplyAdd(b, c1, a41);
            a42 = Avx512F.FusedMultiplyAdd(b, c2, a42);
            a43 = Avx512F.FusedMultiplyAdd(b, c3, a43);
            b = Vector512.Create(x5[j]);
            a50 = Avx512F.FusedMultiplyAdd(b, c0, a50);
            a51 = Avx512F.FusedMultiplyAdd(b, c1, a51);
            a52 = Avx512F.FusedMultiplyAdd(b, c2, a52);
            a53 = Avx512F.FusedMultiplyAdd(b, c3, a53);
        }
        KeepBestOf64(a00, a01, a02, a03, norms, firstCentroid, bestValue, bestIndex);
        if (rows > 1) KeepBestOf64(a10, a11, a12, a13, norms, firstCentroid, bestValue + Lanes, bestIndex + Lanes);
        if (rows > 2) KeepBestOf64(a20, a21, a22, a23, norms, firstCentroid, bestValue + 2 * Lanes, bestIndex + 2 * Lanes);
        if (rows > 3) KeepBestOf64(a30, a31, a32, a33, norms, firstCentroid, bestValue + 3 * Lanes, bestIndex + 3 * Lanes);
        if (rows > 4) KeepBestOf64(a40, a41, a42, a43, norms, firstCentroid, bestValue + 4 * Lanes, bestIndex + 4 * Lanes);
        if (rows > 5) KeepBestOf64(a50, a51, a52, a53, norms, firstCentroid, bestValue + 5 * Lanes, bestIndex + 5 * Lanes);
    }

    /// <summary>
    /// 16 centroids of a packed tile with AVX-512 (<paramref name="tile"/> points at their first column; rows of the tile
    /// are 64 floats apart): one 16-lane accumulator per row, each lane computed exactly as in <see cref="Tile6x64"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x16Wide(float* x0, float* x1, float* x2, float* x3, float* x4, float* x5, int d,
        float* tile, float* norms, int firstCentroid, float* bestValue, int* bestIndex, int rows)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        float* c = tile;
        for (int j = 0; j < d; j++, c += PackedCentroids.TileWidth)
        {
            Vector512<float> c0 = Vector512.LoadAligned(c);
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[j]), c0, a0);
            a1 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[j]), c0, a1);
            a2 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[j]), c0, a2);
            a3 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[j]), c0, a3);
            a4 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[j]), c0, a4);
            a5 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[j]), c0, a5);
        }
        KeepBestOf16(a0, norms, firstCentroid, bestValue, bestIndex);
        if (rows > 1) KeepBestOf16(a1, norms, firstCentroid, bestValue + Lanes, bestIndex + Lanes);
        if (rows > 2) KeepBestOf16(a2, norms, firstCentroid, bestValue + 2 * Lanes, bestIndex + 2 * Lanes);
        if (rows > 3) KeepBestOf16(a3, norms, firstCentroid, bestValue + 3 * Lanes, bestIndex + 3 * Lanes);
        if (rows > 4) KeepBestOf16(a4, norms, firstCentroid, bestValue + 4 * Lanes, bestIndex + 4 * Lanes);
        if (rows > 5) KeepBestOf16(a5, norms, firstCentroid, bestValue + 5 * Lanes, bestIndex + 5 * Lanes);
    }

    /// <summary>One row against 16 centroids (one 512-bit accumulator): per lane, keeps the smaller score.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KeepBestOf16(Vector512<float> dot, float* norms, int firstCentroid, float* bestValue, int* bestIndex)
    {
        Vector512<float> best = Vector512.Load(bestValue);
        Vector512<int> index = Vector512.Load(bestIndex);
        Vector512<int> lane = Lanes512(firstCentroid);
        Keep(Avx512F.FusedMultiplyAdd(dot, Vector512.Create(-2f), Vector512.LoadAligned(norms)), lane, ref best, ref index);
        best.Store(bestValue);
        index.Store(bestIndex);
    }

    /// <summary>
    /// 16 centroids of a packed tile (<paramref name="tile"/> points at their first column; rows of the tile are 64
    /// floats apart), as two 8-lane halves that map onto the same 16 best-value lanes as the AVX-512 path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x16(float* x0, float* x1, float* x2, float* x3, float* x4, float* x5, int d,
        float* tile, float* norms, int firstCentroid, float* bestValue, int* bestIndex, int rows)
    {
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
        Vector256<float> a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
        float* c = tile;
        for (int j = 0; j < d; j++, c += PackedCentroids.TileWidth)
        {
            Vector256<float> c0 = Vector256.Load(c);
            Vector256<float> c1 = Vector256.Load(c + 8);
            Vector256<float> b = Vector256.Create(x0[j]);
            a00 = Fma.MultiplyAdd(b, c0, a00);
            a01 = Fma.MultiplyAdd(b, c1, a01);
            b = Vector256.Create(x1[j]);
            a10 = Fma.MultiplyAdd(b, c0, a10);
            a11 = Fma.MultiplyAdd(b, c1, a11);
            b = Vector256.Create(x2[j]);
            a20 = Fma.MultiplyAdd(b, c0, a20);
            a21 = Fma.MultiplyAdd(b, c1, a21);
            b = Vector256.Create(x3[j]);
            a30 = Fma.MultiplyAdd(b, c0, a30);
            a31 = Fma.MultiplyAdd(b, c1, a31);
            b = Vector256.Create(x4[j]);
            a40 = Fma.MultiplyAdd(b, c0, a40);
            a41 = Fma.MultiplyAdd(b, c1, a41);
            b = Vector256.Create(x5[j]);
            a50 = Fma.MultiplyAdd(b, c0, a50);
            a51 = Fma.MultiplyAdd(b, c1, a51);
        }
        KeepBestOf16(a00, a01, norms, firstCentroid, bestValue, bestIndex);
        if (rows > 1) KeepBestOf16(a10, a11, norms, firstCentroid, bestValue + Lanes, bestIndex + Lanes);
        if (rows > 2) KeepBestOf16(a20, a21, norms, firstCentroid, bestValue + 2 * Lanes, bestIndex + 2 * Lanes);
        if (rows > 3) KeepBestOf16(a30, a31, norms, firstCentroid, bestValue + 3 * Lanes, bestIndex + 3 * Lanes);
        if (rows > 4) KeepBestOf16(a40, a41, norms, firstCentroid, bestValue + 4 * Lanes, bestIndex + 4 * Lanes);
        if (rows > 5) KeepBestOf16(a50, a51, norms, firstCentroid, bestValue + 5 * Lanes, bestIndex + 5 * Lanes);
    }

    /// <summary>One row against 16 centroids as two 256-bit halves, kept in the same 16 lanes as <see cref="KeepBestOf16(Vector512{float}, float*, int, float*, int*)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KeepBestOf16(Vector256<float> dot0, Vector256<float> dot1, float* norms, int firstCentroid,
        float* bestValue, int* bestIndex)
    {
        Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create(firstCentroid);
        Vector256<float> minusTwo = Vector256.Create(-2f);
        KeepHalf(Fma.MultiplyAdd(dot0, minusTwo, Vector256.Load(norms)), lane, bestValue, bestIndex);
        KeepHalf(Fma.MultiplyAdd(dot1, minusTwo, Vector256.Load(norms + 8)), lane + Vector256.Create(8), bestValue + 8, bestIndex + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KeepHalf(Vector256<float> score, Vector256<int> centroid, float* bestValue, int* bestIndex)
    {
        Vector256<float> best = Vector256.Load(bestValue);
        Vector256<float> better = Vector256.LessThan(score, best);
        Vector256.ConditionalSelect(better, score, best).Store(bestValue);
        Vector256.ConditionalSelect(better.AsInt32(), centroid, Vector256.Load(bestIndex)).Store(bestIndex);
    }

    /// <summary>
    /// One row against the 64 centroids of a tile (four 512-bit accumulators), folded into the row's 16 best lanes:
    /// centroid firstCentroid + 16·q + lane competes in lane <c>lane</c>, in order q = 0..3.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KeepBestOf64(Vector512<float> dot0, Vector512<float> dot1, Vector512<float> dot2,
        Vector512<float> dot3, float* norms, int firstCentroid, float* bestValue, int* bestIndex)
    {
        Vector512<float> best = Vector512.Load(bestValue);
        Vector512<int> index = Vector512.Load(bestIndex);
        Vector512<int> lane = Lanes512(firstCentroid);
        Vector512<float> minusTwo = Vector512.Create(-2f);
        Keep(Avx512F.FusedMultiplyAdd(dot0, minusTwo, Vector512.LoadAligned(norms)), lane, ref best, ref index);
        Keep(Avx512F.FusedMultiplyAdd(dot1, minusTwo, Vector512.LoadAligned(norms + 16)), lane + Vector512.Create(16), ref best, ref index);
        Keep(Avx512F.FusedMultiplyAdd(dot2, minusTwo, Vector512.LoadAligned(norms + 32)), lane + Vector512.Create(32), ref best, ref index);
        Keep(Avx512F.FusedMultiplyAdd(dot3, minusTwo, Vector512.LoadAligned(norms + 48)), lane + Vector512.Create(48), ref best, ref index);
        best.Store(bestValue);
        index.Store(bestIndex);
    }

    /// <summary>The centroid indices of 16 consecutive lanes from <paramref name="firstCentroid"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Lanes512(int firstCentroid) =>
        Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + Vector512.Create(firstCentroid);

    /// <summary>Per lane, keeps the smaller score; a strict comparison keeps the lower index on ties.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep(Vector512<float> score, Vector512<int> centroid, ref Vector512<float> best, ref Vector512<int> index)
    {
        Vector512<float> better = Vector512.LessThan(score, best);
        best = Vector512.ConditionalSelect(better, score, best);
        index = Vector512.ConditionalSelect(better.AsInt32(), centroid, index);
    }

    private static void ReduceLanes(float* values, int* indices, out float score, out int label)
    {
        float best = values[0];
        int bestIndex = indices[0];
        for (int lane = 1; lane < Lanes; lane++)
        {
            if (values[lane] < best || (values[lane] == best && indices[lane] < bestIndex))
            {
                best = values[lane];
                bestIndex = indices[lane];
            }
        }
        score = best;
        label = bestIndex;
    }
}
