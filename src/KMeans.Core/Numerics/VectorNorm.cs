using System.Numerics.Tensors;

namespace KMeans.Core.Numerics;

/// <summary>
/// Euclidean norms and unit vectors for every finite float vector. The float sum of squares overflows from values
/// near 1.8e19 and underflows below 1e-19, so a vector of 1e20s would get an infinite norm (and become zeros or NaN)
/// and a vector of 1e-30s a norm of 0 (and be taken for the zero vector). When the float result is out of the range
/// where it is accurate, the norm is taken in double instead, whose exponent covers the square of every float.
/// Inside that range the float arithmetic is kept, so ordinary vectors normalise to the same bits as always.
/// </summary>
public static class VectorNorm
{
    // Below 2^-40 the float sum of squares may have lost squares to underflow (those of values under 2^-63); the
    // loss is then no longer negligible beside the sum.
    private const float SmallestFloatNorm = 1f / (1L << 40);

    /// <summary>Whether every value is zero (a vector with no direction, whatever its length would round to).</summary>
    public static bool IsZero(ReadOnlySpan<float> vector) => !vector.ContainsAnyExcept(0f);

    /// <summary>‖vector‖ of a finite vector, accurate from the smallest subnormal to float.MaxValue values.</summary>
    public static double Of(ReadOnlySpan<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        return IsAccurate(norm) ? norm : InDouble(vector);
    }

    /// <summary>
    /// Writes <paramref name="vector"/> / ‖vector‖ to <paramref name="destination"/> (which may be the same memory);
    /// false, writing nothing, when the vector is zero.
    /// </summary>
    public static bool TryNormalize(ReadOnlySpan<float> vector, Span<float> destination)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (IsAccurate(norm))
        {
            TensorPrimitives.Divide(vector, norm, destination);
            return true;
        }
        double exact = InDouble(vector);
        if (exact == 0)
            return false;
        for (int j = 0; j < vector.Length; j++)
            destination[j] = (float)(vector[j] / exact);
        return true;
    }

    /// <summary>
    /// Whether a vector is a unit vector as float32 holds one: within 1e-5 of norm 1, as <see cref="TryNormalize"/>
    /// leaves every vector (its float norm and roundings err by about 1e-7), while normalising such a vector again
    /// moves its last bits.
    /// </summary>
    public static bool IsUnit(ReadOnlySpan<float> vector) => Math.Abs(InDouble(vector) - 1) <= 1e-5;

    private static bool IsAccurate(float norm) => norm >= SmallestFloatNorm && float.IsFinite(norm);

    private static double InDouble(ReadOnlySpan<float> vector)
    {
        double sum = 0;
        foreach (float value in vector)
            sum += (double)value * value;
        return Math.Sqrt(sum);
    }
}
