using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training.Balancing;

namespace KMeans.Core.Tests.Training;

/// <summary>
/// Lists from kept scores are the kernel's under whatever prices hold at the time: rows scored again after prices rose,
/// partitions priced out (+∞), rows evicted from a full store, the two nearest and the eight, on every tiled path.
/// </summary>
public sealed class ScoredRowsTests
{
    private const int Rows = 400;
    private const int Dimension = 24;
    private const int K = 70;

    public static TheoryData<DistanceMetric, string> MetricsAndPaths()
    {
        var data = new TheoryData<DistanceMetric, string>();
        foreach (KernelPath path in Enum.GetValues<KernelPath>().Where(path => path != KernelPath.Portable && path <= KernelPaths.Machine))
        {
            foreach (DistanceMetric metric in Enum.GetValues<DistanceMetric>())
                data.Add(metric, path.ToString());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(MetricsAndPaths))]
    public void KeptScoresGiveTheKernelsListsAsPricesRise(DistanceMetric metric, string pathName)
    {
        KernelPath path = Enum.Parse<KernelPath>(pathName);
        var random = new Random(11 + (int)metric);
        float[] rows = TestData.GaussianValues(random, Rows * Dimension);
        float[] centroids = TestData.GaussianValues(random, K * Dimension);
        if (metric == DistanceMetric.Cosine)
        {
            TestData.NormalizeRows(rows, Dimension);
            TestData.NormalizeRows(centroids, Dimension);
        }
        using TrainingBuffer sample = TrainingBuffer.Create(onDisk: false, Rows, Dimension, Path.GetTempPath());
        sample.WriteRows(0, rows);
        sample.Seal(Rows);
        var run = new BalancingRun(sample, new RowBlocks(Rows, 256), metric, SizeBounds.For(Rows, K, 2.0, null),
            new ParallelOptions { MaxDegreeOfParallelism = 2 }, candidates: 8)
        {
            Centroids = centroids,
            Prices = new float[K],
        };
        using var packed = new PackedCentroids(K, Dimension);
        packed.Pack(centroids, metric, run.Prices);
        using var scored = new ScoredRows(run, packed, path, capacity: 60);

        for (int round = 0; round < 12; round++)
        {
            foreach (int c in Enumerable.Range(0, 10).Select(_ => random.Next(K)))
                run.Prices[c] += (float)random.NextDouble();
            float[] prices = (float[])run.Prices.Clone();
            if (round % 3 == 2)
                prices[random.Next(K)] = float.PositiveInfinity;
            packed.Reprice(metric, prices);
            // Rows drawn from a small pool, so most are scored again; more than the store holds in some rounds.
            int[] picked = Enumerable.Range(0, round % 4 == 3 ? 300 : 40).Select(_ => random.Next(round % 4 == 3 ? Rows : 90)).ToArray();
            int n = round % 2 == 0 ? 8 : 2;
            float[] termsBefore = NormTerms(packed);

            (int[] ids, float[] scores) = scored.Nearest(picked, n, listed: 9);

            Assert.Equal(termsBefore, NormTerms(packed));
            var expectedIds = new int[picked.Length * n];
            var expectedScores = new float[picked.Length * n];
            float[] values = picked.SelectMany(row => rows.AsSpan(row * Dimension, Dimension).ToArray()).ToArray();
            NearestKernel.Assign(values, picked.Length, packed, n, expectedIds, expectedScores, path);
            for (int i = 0; i < picked.Length; i++)
            {
                Assert.Equal(expectedIds.AsSpan(i * n, n).ToArray(), ids.AsSpan(i * 9, n).ToArray());
                Assert.Equal(expectedScores.AsSpan(i * n, n).ToArray(), scores.AsSpan(i * 9, n).ToArray());
                Assert.Equal(Enumerable.Repeat(-1, 9 - n), ids.AsSpan(i * 9 + n, 9 - n).ToArray());
            }
        }
    }

    private static unsafe float[] NormTerms(PackedCentroids packed) => new ReadOnlySpan<float>(packed.Norms, packed.TileCount * PackedCentroids.TileWidth).ToArray();
}
