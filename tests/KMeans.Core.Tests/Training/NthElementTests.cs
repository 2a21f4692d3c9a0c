using KMeans.Core.Training.Balancing;

namespace KMeans.Core.Tests.Training;

/// <summary>The element placed is the one a sort puts there, with the smaller ones before it and the larger after it.</summary>
public sealed class NthElementTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(17, 3)]
    [InlineData(1000, 0)]
    [InlineData(1000, 499)]
    [InlineData(1000, 999)]
    [InlineData(20_000, 137)]
    public void PlacesWhatASortWouldAndPartitionsAroundIt(int length, int nth)
    {
        var random = new Random(length + nth);
        for (int trial = 0; trial < 20; trial++)
        {
            int distinct = trial % 2 == 0 ? 5 : int.MaxValue;
            float[] values = Enumerable.Range(0, length).Select(_ => (float)random.Next(distinct) - 2).ToArray();
            float[] sorted = values.OrderBy(value => value).ToArray();

            float placed = NthElement.Place(values.AsSpan(), nth);

            Assert.Equal(sorted[nth], placed);
            Assert.Equal(sorted[nth], values[nth]);
            Assert.All(values[..nth], value => Assert.True(value <= placed));
            Assert.All(values[(nth + 1)..], value => Assert.True(value >= placed));
            Assert.Equal(sorted, values.OrderBy(value => value));
        }
    }

    [Fact]
    public void KeysOfEqualGapsComeOutByRow()
    {
        long[] keys = Enumerable.Range(0, 100).Select(row => OrderKey.Of(row % 3 == 0 ? 1f : 2f, 99 - row)).ToArray();

        NthElement.Place(keys.AsSpan(), 9);

        int[] firstTen = keys[..10].Select(OrderKey.Index).Order().ToArray();
        Assert.Equal([0, 3, 6, 9, 12, 15, 18, 21, 24, 27], firstTen);
    }

    [Fact]
    public void APositionOutsideTheValuesIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NthElement.Place(new float[3].AsSpan(), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => NthElement.Place(new float[3].AsSpan(), -1));
    }
}
