using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KMeans.Core.Distance;

/// <summary>
/// The magnitudes a vector's values may have, per metric, so that no loss or distance can overflow float. Cosine
/// compares directions only: rows and centroids are normalised (<see cref="Numerics.VectorNorm"/>) before any other
/// arithmetic, so every finite value is usable. L2 and Dot work on the values themselves: the kernel's ‖c‖² − 2·x·c
/// and the loss ‖x − c‖² reach d·(2·m)² for values of magnitude m, so values above √(float.MaxValue / (8·d)) are
/// refused (a factor 2 of headroom for rounding and for the repair's 1/1024 push). Scaling such data down is the
/// user's call: past 1e18 a value is far more often a damaged file than a measurement.
/// </summary>
public static class ValueRange
{
    /// <summary>
    /// Under L2 and Dot, a sample whose every value lies below this magnitude (2⁻⁶⁰) cannot be clustered in float: its
    /// squares and products fall below float's normal range (2⁻¹²⁶) and lose their digits, down to 0, so every row
    /// scores alike (values of 1e-30 put every row in one cluster at loss 0). Cosine normalises rows first.
    /// </summary>
    public const float SmallestScale = 8.6736174E-19f;

    /// <summary>The largest magnitude a value may have under <paramref name="metric"/> in <paramref name="dimension"/> dimensions.</summary>
    public static float Limit(DistanceMetric metric, int dimension) =>
        metric == DistanceMetric.Cosine ? float.MaxValue : (float)Math.Sqrt(float.MaxValue / (8.0 * Math.Max(1, dimension)));

    /// <summary>The first column whose value is NaN, infinite or beyond <paramref name="limit"/>; −1 when there is none.</summary>
    public static int FirstOutside(ReadOnlySpan<float> vector, float limit)
    {
        if (AllWithin(vector, limit))
            return -1;
        for (int j = 0; j < vector.Length; j++)
        {
            if (!(Math.Abs(vector[j]) <= limit))
                return j;
        }
        return -1;
    }

    /// <summary>
    /// Whether every value is finite and of magnitude at most <paramref name="limit"/>: one comparison per value, a NaN
    /// failing it as a value beyond the limit does (a maximum that has to propagate NaN costs several per value).
    /// </summary>
    // Fully optimized from the first call: assignment checks every chunk with it, and in a fresh process the tiered
    // JIT would run its first passes over hundreds of megabytes unoptimized.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool AllWithin(ReadOnlySpan<float> values, float limit)
    {
        ref float first = ref MemoryMarshal.GetReference(values);
        int length = values.Length;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            Vector512<float> bound = Vector512.Create(limit);
            Vector512<float> inside = Vector512<float>.AllBitsSet;
            for (; i <= length - 4 * Vector512<float>.Count; i += 4 * Vector512<float>.Count)
            {
                inside &= Vector512.LessThanOrEqual(Vector512.Abs(Vector512.LoadUnsafe(ref first, (nuint)i)), bound)
                          & Vector512.LessThanOrEqual(Vector512.Abs(Vector512.LoadUnsafe(ref first, (nuint)(i + 16))), bound)
                          & Vector512.LessThanOrEqual(Vector512.Abs(Vector512.LoadUnsafe(ref first, (nuint)(i + 32))), bound)
                          & Vector512.LessThanOrEqual(Vector512.Abs(Vector512.LoadUnsafe(ref first, (nuint)(i + 48))), bound);
            }
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
                inside &= Vector512.LessThanOrEqual(Vector512.Abs(Vector512.LoadUnsafe(ref first, (nuint)i)), bound);
            if (!Vector512.EqualsAll(inside.AsInt32(), Vector512<int>.AllBitsSet))
                return false;
        }
        else if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            Vector256<float> bound = Vector256.Create(limit);
            Vector256<float> inside = Vector256<float>.AllBitsSet;
            for (; i <= length - 2 * Vector256<float>.Count; i += 2 * Vector256<float>.Count)
            {
                inside &= Vector256.LessThanOrEqual(Vector256.Abs(Vector256.LoadUnsafe(ref first, (nuint)i)), bound)
                          & Vector256.LessThanOrEqual(Vector256.Abs(Vector256.LoadUnsafe(ref first, (nuint)(i + 8))), bound);
            }
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
                inside &= Vector256.LessThanOrEqual(Vector256.Abs(Vector256.LoadUnsafe(ref first, (nuint)i)), bound);
            if (!Vector256.EqualsAll(inside.AsInt32(), Vector256<int>.AllBitsSet))
                return false;
        }
        for (; i < length; i++)
        {
            if (!(Math.Abs(Unsafe.Add(ref first, i)) <= limit))
                return false;
        }
        return true;
    }

    /// <summary>
    /// The problem with <paramref name="vector"/>[<paramref name="column"/>] for a message that starts with the vector's
    /// name, e.g. "holds 1E+20 at column 3; ...", and the error kind it is.
    /// </summary>
    public static (KMeansErrorKind Kind, string Problem) Describe(ReadOnlySpan<float> vector, int column, DistanceMetric metric)
    {
        float value = vector[column];
        string shown = value.ToString(CultureInfo.InvariantCulture);
        if (Numerics.NullElement.Is(value))
            return (KMeansErrorKind.NonFiniteValue, $"has a null element at column {column}; values must be finite numbers");
        if (Numerics.BeyondFloat32.Is(value))
            return (KMeansErrorKind.ValueOutOfRange,
                $"holds a value beyond float32's range (±{float.MaxValue.ToString("G3", CultureInfo.InvariantCulture)}) at column {column}; vectors are read as float32");
        if (!float.IsFinite(value))
            return (KMeansErrorKind.NonFiniteValue, $"holds {shown} at column {column}; values must be finite");
        string limit = Limit(metric, vector.Length).ToString("G3", CultureInfo.InvariantCulture);
        return (KMeansErrorKind.ValueOutOfRange,
            $"holds {shown} at column {column}; under {metric} distance values of {vector.Length}-dimensional vectors must " +
            $"lie within ±{limit}, or squared distances overflow (Cosine accepts every finite value)");
    }
}
