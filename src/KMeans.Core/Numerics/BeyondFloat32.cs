using System.Runtime.CompilerServices;

namespace KMeans.Core.Numerics;

/// <summary>
/// A finite value too large for float32 (a float64 of magnitude beyond 3.4E+38), as the readers store it: a quiet NaN
/// whose payload no arithmetic produces, like <see cref="NullElement"/>, so that the checks report a finite value out
/// of range, which <see cref="Training.KMeansOptions.SkipNonFinite"/> does not drop, and not the infinity a plain
/// cast makes of it.
/// </summary>
public static class BeyondFloat32
{
    private const int Bits = 0x7FC0_F64B;

    public static float Value { get; } = BitConverter.Int32BitsToSingle(Bits);

    public static bool Is(float value) => BitConverter.SingleToInt32Bits(value) == Bits;

    /// <summary>
    /// The float32 nearest <paramref name="value"/>, or <see cref="Value"/> where that is an infinity but the value is
    /// not.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Narrow(double value)
    {
        float narrowed = (float)value;
        return float.IsInfinity(narrowed) && double.IsFinite(value) ? Value : narrowed;
    }

    /// <summary>The first column holding <see cref="Value"/>, or −1.</summary>
    public static int IndexIn(ReadOnlySpan<float> row)
    {
        for (int j = 0; j < row.Length; j++)
        {
            if (Is(row[j]))
                return j;
        }
        return -1;
    }
}
