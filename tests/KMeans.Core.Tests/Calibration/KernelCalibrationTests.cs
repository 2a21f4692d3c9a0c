using KMeans.Core.Calibration;

namespace KMeans.Core.Tests.Calibration;

[Collection(TimingCollection.Name)]
public class KernelCalibrationTests
{
    [Fact]
    public void MeasuresPositiveRatesAtTheRequestedShapeWithinAboutTheBudget()
    {
        CalibrationResult result = KernelCalibration.Measure(96, 2, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.Equal(96, result.Dimension);
        Assert.Equal(2, result.Threads);
        Assert.True(result.KernelGflops is > 0 and < 1e5, $"{result.KernelGflops} GFLOP/s");
        Assert.True(result.UpdateValuesPerSecond is > 0 and < 1e13, $"{result.UpdateValuesPerSecond} values/s");
        Assert.True(result.SeedingValuesPerSecond is > 0 and < 1e13, $"{result.SeedingValuesPerSecond} values/s");
        Assert.Contains(result.CentroidGroup, new[] { 1, 64 });
        // Data generation, JIT settling (up to 3× a phase) and Debug builds come on top of the budget.
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(10), $"took {result.Elapsed}");
    }

    [Fact]
    public void DimensionsBeyondTheLargestAreMeasuredAtIt()
    {
        CalibrationResult result = KernelCalibration.Measure(10_000, 1, TimeSpan.FromMilliseconds(50), CancellationToken.None);

        Assert.Equal(KernelCalibration.MaxDimension, result.Dimension);
    }

    [Fact]
    public void ACancelledTokenStopsTheCalibration()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            KernelCalibration.Measure(16, 1, TimeSpan.FromSeconds(10), cancelled.Token));
    }

    [Theory]
    [InlineData(0, 1, 100)]
    [InlineData(8, 0, 100)]
    [InlineData(8, 1, 0)]
    public void InvalidArgumentsAreRejected(int dimension, int threads, int budgetMilliseconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelCalibration.Measure(dimension, threads,
            TimeSpan.FromMilliseconds(budgetMilliseconds), CancellationToken.None));
    }
}
