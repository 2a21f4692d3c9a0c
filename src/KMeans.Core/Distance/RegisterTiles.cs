using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KMeans.Core.Distance;

/// <summary>
/// The register-blocked loop that scores rows against packed centroids, for every kernel: with AVX-512 a tile of
/// 6 rows × 64 centroids keeps 24 accumulators in registers and does one broadcast per row and dimension; with AVX2
/// and FMA, 6 rows × 16 centroids (12 Vector256 accumulators) walk the same packed tiles. Rows come as
/// <see cref="PackedCentroids.RowsForTiles"/> gives them, translated by the AVX-512 tiles as they are broadcast where the
/// packing says so. Each (row, centroid) pair
/// keeps one accumulator lane, starts at 0, adds x_j·c_j with one fused multiply-add per dimension in order, then
/// fuses −2·dot + ‖c‖², so a score does not depend on the path's width, on block boundaries or on which rows share a
/// group. What becomes of the scores is the epilogue's business (<see cref="ITileEpilogue"/>).
/// </summary>
internal static unsafe class RegisterTiles
{
    public const int GroupRows = 6;
    private const int Lanes = 16;
    private const int TileWidth = PackedCentroids.TileWidth;

    /// <summary>
    /// Quarters of real centroids from which a whole 6 × 64 tile is faster than a 6 × 16 tile per quarter: one quarter
    /// does 6 fused multiply-adds per broadcast of the six rows' values and load of centroids, the whole tile 24, so
    /// three quarters took 1.4 times as long as the whole tile and two as long (65,536 rows, d = 128, one thread: K = 36
    /// 5.8 ms, K = 48 6.1 ms, K = 32 and K = 64 4.3 ms; K = 100 8.7 ms against 8.2 ms for K = 128).
    /// </summary>
    private const int WholeTileFrom = 3;

