using KMeans.Core.Reporting;

namespace KMeans.Core.Tests.Reporting;

public class ChartScaleTests
{
    [Fact]
    public void LogarithmicAxisSpansWholeDecadesAndClampsWhatItCannotShow()
    {
        ChartScale scale = ChartScale.Logarithmic([0.0003, 0.5, 0, double.PositiveInfinity], from: 100, to: 0);

        Assert.Equal([0.0001, 0.001, 0.01, 0.1, 1.0], scale.Ticks);
        Assert.Equal(100, scale.Map(0.0001), 9);
        Assert.Equal(0, scale.Map(1), 9);
        Assert.Equal(50, scale.Map(0.01), 9);
        Assert.Equal(100, scale.Map(0));
        Assert.Equal(0, scale.Map(double.PositiveInfinity));
    }

    [Fact]
    public void ANarrowLogarithmicRangeGetsFinerTicksThatFillTheAxis()
    {
        ChartScale twoDecades = ChartScale.Logarithmic([0.003, 0.5], from: 100, to: 0);
        ChartScale fewPercent = ChartScale.Logarithmic([1.63e6, 1.81e6], from: 100, to: 0);

        Assert.Equal([0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5], twoDecades.Ticks.Select(t => Math.Round(t, 12)));
        Assert.Equal([1.6e6, 1.65e6, 1.7e6, 1.75e6, 1.8e6, 1.85e6], fewPercent.Ticks.Select(t => Math.Round(t)));
        Assert.Equal(100, fewPercent.Map(1.6e6), 9);
        Assert.Equal(0, fewPercent.Map(1.85e6), 9);
    }

    [Fact]
    public void ASingleLogarithmicValueStillGetsARange()
    {
        ChartScale scale = ChartScale.Logarithmic([9.0, 9.0], from: 100, to: 0);

        Assert.Equal([9.0, 10.0], scale.Ticks);
        Assert.Equal(100, scale.Map(9), 9);
    }

    [Fact]
    public void LinearAxisRoundsToOneTwoOrFiveSteps()
    {
        ChartScale scale = ChartScale.Linear(0, 87, from: 0, to: 200);

        Assert.Equal([0.0, 20, 40, 60, 80, 100], scale.Ticks);
        Assert.Equal(174, scale.Map(87), 9);
    }

    [Fact]
    public void ATightLinearAxisEndsAtTheDataAndTicksOnlyRoundValuesInside()
    {
        ChartScale scale = ChartScale.Linear(1, 65_536, from: 0, to: 100, tight: true);

        Assert.Equal([10_000.0, 20_000, 30_000, 40_000, 50_000, 60_000], scale.Ticks);
        Assert.Equal(0, scale.Map(1), 9);
        Assert.Equal(100, scale.Map(65_536), 9);
    }

    [Fact]
    public void ATightAxisOfFewCountsTicksWholeNumbersOnly()
    {
        ChartScale iterations = ChartScale.Linear(1, 3, from: 0, to: 100, tight: true);

        Assert.Equal([1.0, 2, 3], iterations.Ticks);
    }

    [Fact]
    public void TickLabelsCloseTogetherInExponentNotationStillDiffer()
    {
        ChartScale loss = ChartScale.Linear(1.3561e6, 1.3632e6, from: 100, to: 0);

        string[] labels = loss.Ticks.Select(tick => ReportText.Tick(tick, loss.Ticks[1] - loss.Ticks[0])).ToArray();

        Assert.Equal(labels.Length, labels.Distinct().Count());
        Assert.Equal("1.36e6", ReportText.Tick(1.36e6, 2_500));
        Assert.Equal("1.3575e6", ReportText.Tick(1.3575e6, 500));
        Assert.Equal("2e7", ReportText.Tick(2e7, 1e7));
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
