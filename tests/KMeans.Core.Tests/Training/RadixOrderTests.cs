using KMeans.Core.Training.Balancing;

namespace KMeans.Core.Tests.Training;

/// <summary>The radix order is the order of sorting <see cref="OrderKey"/>s, so the constrained passes' order does not change.</summary>
public sealed class RadixOrderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(20_000)]
    public void GivesTheOrderOfSortingKeys(int count)
    {
        var random = new Random(count);
        float[] special = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon,
            float.MaxValue, float.MinValue, 1f, -1f];
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = i % 4 == 0
                ? special[random.Next(special.Length)]
                : (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30)));
        }
        long[] keys = values.Select((value, index) => OrderKey.Of(value, index)).ToArray();
        Array.Sort(keys);

        Assert.Equal(keys.Select(OrderKey.Index), RadixOrder.Ascending(values));
    }

    [Fact]
    public void EqualValuesKeepTheirIndexOrderEvenWhenEveryByteButOneIsShared()
    {
        // Values that differ in one byte only, with ties: passes over the shared bytes are skipped, the rest stay stable.
        float[] values = Enumerable.Range(0, 1000).Select(i => BitConverter.Int32BitsToSingle(0x3F80_0000 | ((i * 37 % 5) << 8))).ToArray();

        int[] order = RadixOrder.Ascending(values);

        Assert.Equal(Enumerable.Range(0, 1000).OrderBy(i => values[i]).ThenBy(i => i), order);
    }
}