    /// <summary>
    /// Scores <paramref name="count"/> rows at <paramref name="rows"/> against every centroid, tile after tile, handing
    /// them to <paramref name="epilogue"/>; <paramref name="wide"/> selects AVX-512, else AVX2. Quarters of a tile that
    /// hold only padding are skipped (a small K, such as a hierarchical top level of 16, would otherwise pay for 64
    /// centroids); <paramref name="everyQuarter"/> scores them anyway, so that tests can check skipping changes nothing.
    /// With AVX-512 a tile of <see cref="WholeTileFrom"/> quarters or more runs as a whole tile, its padding scored too
    /// (epilogues get +∞ there, as for every padding lane).
    /// </summary>
    /// <remarks>
    /// With <paramref name="rowSquares"/>, each row's ‖x − m‖² in float (m the offset, or 0 without one) is written
    /// there as the last tile leaves its group, the rows still in the first-level cache, for <see cref="NearTies"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TEpilogue>(float* rows, int count, PackedCentroids centroids, bool wide, bool everyQuarter,
        ref TEpilogue epilogue, float* rowSquares = null)
        where TEpilogue : struct, ITileEpilogue
    {
        fixed (float* offset = centroids.Offset)
        {
            if (centroids.TilesTranslateRows(wide))
                Run<TEpilogue, RowsLessOffset>(rows, offset, count, centroids, wide, everyQuarter, ref epilogue, rowSquares);
            else
                Run<TEpilogue, RowsAsGiven>(rows, offset, count, centroids, wide, everyQuarter, ref epilogue, rowSquares);
        }
    }

    /// <summary>Rows as the tiles take them: as given.</summary>
    private struct RowsAsGiven;

    /// <summary>
    /// Rows as the tiles take them: less the packing's <see cref="PackedCentroids.Offset"/>, each value translated as it
    /// is broadcast (x_j − m_j rounded once, as <see cref="PackedCentroids.RowsRelative"/> gives it): a subtraction on
    /// the adder pipes beside the multiply-adds, where translating a block into a buffer first cost W2 a read and a
    /// write of 768 KiB per block and the rows' place in the cache (<see cref="PackedCentroids.TilesTranslateRows"/>).
    /// </summary>
    private struct RowsLessOffset;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Offset512<TRows>(float* offset, int j) where TRows : struct =>
        typeof(TRows) == typeof(RowsLessOffset) ? Vector512.Create(offset[j]) : default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row512<TRows>(float value, Vector512<float> offset) where TRows : struct =>
        typeof(TRows) == typeof(RowsLessOffset) ? Vector512.Create(value) - offset : Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TEpilogue, TRows>(float* rows, float* offset, int count, PackedCentroids centroids, bool wide,
        bool everyQuarter, ref TEpilogue epilogue, float* rowSquares)
        where TEpilogue : struct, ITileEpilogue
        where TRows : struct
    {
        int d = centroids.Dimension;
        for (int t = 0; t < centroids.TileCount; t++)
        {
            float* tile = centroids.Tile(t);
            float* norms = centroids.Norms + t * TileWidth;
            int firstCentroid = t * TileWidth;
            int quarters = everyQuarter
                ? TileWidth / Lanes
                : Math.Min(TileWidth, centroids.K - firstCentroid + Lanes - 1) / Lanes;
            for (int g = 0; g < count; g += GroupRows)
            {
                int groupRows = Math.Min(GroupRows, count - g);
                float* x0 = rows + (long)g * d;
                // Rows missing from a short last group repeat the group's last row; their scores are not handed on.
                float* x1 = groupRows > 1 ? x0 + d : x0;
                float* x2 = groupRows > 2 ? x1 + d : x1;
                float* x3 = groupRows > 3 ? x2 + d : x2;
                float* x4 = groupRows > 4 ? x3 + d : x3;
                float* x5 = groupRows > 5 ? x4 + d : x4;
                if (wide && quarters >= WholeTileFrom)
                {
                    Tile6x64<TEpilogue, TRows>(x0, x1, x2, x3, x4, x5, offset, d, tile, norms, firstCentroid, g, groupRows, ref epilogue);
                }
                else if (wide)
                {
                    for (int quarter = 0; quarter < quarters * Lanes; quarter += Lanes)
                    {
                        Tile6x16Wide<TEpilogue, TRows>(x0, x1, x2, x3, x4, x5, offset, d, tile + quarter, norms + quarter, firstCentroid + quarter,
                            g, groupRows, ref epilogue);
                    }
                }
                else
                {
                    for (int quarter = 0; quarter < quarters * Lanes; quarter += Lanes)
                    {
                        Tile6x16(x0, x1, x2, x3, x4, x5, d, tile + quarter, norms + quarter, firstCentroid + quarter,
                            g, groupRows, ref epilogue);
                    }
                }
                if (rowSquares is not null && t == centroids.TileCount - 1)
                {
                    for (int r = 0; r < groupRows; r++)
                        rowSquares[g + r] = SquaredNorm<TRows>(x0 + (long)r * d, offset, d);
                }
            }
        }
    }

    /// <summary>
    /// ‖x − m‖² of a row as the tiles take it (translated by the offset, or as given: already translated, or without
    /// one), in float, in four registers so that the additions' latency does not set the pace.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SquaredNorm<TRows>(float* row, float* offset, int d) where TRows : struct
    {
        bool translate = typeof(TRows) == typeof(RowsLessOffset);
        int j = 0;
        float total = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; j <= d - 64; j += 64)
            {
                Vector512<float> v0 = Vector512.Load(row + j), v1 = Vector512.Load(row + j + 16);
                Vector512<float> v2 = Vector512.Load(row + j + 32), v3 = Vector512.Load(row + j + 48);
                if (translate)
                {
                    v0 -= Vector512.Load(offset + j);
                    v1 -= Vector512.Load(offset + j + 16);
                    v2 -= Vector512.Load(offset + j + 32);
                    v3 -= Vector512.Load(offset + j + 48);
                }
                (s0, s1, s2, s3) = (s0 + v0 * v0, s1 + v1 * v1, s2 + v2 * v2, s3 + v3 * v3);
            }
            for (; j <= d - 16; j += 16)
            {
                Vector512<float> v = translate ? Vector512.Load(row + j) - Vector512.Load(offset + j) : Vector512.Load(row + j);
                s0 += v * v;
            }
            total = Vector512.Sum(s0 + s1 + (s2 + s3));
        }
        else
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; j <= d - 32; j += 32)
            {
                Vector256<float> v0 = Vector256.Load(row + j), v1 = Vector256.Load(row + j + 8);
                Vector256<float> v2 = Vector256.Load(row + j + 16), v3 = Vector256.Load(row + j + 24);
                if (translate)
                {
                    v0 -= Vector256.Load(offset + j);
                    v1 -= Vector256.Load(offset + j + 8);
                    v2 -= Vector256.Load(offset + j + 16);
                    v3 -= Vector256.Load(offset + j + 24);
                }
                (s0, s1, s2, s3) = (s0 + v0 * v0, s1 + v1 * v1, s2 + v2 * v2, s3 + v3 * v3);
            }
            for (; j <= d - 8; j += 8)
            {
                Vector256<float> v = translate ? Vector256.Load(row + j) - Vector256.Load(offset + j) : Vector256.Load(row + j);
                s0 += v * v;
            }
            total = Vector256.Sum(s0 + s1 + (s2 + s3));
        }
        for (; j < d; j++)
        {
            float v = translate ? row[j] - offset[j] : row[j];
            total += v * v;
        }
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x64<TEpilogue, TRows>(float* x0, float* x1, float* x2, float* x3, float* x4, float* x5,
        float* offset, int d, float* tile, float* norms, int firstCentroid, int firstRow, int rows, ref TEpilogue epilogue)
        where TEpilogue : struct, ITileEpilogue
        where TRows : struct
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        Vector512<float> a40 = default, a41 = default, a42 = default, a43 = default;
        Vector512<float> a50 = default, a51 = default, a52 = default, a53 = default;
        float* c = tile;
        for (int j = 0; j < d; j++, c += TileWidth)
        {
            Vector512<float> c0 = Vector512.LoadAligned(c);
            Vector512<float> c1 = Vector512.LoadAligned(c + 16);
            Vector512<float> c2 = Vector512.LoadAligned(c + 32);
            Vector512<float> c3 = Vector512.LoadAligned(c + 48);
            Vector512<float> m = Offset512<TRows>(offset, j);
            Vector512<float> b = Row512<TRows>(x0[j], m);
            a00 = Avx512F.FusedMultiplyAdd(b, c0, a00);
            a01 = Avx512F.FusedMultiplyAdd(b, c1, a01);
            a02 = Avx512F.FusedMultiplyAdd(b, c2, a02);
            a03 = Avx512F.FusedMultiplyAdd(b, c3, a03);
            b = Row512<TRows>(x1[j], m);
            a10 = Avx512F.FusedMultiplyAdd(b, c0, a10);
            a11 = Avx512F.FusedMultiplyAdd(b, c1, a11);
            a12 = Avx512F.FusedMultiplyAdd(b, c2, a12);
            a13 = Avx512F.FusedMultiplyAdd(b, c3, a13);
            b = Row512<TRows>(x2[j], m);
            a20 = Avx512F.FusedMultiplyAdd(b, c0, a20);
            a21 = Avx512F.FusedMultiplyAdd(b, c1, a21);
            a22 = Avx512F.FusedMultiplyAdd(b, c2, a22);
            a23 = Avx512F.FusedMultiplyAdd(b, c3, a23);
            b = Row512<TRows>(x3[j], m);
            a30 = Avx512F.FusedMultiplyAdd(b, c0, a30);
            a31 = Avx512F.FusedMultiplyAdd(b, c1, a31);
            a32 = Avx512F.FusedMultiplyAdd(b, c2, a32);
            a33 = Avx512F.FusedMultiplyAdd(b, c3, a33);
            b = Row512<TRows>(x4[j], m);
            a40 = Avx512F.FusedMultiplyAdd(b, c0, a40);
            a41 = Avx512F.FusedMultiplyAdd(b, c1, a41);
            a42 = Avx512F.FusedMultiplyAdd(b, c2, a42);
            a43 = Avx512F.FusedMultiplyAdd(b, c3, a43);
            b = Row512<TRows>(x5[j], m);
            a50 = Avx512F.FusedMultiplyAdd(b, c0, a50);
            a51 = Avx512F.FusedMultiplyAdd(b, c1, a51);
            a52 = Avx512F.FusedMultiplyAdd(b, c2, a52);
            a53 = Avx512F.FusedMultiplyAdd(b, c3, a53);
        }
        Vector512<float> minusTwo = Vector512.Create(-2f);
        Vector512<float> n0 = Vector512.LoadAligned(norms);
        Vector512<float> n1 = Vector512.LoadAligned(norms + 16);
        Vector512<float> n2 = Vector512.LoadAligned(norms + 32);
        Vector512<float> n3 = Vector512.LoadAligned(norms + 48);
        epilogue.Take64(firstRow, Avx512F.FusedMultiplyAdd(a00, minusTwo, n0), Avx512F.FusedMultiplyAdd(a01, minusTwo, n1),
            Avx512F.FusedMultiplyAdd(a02, minusTwo, n2), Avx512F.FusedMultiplyAdd(a03, minusTwo, n3), firstCentroid);
        if (rows > 1)
            epilogue.Take64(firstRow + 1, Avx512F.FusedMultiplyAdd(a10, minusTwo, n0), Avx512F.FusedMultiplyAdd(a11, minusTwo, n1),
                Avx512F.FusedMultiplyAdd(a12, minusTwo, n2), Avx512F.FusedMultiplyAdd(a13, minusTwo, n3), firstCentroid);
        if (rows > 2)
            epilogue.Take64(firstRow + 2, Avx512F.FusedMultiplyAdd(a20, minusTwo, n0), Avx512F.FusedMultiplyAdd(a21, minusTwo, n1),
                Avx512F.FusedMultiplyAdd(a22, minusTwo, n2), Avx512F.FusedMultiplyAdd(a23, minusTwo, n3), firstCentroid);
        if (rows > 3)
            epilogue.Take64(firstRow + 3, Avx512F.FusedMultiplyAdd(a30, minusTwo, n0), Avx512F.FusedMultiplyAdd(a31, minusTwo, n1),
                Avx512F.FusedMultiplyAdd(a32, minusTwo, n2), Avx512F.FusedMultiplyAdd(a33, minusTwo, n3), firstCentroid);
        if (rows > 4)
            epilogue.Take64(firstRow + 4, Avx512F.FusedMultiplyAdd(a40, minusTwo, n0), Avx512F.FusedMultiplyAdd(a41, minusTwo, n1),
                Avx512F.FusedMultiplyAdd(a42, minusTwo, n2), Avx512F.FusedMultiplyAdd(a43, minusTwo, n3), firstCentroid);
        if (rows > 5)
            epilogue.Take64(firstRow + 5, Avx512F.FusedMultiplyAdd(a50, minusTwo, n0), Avx512F.FusedMultiplyAdd(a51, minusTwo, n1),
                Avx512F.FusedMultiplyAdd(a52, minusTwo, n2), Avx512F.FusedMultiplyAdd(a53, minusTwo, n3), firstCentroid);
    }

    /// <summary>
    /// 16 centroids of a packed tile with AVX-512 (<paramref name="tile"/> points at their first column; rows of the tile
    /// are 64 floats apart): one 16-lane accumulator per row, each lane computed exactly as in <see cref="Tile6x64"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x16Wide<TEpilogue, TRows>(float* x0, float* x1, float* x2, float* x3, float* x4, float* x5,
        float* offset, int d, float* tile, float* norms, int firstCentroid, int firstRow, int rows, ref TEpilogue epilogue)
        where TEpilogue : struct, ITileEpilogue
        where TRows : struct
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        float* c = tile;
        for (int j = 0; j < d; j++, c += TileWidth)
        {
            Vector512<float> c0 = Vector512.LoadAligned(c);
            Vector512<float> m = Offset512<TRows>(offset, j);
            a0 = Avx512F.FusedMultiplyAdd(Row512<TRows>(x0[j], m), c0, a0);
            a1 = Avx512F.FusedMultiplyAdd(Row512<TRows>(x1[j], m), c0, a1);
            a2 = Avx512F.FusedMultiplyAdd(Row512<TRows>(x2[j], m), c0, a2);
            a3 = Avx512F.FusedMultiplyAdd(Row512<TRows>(x3[j], m), c0, a3);
            a4 = Avx512F.FusedMultiplyAdd(Row512<TRows>(x4[j], m), c0, a4);
            a5 = Avx512F.FusedMultiplyAdd(Row512<TRows>(x5[j], m), c0, a5);
        }
        Vector512<float> minusTwo = Vector512.Create(-2f);
        Vector512<float> n = Vector512.LoadAligned(norms);
        epilogue.Take16(firstRow, Avx512F.FusedMultiplyAdd(a0, minusTwo, n), firstCentroid);
        if (rows > 1) epilogue.Take16(firstRow + 1, Avx512F.FusedMultiplyAdd(a1, minusTwo, n), firstCentroid);
        if (rows > 2) epilogue.Take16(firstRow + 2, Avx512F.FusedMultiplyAdd(a2, minusTwo, n), firstCentroid);
        if (rows > 3) epilogue.Take16(firstRow + 3, Avx512F.FusedMultiplyAdd(a3, minusTwo, n), firstCentroid);
        if (rows > 4) epilogue.Take16(firstRow + 4, Avx512F.FusedMultiplyAdd(a4, minusTwo, n), firstCentroid);
        if (rows > 5) epilogue.Take16(firstRow + 5, Avx512F.FusedMultiplyAdd(a5, minusTwo, n), firstCentroid);
    }

    /// <summary>
    /// 16 centroids of a packed tile (<paramref name="tile"/> points at their first column; rows of the tile are 64
    /// floats apart) as two 8-lane halves, rows as given.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x16<TEpilogue>(float* x0, float* x1, float* x2, float* x3, float* x4, float* x5,
        int d, float* tile, float* norms, int firstCentroid, int firstRow, int rows, ref TEpilogue epilogue)
        where TEpilogue : struct, ITileEpilogue
    {
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
        Vector256<float> a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
        float* c = tile;
        for (int j = 0; j < d; j++, c += TileWidth)
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
        Vector256<float> minusTwo = Vector256.Create(-2f);
        Vector256<float> n0 = Vector256.Load(norms);
        Vector256<float> n1 = Vector256.Load(norms + 8);
        epilogue.Take16(firstRow, Fma.MultiplyAdd(a00, minusTwo, n0), Fma.MultiplyAdd(a01, minusTwo, n1), firstCentroid);
        if (rows > 1) epilogue.Take16(firstRow + 1, Fma.MultiplyAdd(a10, minusTwo, n0), Fma.MultiplyAdd(a11, minusTwo, n1), firstCentroid);
        if (rows > 2) epilogue.Take16(firstRow + 2, Fma.MultiplyAdd(a20, minusTwo, n0), Fma.MultiplyAdd(a21, minusTwo, n1), firstCentroid);
        if (rows > 3) epilogue.Take16(firstRow + 3, Fma.MultiplyAdd(a30, minusTwo, n0), Fma.MultiplyAdd(a31, minusTwo, n1), firstCentroid);
        if (rows > 4) epilogue.Take16(firstRow + 4, Fma.MultiplyAdd(a40, minusTwo, n0), Fma.MultiplyAdd(a41, minusTwo, n1), firstCentroid);
        if (rows > 5) epilogue.Take16(firstRow + 5, Fma.MultiplyAdd(a50, minusTwo, n0), Fma.MultiplyAdd(a51, minusTwo, n1), firstCentroid);
    }
}
