namespace KMeans.Core.Training.Balancing;

/// <summary>
/// A (value, index) pair packed into one <see cref="long"/> whose ascending order is the pair's: by value (−0 and +0
/// equal), then by index. Sorting these is several times faster than sorting tuples through their comparer (a sort of
/// 65,536 tuples took 14 ms of every constrained pass), and it gives the same order, so no result changes.
/// </summary>
internal static class OrderKey
{
    /// <param name="value">Any float but NaN.</param>
    /// <param name="index">A non-negative index.</param>
    public static long Of(float value, int index) => ((long)(OrderedBits(value) ^ SignBit) << 32) | (uint)index;

    public static int Index(long key) => (int)(uint)key;

    /// <summary>
    /// The bits of <paramref name="value"/> (not NaN) as an unsigned number in the value's order, −0 and +0 alike:
    /// negative values have their magnitude bits flipped, and the sign bit is flipped so that they come first.
    /// </summary>
    public static uint OrderedBits(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value + 0f);
        return (uint)(bits ^ ((bits >> 31) & int.MaxValue)) ^ SignBit;
    }

    private const uint SignBit = 0x8000_0000;
}
