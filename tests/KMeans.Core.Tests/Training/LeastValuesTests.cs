using KMeans.Core.Training.Balancing;

namespace KMeans.Core.Tests.Training;

/// <summary>The values gathered first are the least a sort would give, and the one returned is the one a sort puts last of them.</summary>
public sealed class LeastValuesTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(17, 4)]
    [InlineData(1000, 1)]
    [InlineData(1000, 500)]
    [InlineData(1000, 1000)]
    [InlineData(20_000, 138)]
    public void GathersWhatASortPutsFirstAndReturnsTheLastOfThem(int length, int count)
    {
        var random = new Random(length + count);
        for (int trial = 0; trial < 20; trial++)
        {
            int distinct = trial % 2 == 0 ? 5 : int.MaxValue;
            float[] values = Enumerable.Range(0, length).Select(_ => (float)random.Next(distinct) - 2).ToArray();
            float[] sorted = values.OrderBy(value => value).ToArray();

            float largest = LeastValues.Gather(values.AsSpan(), count);

            Assert.Equal(sorted[count - 1], largest);
            Assert.Equal(largest, values[0]);
            Assert.Equal(sorted[..count], values[..count].OrderBy(value => value));
            Assert.All(values[count..], value => Assert.True(value >= largest));
            Assert.Equal(sorted, values.OrderBy(value => value));
        }
    }

    [Fact]
    public void KeysOfEqualGapsComeOutByRow()
    {
        long[] keys = Enumerable.Range(0, 100).Select(row => OrderKey.Of(row % 3 == 0 ? 1f : 2f, 99 - row)).ToArray();

        LeastValues.Gather(keys.AsSpan(), 10);

        int[] firstTen = keys[..10].Select(OrderKey.Index).Order().ToArray();
        Assert.Equal([0, 3, 6, 9, 12, 15, 18, 21, 24, 27], firstTen);
    }

    [Fact]
    public void ACountOutsideTheValuesIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LeastValues.Gather(new float[3].AsSpan(), 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => LeastValues.Gather(new float[3].AsSpan(), 0));
    }
}
