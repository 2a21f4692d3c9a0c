using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KMeans.Core.Distance;

/// <summary>
/// The <c>n</c> nearest centroids of each row, nearest first, for multi-probe search and spilled assignment. It walks
/// the same packed tiles as <see cref="AssignmentKernel"/> and scores every (row, centroid) pair with the same
/// arithmetic (one fused multiply-add per dimension in order from 0, then −2·dot + ‖c‖² fused; the ordered portable
/// dot elsewhere), so each score is bit-identical to the kernel's and the first of the <c>n</c> is the kernel's label.
/// A tile's scores land in a small buffer; a row's list is touched only for the scores below its current <c>n</c>-th,
/// which after the first tiles are few, so the cost stays close to the single-nearest kernel's.
/// </summary>
internal static unsafe class NearestKernel
{
    private const int GroupRows = AssignmentKernel.GroupRows;
    private const int TileWidth = PackedCentroids.TileWidth;

    /// <summary>Scratch for one group of rows against one tile.</summary>
    public static float[] CreateTileScores() => new float[GroupRows * TileWidth];

    /// <summary>
    /// For each of <paramref name="count"/> rows, the <paramref name="n"/> lowest scores (‖c‖² − 2·x·c) in ascending
    /// order, ties to the lower index, and their centroids.
    /// </summary>
    public static void Assign(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, int n, Span<int> labels,
        Span<float> scores, float[] tileScores, KernelPath path)
    {
        int d = centroids.Dimension;
        labels.Slice(0, count * n).Fill(-1);
        scores.Slice(0, count * n).Fill(float.PositiveInfinity);
        fixed (float* x = rows)
        fixed (float* buffer = tileScores)
        fixed (float* best = scores)
        fixed (int* bestLabel = labels)
        {
            for (int t = 0; t < centroids.TileCount; t++)
            {
                int firstCentroid = t * TileWidth;
                int width = Math.Min(TileWidth, centroids.K - firstCentroid);
                for (int g = 0; g < count; g += GroupRows)
                {
                    int groupRows = Math.Min(GroupRows, count - g);
                    float* x0 = x + (long)g * d;
                    switch (path)
                    {
                        case KernelPath.Avx512:
                            ScoreTileAvx512(x0, groupRows, d, centroids.Tile(t), centroids.Norms + firstCentroid, buffer);
                            break;
                        case KernelPath.Avx2:
                            ScoreTileAvx2(x0, groupRows, d, centroids.Tile(t), centroids.Norms + firstCentroid, buffer, width);
                            break;
                        default:
                            ScoreTilePortable(x0, groupRows, centroids, firstCentroid, width, buffer);
                            break;
                    }
                    for (int r = 0; r < groupRows; r++)
                        Merge(buffer + r * TileWidth, width, firstCentroid, n, best + (long)(g + r) * n, bestLabel + (long)(g + r) * n);
                }
            }
        }
    }

