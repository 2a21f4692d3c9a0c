using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KMeans.Core.Buffers;

namespace KMeans.Core.Training;

/// <summary>
/// Each cluster's L2 spread about a pivot, its first row p: A = Σ ‖x − p‖² over its rows, taken while the update sums
/// them (<see cref="CentroidUpdate"/>), from which the loss against the mean that the update then gives follows without
/// reading the rows again: Σ ‖x − c‖² = A − 2·(c − p)·(S − n·p) + n·‖c − p‖², S the rows' sum and n their number.
/// </summary>
/// <remarks>
/// The identity is exact; shifting by a row of the cluster keeps its three terms about the size of the loss itself
/// (about 2, 1 and 1 times it, the pivot being a typical row), where the unshifted Σ ‖x‖² − ‖S‖² / n would cancel the
/// digits of a cluster that lies far from the origin for its spread. Differences and squares are taken in double (a
/// difference of two floats is exact there unless they are more than 2²⁹ apart in magnitude) and added in row order,
/// so the spread does not depend on the threads. Memory: two numbers per cluster, and the pivot rows stay in the
/// sample, or where the rows are read from elsewhere (<see cref="Sampling.SampleRereading"/>) a copy of each.
/// </remarks>
internal sealed class PivotSpread
{
    private readonly TrainingBuffer? _sample;
    private readonly long[]? _pivotRows;
    private readonly float[]? _firstRows;
    private readonly bool[]? _hasFirstRow;
    private readonly double[] _spread;

    /// <summary>The pivots of the clusters that <paramref name="labels"/> (one per sample row) form.</summary>
    public PivotSpread(TrainingBuffer sample, int[] labels, int k)
    {
        _sample = sample;
        _pivotRows = new long[k];
        Array.Fill(_pivotRows, -1L);
        _spread = new double[k];
        for (int row = labels.Length - 1; row >= 0; row--)
            _pivotRows[labels[row]] = row;
    }

    /// <summary>Pivots copied from each cluster's first row as it is added: for rows that no buffer keeps.</summary>
    public PivotSpread(int k, int dimension)
    {
        _firstRows = new float[(long)k * dimension];
        _hasFirstRow = new bool[k];
        _spread = new double[k];
    }

    /// <summary>Adds a row of <paramref name="cluster"/>; a cluster's rows come in row order, from one thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int cluster, ReadOnlySpan<float> row)
    {
        if (_hasFirstRow is not null && !_hasFirstRow[cluster])
        {
            row.CopyTo(_firstRows.AsSpan(cluster * row.Length, row.Length));
            _hasFirstRow[cluster] = true;
        }
        _spread[cluster] += SquaredDistance(row, Pivot(cluster, row.Length));
    }

    /// <summary>Whether every row added equals its cluster's pivot: each cluster's rows are one and the same.</summary>
    public bool RowsLieOnTheirPivots => _spread.All(spread => spread == 0);

    private ReadOnlySpan<float> Pivot(int cluster, int dimension) =>
        _firstRows is null ? _sample!.Rows(_pivotRows![cluster], 1) : _firstRows.AsSpan(cluster * dimension, dimension);

    /// <summary>
    /// Σ ‖x − c‖² over the <paramref name="size"/> rows of <paramref name="cluster"/>, whose sum is
    /// <paramref name="sum"/>, against <paramref name="centroid"/>; 0 for an empty cluster.
    /// </summary>
    public double Loss(int cluster, ReadOnlySpan<double> sum, long size, ReadOnlySpan<float> centroid)
    {
        if (size == 0)
            return 0;
        ReadOnlySpan<float> pivot = Pivot(cluster, centroid.Length);
        double cross = 0;
        double shift = 0;
        for (int j = 0; j < centroid.Length; j++)
        {
            double offset = (double)centroid[j] - pivot[j];
            cross += offset * (sum[j] - size * (double)pivot[j]);
            shift += offset * offset;
        }
        // Rounding may leave a cluster whose rows all lie on its centroid a hair below zero.
        return Math.Max(0, _spread[cluster] - 2 * cross + size * shift);
    }

    /// <summary>Σ (x − p)² in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<float> p)
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ps = ref MemoryMarshal.GetReference(p);
        int j = 0;
        double sum = 0;
        if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<float>.Count)
        {
            Vector512<double> lowerSquares = Vector512<double>.Zero, upperSquares = Vector512<double>.Zero;
            for (; j <= x.Length - Vector512<float>.Count; j += Vector512<float>.Count)
            {
                (Vector512<double> xLower, Vector512<double> xUpper) = Vector512.Widen(Vector512.LoadUnsafe(ref xs, (nuint)j));
                (Vector512<double> pLower, Vector512<double> pUpper) = Vector512.Widen(Vector512.LoadUnsafe(ref ps, (nuint)j));
                Vector512<double> lower = xLower - pLower, upper = xUpper - pUpper;
                lowerSquares += lower * lower;
                upperSquares += upper * upper;
            }
            sum = Vector512.Sum(lowerSquares + upperSquares);
        }
        else if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count)
        {
            Vector256<double> lowerSquares = Vector256<double>.Zero, upperSquares = Vector256<double>.Zero;
            for (; j <= x.Length - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                (Vector256<double> xLower, Vector256<double> xUpper) = Vector256.Widen(Vector256.LoadUnsafe(ref xs, (nuint)j));
                (Vector256<double> pLower, Vector256<double> pUpper) = Vector256.Widen(Vector256.LoadUnsafe(ref ps, (nuint)j));
                Vector256<double> lower = xLower - pLower, upper = xUpper - pUpper;
                lowerSquares += lower * lower;
                upperSquares += upper * upper;
            }
            sum = Vector256.Sum(lowerSquares + upperSquares);
        }
        for (; j < x.Length; j++)
        {
            double difference = (double)Unsafe.Add(ref xs, j) - Unsafe.Add(ref ps, j);
            sum += difference * difference;
        }
        return sum;
    }
}
