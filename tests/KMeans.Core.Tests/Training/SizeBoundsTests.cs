using KMeans.Core.Training.Balancing;

namespace KMeans.Core.Tests.Training;

/// <summary>The partition sizes the ratios allow, at the ends of their ranges.</summary>
public sealed class SizeBoundsTests
{
    [Theory]
    [InlineData(1.0, 100)]
    [InlineData(1.25, 125)]
    [InlineData(10.0, 1000)]
    [InlineData(1e300, 1000)]
    [InlineData(double.MaxValue, 1000)]
    public void AMaximumRatioAllowsAtMostEveryRow(double ratio, long expected)
    {
        Assert.Equal(expected, SizeBounds.For(1000, 10, ratio, null).Max);
        Assert.Equal(1000, SizeBounds.For(1000, 10, null, null).Max);
    }

    [Fact]
    public void EveryRowFitsAndTheMinimumNeverExceedsTheMean()
    {
        Assert.Equal(new SizeBounds(3, 4), SizeBounds.For(10, 3, 1.0, 1.0));
        Assert.Equal(new SizeBounds(1, 10), SizeBounds.For(10, 3, null, null));
    }
}