    /// <summary>Inserts the tile's scores below the row's current n-th into its sorted list, in centroid order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Merge(float* tileScores, int width, int firstCentroid, int n, float* best, int* bestLabel)
    {
        for (int lane = 0; lane < width; lane += 8)
        {
            uint below = Vector256.LessThan(Vector256.Load(tileScores + lane), Vector256.Create(best[n - 1]))
                .ExtractMostSignificantBits();
            if (width - lane < 8)
                below &= (1u << (width - lane)) - 1;
            while (below != 0)
            {
                int q = lane + BitOperations.TrailingZeroCount(below);
                below &= below - 1;
                float score = tileScores[q];
                if (!(score < best[n - 1]))
                    continue;
                int at = n - 1;
                while (at > 0 && score < best[at - 1])
                {
                    best[at] = best[at - 1];
                    bestLabel[at] = bestLabel[at - 1];
                    at--;
                }
                best[at] = score;
                bestLabel[at] = firstCentroid + q;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreTileAvx512(float* x0, int rows, int d, float* tile, float* norms, float* output)
    {
        float* x1 = rows > 1 ? x0 + d : x0;
        float* x2 = rows > 2 ? x1 + d : x1;
        float* x3 = rows > 3 ? x2 + d : x2;
        float* x4 = rows > 4 ? x3 + d : x3;
        float* x5 = rows > 5 ? x4 + d : x4;
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
        StoreScores(a00, a01, a02, a03, norms, output);
        StoreScores(a10, a11, a12, a13, norms, output + TileWidth);
        StoreScores(a20, a21, a22, a23, norms, output + 2 * TileWidth);
        StoreScores(a30, a31, a32, a33, norms, output + 3 * TileWidth);
        StoreScores(a40, a41, a42, a43, norms, output + 4 * TileWidth);
        StoreScores(a50, a51, a52, a53, norms, output + 5 * TileWidth);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreScores(Vector512<float> dot0, Vector512<float> dot1, Vector512<float> dot2,
        Vector512<float> dot3, float* norms, float* output)
    {
        Vector512<float> minusTwo = Vector512.Create(-2f);
        Avx512F.FusedMultiplyAdd(dot0, minusTwo, Vector512.LoadAligned(norms)).Store(output);
        Avx512F.FusedMultiplyAdd(dot1, minusTwo, Vector512.LoadAligned(norms + 16)).Store(output + 16);
        Avx512F.FusedMultiplyAdd(dot2, minusTwo, Vector512.LoadAligned(norms + 32)).Store(output + 32);
        Avx512F.FusedMultiplyAdd(dot3, minusTwo, Vector512.LoadAligned(norms + 48)).Store(output + 48);
    }

    /// <summary>Quarters of 16 centroids, as the kernel's AVX2 path; quarters holding only padding are skipped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreTileAvx2(float* x0, int rows, int d, float* tile, float* norms, float* output, int width)
    {
        float* x1 = rows > 1 ? x0 + d : x0;
        float* x2 = rows > 2 ? x1 + d : x1;
        float* x3 = rows > 3 ? x2 + d : x2;
        float* x4 = rows > 4 ? x3 + d : x3;
        float* x5 = rows > 5 ? x4 + d : x4;
        Vector256<float> minusTwo = Vector256.Create(-2f);
        for (int quarter = 0; quarter < width; quarter += 16)
        {
            Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
            Vector256<float> a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
            float* c = tile + quarter;
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
            Vector256<float> n0 = Vector256.Load(norms + quarter);
            Vector256<float> n1 = Vector256.Load(norms + quarter + 8);
            float* o = output + quarter;
            Fma.MultiplyAdd(a00, minusTwo, n0).Store(o);
            Fma.MultiplyAdd(a01, minusTwo, n1).Store(o + 8);
            Fma.MultiplyAdd(a10, minusTwo, n0).Store(o + TileWidth);
            Fma.MultiplyAdd(a11, minusTwo, n1).Store(o + TileWidth + 8);
            Fma.MultiplyAdd(a20, minusTwo, n0).Store(o + 2 * TileWidth);
            Fma.MultiplyAdd(a21, minusTwo, n1).Store(o + 2 * TileWidth + 8);
            Fma.MultiplyAdd(a30, minusTwo, n0).Store(o + 3 * TileWidth);
            Fma.MultiplyAdd(a31, minusTwo, n1).Store(o + 3 * TileWidth + 8);
            Fma.MultiplyAdd(a40, minusTwo, n0).Store(o + 4 * TileWidth);
            Fma.MultiplyAdd(a41, minusTwo, n1).Store(o + 4 * TileWidth + 8);
            Fma.MultiplyAdd(a50, minusTwo, n0).Store(o + 5 * TileWidth);
            Fma.MultiplyAdd(a51, minusTwo, n1).Store(o + 5 * TileWidth + 8);
        }
    }

    private static void ScoreTilePortable(float* x0, int rows, PackedCentroids centroids, int firstCentroid, int width,
        float* output)
    {
        int d = centroids.Dimension;
        ReadOnlySpan<float> plain = centroids.Plain;
        for (int r = 0; r < rows; r++)
        {
            var x = new ReadOnlySpan<float>(x0 + (long)r * d, d);
            for (int q = 0; q < width; q++)
            {
                int c = firstCentroid + q;
                output[r * TileWidth + q] = KernelScore.Portable(x, plain.Slice(c * d, d), centroids.Norms[c]);
            }
        }
    }
}
