using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KMeans.Core.Distance;

/// <summary>
/// The offset m that L2 packing scores centroids relative to (<see cref="PackedCentroids"/>): per dimension, the lower
/// median of up to <see cref="SampleCentroids"/> of them (evenly spread over K), or 0 where that median lies within
/// <see cref="Spreads"/> of their median absolute deviations from it of the origin (data about the origin).
/// </summary>
/// <remarks>
/// It is taken at every packing, once an iteration, on one thread. With AVX-512 sixteen dimensions at a time, one
/// vector of each centroid taken, and the lower median of each lane as the least value that more than half the values
/// do not exceed (n² comparisons, no branch): W2's packing (K = 256, d = 1,024) took 1.2–1.3 ms of its 2.1 ms in a
/// selection per dimension (Hoare's, after copying the centroids dimension-major), about 1.5 % of an iteration while
/// the other thread waited. Elsewhere, and for the dimensions past the last whole vector, that selection remains;
/// either gives the value a sort would put there.
/// </remarks>
internal static class CommonOffset
{
    /// <summary>
    /// Centroids the offset is taken from: every one up to this many, else as many spread evenly. The median of 257 by
    /// sorting made W2's iteration 1.32× the sgemm bound against 1.07× (K = 256, d = 1,024). Fewer cost less but follow
    /// the data less: balanced at 1.2 on 200,000 rows at 50 ± 0.5, 33 left 13 rows above the bound, 65 and 129 none, as
    /// the same rows about the origin.
    /// </summary>
    public const int SampleCentroids = 65;

    /// <summary>
    /// How many median absolute deviations from the origin a dimension's median must lie to be its offset: 3 keeps
    /// data about the origin at 0 (the median of 10 centred values rarely lies 5 standard errors out), while data
    /// offset for their spread (uniform [0, 1) centroids: 0.5 against about 0.02) get one.
    /// </summary>
    private const float Spreads = 3;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] Of(ReadOnlySpan<float> centroids, int k, int dimension)
    {
        int taken = Math.Min(k, SampleCentroids);
        var offset = new float[dimension];
        int first = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Span<Vector512<float>> lanes = stackalloc Vector512<float>[taken];
            for (; first <= dimension - Vector512<float>.Count; first += Vector512<float>.Count)
                SixteenDimensions(centroids, k, dimension, taken, first, lanes).StoreUnsafe(ref offset[first]);
        }
        if (first < dimension)
            RemainingDimensions(centroids, k, dimension, taken, first, offset);
        return offset;
    }

    /// <summary>The offset's dimensions [<paramref name="first"/>, +16), the lanes of one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector512<float> SixteenDimensions(ReadOnlySpan<float> centroids, int k, int dimension, int taken, int first,
        Span<Vector512<float>> lanes)
    {
        ref float start = ref MemoryMarshal.GetReference(centroids);
        for (int i = 0; i < taken; i++)
            lanes[i] = Vector512.LoadUnsafe(ref start, (nuint)((long)TakenCentroid(i, k, taken) * dimension + first));
        // The lower median is the least value v with more than (taken − 1) / 2 values at or below it: a value at or
        // below fewer lies below it, and the median itself has at least (taken − 1) / 2 + 1.
        var enough = Vector512.Create((taken - 1) / 2);
        var infinity = Vector512.Create(float.PositiveInfinity);
        Vector512<float> median = infinity;
        foreach (Vector512<float> candidate in lanes)
        {
            Vector512<int> atOrBelow = Vector512<int>.Zero;
            foreach (Vector512<float> value in lanes)
                atOrBelow -= Vector512.LessThanOrEqual(value, candidate).AsInt32();
            median = Vector512.Min(median, Vector512.ConditionalSelect(Vector512.GreaterThan(atOrBelow, enough).AsSingle(), candidate, infinity));
        }
        Vector512<float> distance = Vector512.Abs(median);
        var spreads = Vector512.Create(Spreads);
        Vector512<int> below = Vector512<int>.Zero;
        foreach (Vector512<float> value in lanes)
            below -= Vector512.LessThan(spreads * Vector512.Abs(value - median), distance).AsInt32();
        return Vector512.ConditionalSelect(Vector512.GreaterThan(below, enough).AsSingle(), median, Vector512<float>.Zero);
    }

    /// <summary>The offset's dimensions from <paramref name="first"/> on, one selection each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RemainingDimensions(ReadOnlySpan<float> centroids, int k, int dimension, int taken, int first,
        Span<float> offset)
    {
        int count = dimension - first;
        // Dimension-major, so that each dimension's values are contiguous for the selection.
        var columns = new float[(long)count * taken];
        for (int i = 0; i < taken; i++)
        {
            ReadOnlySpan<float> centroid = centroids.Slice(TakenCentroid(i, k, taken) * dimension + first, count);
            for (int j = 0; j < count; j++)
                columns[(long)j * taken + i] = centroid[j];
        }
        for (int j = 0; j < count; j++)
        {
            Span<float> values = columns.AsSpan((int)((long)j * taken), taken);
            float median = LowerMedian(values);
            // |median| > 3 × (the lower median of the deviations) exactly when more than (taken − 1) / 2 of them,
            // times 3, lie below |median| (rounding is monotone): a count instead of a second selection. No value lies
            // below an infinite median's distance (∞ or NaN each), so such a median is never kept.
            float distance = Math.Abs(median);
            int below = 0;
            foreach (float value in values)
                below += Spreads * Math.Abs(value - median) < distance ? 1 : 0;
            offset[first + j] = below > (taken - 1) / 2 ? median : 0f;
        }
    }

    private static int TakenCentroid(int i, int k, int taken) => (int)((long)i * k / taken);

    /// <summary>
    /// The lower median of <paramref name="values"/>, which it reorders: Hoare's selection, linear on average where a
    /// sort is n·log n, and the same value a sort would put there (for values without NaN, which centroids never hold).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float LowerMedian(Span<float> values)
    {
        int target = (values.Length - 1) / 2;
        int low = 0, high = values.Length - 1;
        while (low < high)
        {
            float pivot = values[low + (high - low) / 2];
            int i = low, j = high;
            while (i <= j)
            {
                while (values[i] < pivot)
                    i++;
                while (values[j] > pivot)
                    j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            if (target <= j)
                high = j;
            else if (target >= i)
                low = i;
            else
                break;
        }
        return values[target];
    }
}
