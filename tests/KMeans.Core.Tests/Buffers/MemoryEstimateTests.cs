using KMeans.Core.Buffers;

namespace KMeans.Core.Tests.Buffers;

public class MemoryEstimateTests
{
    [Fact]
    public void AgreesWithThePublishedEstimate()
    {
        // 256 × k × dim × 4 for k = 65,536 and dim = 1,024: the ~68.7 GB sample of a production IVF build.
        MemoryEstimate estimate = MemoryEstimate.Compute(rows: null, k: 65_536, dimension: 1_024, sampleRate: 256, threads: 2);

        Assert.Equal(16_777_216, estimate.SampleRows);
        Assert.Equal(68_719_476_736, estimate.SampleBytes);
    }

    [Fact]
    public void SmallSourcesAreSampledWhole()
    {
        MemoryEstimate estimate = MemoryEstimate.Compute(rows: 1000, k: 16, dimension: 8, sampleRate: 256, threads: 1);

        Assert.Equal(1000, estimate.SampleRows);
        Assert.Equal(1000 * 8 * 4, estimate.SampleBytes);
        Assert.True(estimate.WorkingBytes > 16 * 8 * 8, "the working set holds at least the double-precision sums");
        Assert.Equal(estimate.SampleBytes + estimate.WorkingBytes, estimate.InMemoryBytes);
    }

    [Fact]
    public void WorkingSetGrowsWithThreads()
    {
        long one = MemoryEstimate.Compute(null, 64, 128, 256, 1).WorkingBytes;
        long four = MemoryEstimate.Compute(null, 64, 128, 256, 4).WorkingBytes;
        Assert.True(four > one);
    }

    [Fact]
    public void ATrainingDimensionAddsTheProjectedSample()
    {
        MemoryEstimate full = MemoryEstimate.Compute(rows: 10_000, k: 16, dimension: 1_024, sampleRate: 256, threads: 2);
        MemoryEstimate reduced = MemoryEstimate.Compute(rows: 10_000, k: 16, dimension: 1_024, sampleRate: 256, threads: 2,
            trainDimension: 128);

        Assert.Equal(4_096 * 1_152 * 4L, reduced.SampleBytes);
        Assert.Equal(full.SampleBytes * 9 / 8, reduced.SampleBytes);
        Assert.Equal(full.WorkingBytes + 4_096 * 8L, reduced.WorkingBytes);
    }
}
