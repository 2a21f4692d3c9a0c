using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KMeans.Core.Distance;

/// <summary>
/// Which of two centroids lies nearer a row, exactly, ties to the lower index, for <see cref="NearTies"/>. ‖x − c‖² is
/// summed in double first (<see cref="InDouble"/>): each float difference and its square round at most once each in
/// double (3·2⁻⁵³ of the square) and the d − 1 additions add γ_d, so two sums further apart than that order the
/// centroids; two within it (a helper found distances 2⁻⁴⁰ apart at 10⁸, and exact ties summed in another order, come
/// out equal or reversed in double) are compared by integer arithmetic on the floats' values, which is exact.
/// </summary>
internal static unsafe class ExactDistanceOrder
{
    /// <summary>
    /// ‖x − c‖² for the row and centroid as given (the plain centroid, not less the offset), in double: four chains of
    /// four lanes, then the rest in order, the same sum on every machine.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double InDouble(ReadOnlySpan<float> row, PackedCentroids centroids, int centroid)
    {
        int d = row.Length;
        ReadOnlySpan<float> plain = centroids.Plain.Slice(centroid * d, d);
        Vector256<double> sum0 = Vector256<double>.Zero, sum1 = sum0, sum2 = sum0, sum3 = sum0;
        int j = 0;
        fixed (float* x = row)
        fixed (float* c = plain)
        {
            for (; j + 16 <= d; j += 16)
            {
                Vector256<float> low = Vector256.Load(x + j), high = Vector256.Load(x + j + 8);
                Vector256<float> lowCentroid = Vector256.Load(c + j), highCentroid = Vector256.Load(c + j + 8);
                sum0 = AddSquare(sum0, Vector256.WidenLower(low) - Vector256.WidenLower(lowCentroid));
                sum1 = AddSquare(sum1, Vector256.WidenUpper(low) - Vector256.WidenUpper(lowCentroid));
                sum2 = AddSquare(sum2, Vector256.WidenLower(high) - Vector256.WidenLower(highCentroid));
                sum3 = AddSquare(sum3, Vector256.WidenUpper(high) - Vector256.WidenUpper(highCentroid));
            }
        }
        double sum = Vector256.Sum(sum0 + sum1 + (sum2 + sum3));
        for (; j < d; j++)
        {
            double difference = (double)row[j] - plain[j];
            sum += difference * difference;
        }
        return sum;
    }

    /// <summary>
    /// Whether centroid <paramref name="a"/> lies nearer <paramref name="row"/> than centroid <paramref name="b"/>, or
    /// as near with the lower index; <paramref name="distanceA"/> and <paramref name="distanceB"/> are their
    /// <see cref="InDouble"/> sums.
    /// </summary>
    public static bool Nearer(ReadOnlySpan<float> row, PackedCentroids centroids, int a, double distanceA, int b,
        double distanceB)
    {
        // Each square is off by at most 3·2⁻⁵³ of itself, the sum of d by (d + 2)·2⁻⁵³ of itself: (d + 4)·2⁻⁵² of the two
        // sums covers both and the rounding of this test; squares of float differences never underflow or overflow in
        // double.
        double rounding = (row.Length + 4) * Math.ScaleB(1.0, -52);
        if (distanceA < distanceB - rounding * (distanceA + distanceB))
            return true;
        if (distanceB < distanceA - rounding * (distanceA + distanceB))
            return false;
        int order = Exact(row, centroids, a).CompareTo(Exact(row, centroids, b));
        return order < 0 || (order == 0 && a < b);
    }

    /// <summary>‖x − c‖² times 2²⁹⁸, exactly.</summary>
    private static BigInteger Exact(ReadOnlySpan<float> row, PackedCentroids centroids, int centroid)
    {
        ReadOnlySpan<float> plain = centroids.Plain.Slice(centroid * row.Length, row.Length);
        BigInteger sum = BigInteger.Zero;
        for (int j = 0; j < row.Length; j++)
        {
            BigInteger difference = Scaled(row[j]) - Scaled(plain[j]);
            sum += difference * difference;
        }
        return sum;
    }

    /// <summary>A finite float's value times 2¹⁴⁹: its significand shifted by its exponent.</summary>
    private static BigInteger Scaled(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        int exponent = (bits >> 23) & 0xFF;
        BigInteger magnitude = exponent == 0 ? bits & 0x7FFFFF : (bits & 0x7FFFFF) | (1 << 23);
        if (exponent > 1)
            magnitude <<= exponent - 1;
        return bits < 0 ? -magnitude : magnitude;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> AddSquare(Vector256<double> sum, Vector256<double> difference) => sum + difference * difference;
}
