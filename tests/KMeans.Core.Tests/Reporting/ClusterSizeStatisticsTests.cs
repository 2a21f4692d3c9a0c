using KMeans.Core.Reporting;

namespace KMeans.Core.Tests.Reporting;

public class ClusterSizeStatisticsTests
{
    [Fact]
    public void SummaryStatisticsAreExact()
    {
        var statistics = new ClusterSizeStatistics([6, 1, 3, 2, 0, 6]);

        Assert.Equal([6L, 6, 3, 2, 1, 0], statistics.Descending);
        Assert.Equal(0, statistics.Min);
        Assert.Equal(6, statistics.Max);
        Assert.Equal(3.0, statistics.Mean);
        Assert.Equal(2.0, statistics.MaxOverMean);
        // Squared deviations 9 + 9 + 0 + 1 + 4 + 9 = 32 over 6 clusters.
        Assert.Equal(Math.Sqrt(32.0 / 6) / 3, statistics.CoefficientOfVariation, 15);
        Assert.Equal(1, statistics.Empty);
        // K·Σ size² / n² = 6 · (36 + 36 + 9 + 4 + 1 + 0) / 18².
        Assert.Equal(6.0 * 86 / 324, statistics.ImbalanceFactor, 15);
    }

    [Fact]
    public void EvenClustersHaveNoVariation()
    {
        var statistics = new ClusterSizeStatistics([5, 5, 5]);

        Assert.Equal(1.0, statistics.MaxOverMean);
        Assert.Equal(0.0, statistics.CoefficientOfVariation);
        Assert.Equal(1.0, statistics.ImbalanceFactor);
        IReadOnlyList<SizeBin> bins = statistics.Histogram(40);
        Assert.Equal([new SizeBin(5, 5, 3)], bins);
    }

    [Fact]
    public void HistogramBinsCoverEveryClusterOnce()
    {
        var random = new Random(5);
        long[] sizes = [.. Enumerable.Range(0, 65_536).Select(_ => (long)random.Next(0, 10_000))];
        var statistics = new ClusterSizeStatistics(sizes);

        IReadOnlyList<SizeBin> bins = statistics.Histogram(40);

        Assert.InRange(bins.Count, 1, 40);
        Assert.Equal(sizes.Length, bins.Sum(b => b.Clusters));
        Assert.Equal(statistics.Min, bins[0].From);
        Assert.True(bins[^1].To >= statistics.Max);
        for (int i = 1; i < bins.Count; i++)
            Assert.Equal(bins[i - 1].To + 1, bins[i].From);
        foreach (SizeBin bin in bins)
            Assert.Equal(sizes.Count(s => s >= bin.From && s <= bin.To), bin.Clusters);
    }

    [Fact]
    public void SortedProfileKeepsTheEndsAndIsBounded()
    {
        long[] sizes = [.. Enumerable.Range(1, 1000).Select(i => (long)i)];
        var statistics = new ClusterSizeStatistics(sizes);

        IReadOnlyList<(int Rank, long Size)> profile = statistics.SortedProfile(50);
        IReadOnlyList<(int Rank, long Size)> whole = new ClusterSizeStatistics([3, 9, 1]).SortedProfile(50);

        Assert.Equal(50, profile.Count);
        Assert.Equal((1, 1000L), profile[0]);
        Assert.Equal((1000, 1L), profile[^1]);
        Assert.All(profile, p => Assert.Equal(1001 - p.Rank, p.Size));
        Assert.Equal([(1, 9L), (2, 3L), (3, 1L)], whole);
    }
}
