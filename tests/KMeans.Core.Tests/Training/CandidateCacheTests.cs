using KMeans.Core.Planning;
using KMeans.Core.Training.Balancing;

namespace KMeans.Core.Tests.Training;

/// <summary>
/// The first round's cache: every n-th cached row, n set by the rows per partition it must keep, in the same arrays as
/// the whole cache, so that it costs no memory of its own.
/// </summary>
public sealed class CandidateCacheTests
{
    [Theory]
    [InlineData(65_536, 256, 0.2, 4)]
    [InlineData(65_536, 256, 1.0, 4)]
    [InlineData(60_000, 256, 0.2, 3)]
    [InlineData(16_383, 128, 0.2, 1)]
    [InlineData(16_384, 128, 0.2, 2)]
    [InlineData(65_536, 256, 0.05, 1)]
    [InlineData(65_536, 32, 0.05, 5)]
    [InlineData(65_536, 256, 0.0, 1)]
    public void TheFirstRoundKeepsEnoughRowsPerPartitionForItsBounds(long sampleRows, int k, double slack, int coarseness)
    {
        var whole = new CandidateCache(sampleRows, BalancingMemory.Candidates);

        CandidateCache first = whole.FirstRound(k, slack);

        Assert.Equal(whole.Stride * coarseness, first.Stride);
        Assert.Equal((sampleRows + first.Stride - 1) / first.Stride, first.Rows);
        Assert.Same(whole.Ids, first.Ids);
        Assert.Same(whole.Costs, first.Costs);
        if (coarseness == 1)
            Assert.Same(whole, first);
    }

    /// <summary>Where the whole cache is a subset of a large sample already, the first round's takes every n-th of its rows.</summary>
    [Fact]
    public void OnALargeSampleTheFirstRoundThinsTheWholeCachesSubset()
    {
        long sampleRows = 4 * BalancingMemory.CacheCapacity(BalancingMemory.Candidates);
        var whole = new CandidateCache(sampleRows, BalancingMemory.Candidates);

        CandidateCache first = whole.FirstRound(1024, 1.0);

        Assert.Equal(4, whole.Stride);
        Assert.Equal(4 * (whole.Rows / (64 * 1024)), first.Stride);
        Assert.True(first.Rows * first.Stride >= sampleRows && (first.Rows - 1) * first.Stride < sampleRows);
    }
}
