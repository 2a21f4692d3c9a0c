using KMeans.Core.Training.Balancing;

namespace KMeans.Core.Tests.Training;

/// <summary>Packed (value, index) keys sort exactly as the tuples they replace, so balancing's orders do not change.</summary>
public sealed class OrderKeyTests
{
    [Fact]
    public void SortingKeysGivesTheTuplesOrder()
    {
        var random = new Random(11);
        float[] special = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon,
            float.MaxValue, float.MinValue, 1f, -1f];
        var tuples = new (float Value, int Index)[20_000];
        for (int i = 0; i < tuples.Length; i++)
        {
            float value = i % 4 == 0
                ? special[random.Next(special.Length)]
                : (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30)));
            tuples[i] = (value, random.Next(int.MaxValue));
        }
        long[] keys = tuples.Select(tuple => OrderKey.Of(tuple.Value, tuple.Index)).ToArray();

        Array.Sort(tuples);
        Array.Sort(keys);

        Assert.Equal(tuples.Select(tuple => tuple.Index), keys.Select(OrderKey.Index));
    }

    [Fact]
    public void NegativeAndPositiveZeroTieAndFallBackToTheIndex()
    {
        Assert.True(OrderKey.Of(-0f, 1) < OrderKey.Of(0f, 2));
        Assert.True(OrderKey.Of(0f, 1) < OrderKey.Of(-0f, 2));
        Assert.True(OrderKey.Of(-1e-30f, int.MaxValue) < OrderKey.Of(-0f, 0));
        Assert.Equal(int.MaxValue, OrderKey.Index(OrderKey.Of(-5f, int.MaxValue)));
    }
}
