namespace KMeans.Core.Numerics;

/// <summary>
/// A null element inside a vector, as the file readers store it: a quiet NaN whose payload no arithmetic produces, so
/// that the checks that refuse NaN can tell the user which of the two the file holds. Copies keep the payload; any
/// computation on the value would lose it, but a row holding one never reaches a computation.
/// </summary>
public static class NullElement
{
    private const int Bits = 0x7FC0_4E55;

    public static float Value { get; } = BitConverter.Int32BitsToSingle(Bits);

    public static bool Is(float value) => BitConverter.SingleToInt32Bits(value) == Bits;
}
