using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Numerics;
using KMeans.Core.Training.Balancing;

namespace KMeans.Core.Tests.Training;

/// <summary>
/// After a round of splits moves some centroids, refreshing only what they can change (the rows that listed one, and the
/// moved centroids against the rest) gives every cached row the candidates a refresh against all centroids gives.
/// </summary>
public sealed class CacheRefreshTests
{
    private const int Rows = 3_000;
    private const int Dimension = 24;
    private const int K = 40;

    /// <param name="offset">Added to every value under L2: the cache then scores relative to an offset, which a
    /// partial refresh must share with the full one (one taken from the moved centroids made 107 to 13,141 of 24,000
    /// costs differ).</param>
    [Theory]
    [InlineData(DistanceMetric.L2, 3, 1, 0f)]
    [InlineData(DistanceMetric.L2, 12, 2, 0f)]
    [InlineData(DistanceMetric.L2, 12, 2, 100f)]
    [InlineData(DistanceMetric.L2, 5, 1, 1000f)]
    [InlineData(DistanceMetric.Cosine, 12, 2, 0f)]
    [InlineData(DistanceMetric.Dot, 5, 2, 0f)]
    public void RefreshingAfterMovesGivesTheCandidatesOfAFullRefresh(DistanceMetric metric, int movedCount, int threads, float offset)
    {
        var random = new Random(movedCount * 31 + (int)metric);
        (float[] rows, float[] centroids) = RowsAndCentroids(random, metric);
        for (int i = 0; i < rows.Length; i++)
            rows[i] += offset;
        for (int i = 0; i < centroids.Length; i++)
            centroids[i] += offset;
        int[] moved = Enumerable.Range(0, K).OrderBy(_ => random.Next()).Take(movedCount).ToArray();
        float[] movedCentroids = (float[])centroids.Clone();
        foreach (int c in moved)
        {
            Span<float> centroid = movedCentroids.AsSpan(c * Dimension, Dimension);
            for (int j = 0; j < Dimension; j++)
                centroid[j] = (centroids[random.Next(K) * Dimension + j] - offset) * 0.5f + (float)random.NextDouble() + offset;
            if (metric == DistanceMetric.Cosine)
                VectorMath.Normalize(centroid);
        }
        using TrainingBuffer sample = Sample(rows);
        using var packed = new PackedCentroids(K, Dimension);

        BalancingRun refreshed = NewRun(sample, metric, centroids, threads);
        refreshed.RefreshCache(packed);
        movedCentroids.CopyTo(refreshed.Centroids, 0);
        refreshed.RefreshCache(packed, moved);
        BalancingRun full = NewRun(sample, metric, movedCentroids, threads);
        full.RefreshCache(packed);

        Assert.Equal(full.Cache.Ids, refreshed.Cache.Ids);
        Assert.Equal(full.Cache.Costs, refreshed.Cache.Costs);
        int listingMoved = Enumerable.Range(0, full.Cache.Rows)
            .Count(row => full.Cache.Ids.AsSpan(row * 8, 8).ToArray().Intersect(moved).Any());
        Assert.InRange(listingMoved, 1, full.Cache.Rows - 1);
    }

    /// <summary>Gaussian rows and centroids, on the unit sphere under Cosine.</summary>
    private static (float[] Rows, float[] Centroids) RowsAndCentroids(Random random, DistanceMetric metric)
    {
        float[] rows = TestData.GaussianValues(random, Rows * Dimension);
        float[] centroids = TestData.GaussianValues(random, K * Dimension);
        if (metric == DistanceMetric.Cosine)
        {
            TestData.NormalizeRows(rows, Dimension);
            TestData.NormalizeRows(centroids, Dimension);
        }
        return (rows, centroids);
    }

    private static TrainingBuffer Sample(float[] rows)
    {
        TrainingBuffer sample = TrainingBuffer.Create(onDisk: false, Rows, Dimension, Path.GetTempPath());
        sample.WriteRows(0, rows);
        sample.Seal(Rows);
        return sample;
    }

    private static BalancingRun NewRun(TrainingBuffer sample, DistanceMetric metric, float[] centroids, int threads) =>
        new(sample, new RowBlocks(Rows, 256), metric, SizeBounds.For(Rows, K, 2.0, null),
            new ParallelOptions { MaxDegreeOfParallelism = threads }, candidates: 8)
        {
            Centroids = (float[])centroids.Clone(),
            Prices = new float[K],
        };
}
