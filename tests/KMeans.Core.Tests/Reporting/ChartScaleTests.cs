using KMeans.Core.Reporting;

namespace KMeans.Core.Tests.Reporting;

public class ChartScaleTests
{
    [Fact]
    public void LogarithmicAxisSpansWholeDecadesAndClampsWhatItCannotShow()
    {
        ChartScale scale = ChartScale.Logarithmic([0.003, 0.5, 0, double.PositiveInfinity], from: 100, to: 0);

        Assert.Equal([0.001, 0.01, 0.1, 1.0], scale.Ticks);
        Assert.Equal(100, scale.Map(0.001), 9);
        Assert.Equal(0, scale.Map(1), 9);
        Assert.Equal(50, scale.Map(Math.Sqrt(0.001 * 1)), 9);
        Assert.Equal(100, scale.Map(0));
        Assert.Equal(0, scale.Map(double.PositiveInfinity));
    }

    [Fact]
    public void LinearAxisRoundsToOneTwoOrFiveSteps()
    {
        ChartScale scale = ChartScale.Linear(0, 87, from: 0, to: 200);

        Assert.Equal([0.0, 20, 40, 60, 80, 100], scale.Ticks);
        Assert.Equal(174, scale.Map(87), 9);
    }

    [Fact]
    public void ASingleValueStillGetsARange()
    {
        ChartScale scale = ChartScale.Linear(7, 7, from: 0, to: 10);

        Assert.True(scale.Ticks.Count >= 2);
        Assert.InRange(scale.Map(7), 0.0, 10.0);
        Assert.True(scale.Map(7) > 0);
    }
}
