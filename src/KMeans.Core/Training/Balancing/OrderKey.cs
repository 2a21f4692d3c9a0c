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
    public static long Of(float value, int index)
    {
        int bits = BitConverter.SingleToInt32Bits(value + 0f);
        int ordered = bits ^ ((bits >> 31) & int.MaxValue);
        return ((long)ordered << 32) | (uint)index;
    }

    public static int Index(long key) => (int)(uint)key;
}
