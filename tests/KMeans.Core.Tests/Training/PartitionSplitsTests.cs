using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training.Balancing;

namespace KMeans.Core.Tests.Training;

/// <summary>
/// Splitting the partitions above the maximum: a dense region that holds many times its share of rows gets the centroids
/// of the smallest partitions until its partitions fit, and the result does not depend on threads or on the buffer.
/// </summary>
public sealed class PartitionSplitsTests : IDisposable
{
    private const int Dimension = 8;
    private const int K = 20;
    private const int Groups = 6;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();


    /// <summary>
    /// The split's sums of offsets are the same bits with vectors and without, for dimensions with and without a
    /// remainder past the eight lanes, and within rounding of the plain sum.
    /// </summary>
    [Theory]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(128)]
    [InlineData(787)]
    public void OffsetSumsAreTheSameWithAndWithoutVectors(int dimension)
    {
        var random = new Random(dimension);
        float[] x = Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
        double[] centroid = Enumerable.Range(0, dimension).Select(_ => (double)(float)(random.NextDouble() * 20 - 10)).ToArray();
        double[] weights = Enumerable.Range(0, dimension).Select(_ => random.NextDouble() - 0.5).ToArray();
        foreach (double[]? w in new[] { null, weights })
        {
            double plain = Enumerable.Range(0, dimension).Sum(j => (x[j] - centroid[j]) * (w is null ? x[j] - centroid[j] : w[j]));
            double vector = PartitionSplits.OffsetSum(x, centroid, w, vectors: true);
            double scalar = PartitionSplits.OffsetSum(x, centroid, w, vectors: false);
            Assert.Equal(BitConverter.DoubleToInt64Bits(scalar), BitConverter.DoubleToInt64Bits(vector));
            Assert.Equal(plain, vector, 1e-9 * Enumerable.Range(0, dimension).Sum(j => Math.Abs((x[j] - centroid[j]) * (w is null ? x[j] - centroid[j] : w[j]))));
        }
    }
    /// <summary>
    /// 3,000 rows around the origin and 125 around each of 6 far centres; two centroids at the origin's rows and three in
    /// each far group, so the origin's partitions hold 1,500 rows each where the bound at twice the mean is 375, and the
    /// far groups' about 42 each.
    /// </summary>
    private static (float[][] Rows, float[] Centroids) HeavyRegion()
    {
        var random = new Random(5);
        float Noise() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        var rows = new List<float[]>();
        for (int i = 0; i < 3000; i++)
            rows.Add(Enumerable.Range(0, Dimension).Select(_ => Noise()).ToArray());
        for (int group = 0; group < Groups; group++)
        {
            for (int i = 0; i < 125; i++)
                rows.Add(Enumerable.Range(0, Dimension).Select(j => (j == group ? 40f : 0f) + Noise()).ToArray());
        }
        var seeds = new List<int> { 0, 1 };
        for (int group = 0; group < Groups; group++)
            seeds.AddRange([3000 + group * 125, 3000 + group * 125 + 1, 3000 + group * 125 + 2]);
        return ([.. rows], seeds.SelectMany(row => rows[row]).ToArray());
    }

    private float[] Split(float[][] rows, float[] centroids, bool onDisk, int threads)
    {
        using TrainingBuffer sample = TrainingBuffer.Create(onDisk, rows.Length, Dimension, _temp.Path);
        sample.WriteRows(0, rows.SelectMany(row => row).ToArray());
        sample.Seal(rows.Length);
        var run = new BalancingRun(sample, new RowBlocks(rows.Length, 512), DistanceMetric.L2,
            SizeBounds.For(rows.Length, K, 2.0, null), new ParallelOptions { MaxDegreeOfParallelism = threads }, candidates: 8)
        {
            Centroids = (float[])centroids.Clone(),
            Prices = new float[K],
        };
        using var packed = new PackedCentroids(K, Dimension);
        run.RefreshCache(packed);
        var rounds = new List<long>();
        PartitionSplits.Apply(run, packed, SizeBounds.For(run.Cache.Rows, K, 2.0, null), (_, moved) => rounds.Add(moved), default);
        Assert.InRange(rounds.Count, 1, PartitionSplits.Rounds);
        Assert.All(rounds, moved => Assert.True(moved > 0));
        return run.Centroids;
    }

    [Fact]
    public void ADenseRegionGetsTheSmallestPartitionsCentroidsUntilItsPartitionsFit()
    {
        (float[][] rows, float[] centroids) = HeavyRegion();
        float[] split = Split(rows, centroids, onDisk: false, threads: 2);

        int[] nearest = rows.Select(row => Enumerable.Range(0, K)
            .MinBy(c => RowLoss.Of(row, split.AsSpan(c * Dimension, Dimension), DistanceMetric.L2))).ToArray();
        long[] sizes = new long[K];
        foreach (int label in nearest)
            sizes[label]++;
        long bound = SizeBounds.For(rows.Length, K, 2.0, null).Max;
        Assert.All(sizes, size => Assert.InRange(size, 1, bound));
        int atOrigin = Enumerable.Range(0, K).Count(c => Norm(split.AsSpan(c * Dimension, Dimension)) < 5);
        Assert.True(atOrigin >= 3000 / bound, $"{atOrigin} centroids hold the 3,000 rows at the origin");
        Assert.All(Enumerable.Range(0, Groups), group => Assert.Contains(Enumerable.Range(0, K),
            c => Math.Abs(split[c * Dimension + group] - 40) < 5));
    }

    [Fact]
    public void OneThreadAllThreadsInMemoryAndOnDiskSplitAlike()
    {
        (float[][] rows, float[] centroids) = HeavyRegion();
        float[] reference = Split(rows, centroids, onDisk: false, threads: 1);
        Assert.Equal(reference, Split(rows, centroids, onDisk: false, threads: Environment.ProcessorCount));
        Assert.Equal(reference, Split(rows, centroids, onDisk: true, threads: Environment.ProcessorCount));
    }

    /// <summary>Splits on 2-d rows at 1.2 times the mean, one thread; the centroids and the cached rows' nearest sizes after.</summary>
    private (float[] Centroids, int Rounds, long[] Sizes, long Bound) SplitAt1Point2(List<float[]> rows, float[] centroids, int k)
    {
        using TrainingBuffer sample = TrainingBuffer.Create(false, rows.Count, 2, _temp.Path);
        sample.WriteRows(0, rows.SelectMany(row => row).ToArray());
        sample.Seal(rows.Count);
        var run = new BalancingRun(sample, new RowBlocks(rows.Count, 512), DistanceMetric.L2,
            SizeBounds.For(rows.Count, k, 1.2, null), new ParallelOptions { MaxDegreeOfParallelism = 1 }, candidates: k)
        {
            Centroids = (float[])centroids.Clone(),
            Prices = new float[k],
        };
        using var packed = new PackedCentroids(k, 2);
        run.RefreshCache(packed);
        SizeBounds bounds = SizeBounds.For(run.Cache.Rows, k, 1.2, null);
        int rounds = 0;
        PartitionSplits.Apply(run, packed, bounds, (_, _) => rounds++, default);
        var sizes = new long[k];
        foreach (int label in run.Cache.NearestLabels())
            sizes[label]++;
        return (run.Centroids, rounds, sizes, bounds.Max);
    }

    /// <summary>
    /// A review's case: the largest partition (A, beside B with room) sheds more cheaply than it splits, so it keeps its
    /// centroid; the next (C, two sub-blobs between full neighbours) must still get the donor (F, a far group whose
    /// merge costs less than C's shedding), where only as many large partitions as donors had been tried.
    /// </summary>
    [Fact]
    public void ALargePartitionThatShedsCheaplyLeavesItsDonorToTheNext()
    {
        var random = new Random(1);
        float Jitter(double scale) => (float)((random.NextDouble() - 0.5) * 2 * scale);
        var rows = new List<float[]>();
        rows.AddRange(Enumerable.Range(0, 170).Select(i => new[] { 200f + 16f * i / 169f, Jitter(0.01) }));
        rows.AddRange(Enumerable.Range(0, 100).Select(_ => new[] { 225f + Jitter(0.05), Jitter(0.01) }));
        rows.AddRange(Enumerable.Range(0, 160).Select(i => new[] { (i < 80 ? -5f : 5f) + Jitter(0.05), Jitter(0.01) }));
        rows.AddRange(Enumerable.Range(0, 130).Select(_ => new[] { -20f + Jitter(0.05), Jitter(0.01) }));
        rows.AddRange(Enumerable.Range(0, 120).Select(i => new[] { 25f + 10f * i / 119f, Jitter(0.01) }));
        rows.AddRange(Enumerable.Range(0, 20).Select(_ => new[] { 52f + Jitter(0.05), Jitter(0.01) }));

        (float[] centroids, int rounds, _, _) = SplitAt1Point2(rows, [208f, 0f, 225f, 0f, 0f, 0f, -20f, 0f, 30f, 0f, 52f, 0f], k: 6);

        Assert.True(rounds >= 1);
        Assert.Contains(Enumerable.Range(0, 6), c => Math.Abs(centroids[c * 2] + 5) < 1);
        Assert.Contains(Enumerable.Range(0, 6), c => Math.Abs(centroids[c * 2] - 5) < 1);
    }

    /// <summary>
    /// A review's case: a partition up to the mean (d2) whose rows go to a small donor (d1) had counted on d1's room,
    /// though d1's rows leave with its centroid too; both gave theirs up and d3 ended at 230 rows against a bound of 151.
    /// Now d1's centroid goes to one of the two far partitions of 200 rows and the other keeps its size for the passes.
    /// </summary>
    [Fact]
    public void NoDonorCountsOnTheRoomOfAnotherDonor()
    {
        var random = new Random(1);
        float Jitter(double scale) => (float)((random.NextDouble() - 0.5) * 2 * scale);
        var rows = new List<float[]>();
        rows.AddRange(Enumerable.Range(0, 30).Select(_ => new[] { 10f + Jitter(0.2), 1.3f + Jitter(0.1) }));
        rows.AddRange(Enumerable.Range(0, 100).Select(_ => new[] { 4.5f + Jitter(0.2), Jitter(0.2) }));
        rows.AddRange(Enumerable.Range(0, 100).Select(_ => new[] { 10f + Jitter(0.05), 4f + Jitter(0.05) }));
        foreach (float centre in new[] { 95f, 105f, 195f, 205f })
            rows.AddRange(Enumerable.Range(0, 100).Select(_ => new[] { centre + Jitter(0.5), Jitter(0.5) }));

        (_, _, long[] sizes, long bound) = SplitAt1Point2(rows, [10f, 0f, 0f, 0f, 10f, 3f, 100f, 0f, 200f, 0f], k: 5);

        Assert.Equal(151, bound);
        Assert.Equal(1, sizes.Count(size => size > bound));
        Assert.All(sizes, size => Assert.InRange(size, 0, 200));
    }

    private static double Norm(ReadOnlySpan<float> vector)
    {
        double sum = 0;
        foreach (float value in vector)
            sum += value * value;
        return Math.Sqrt(sum);
    }
}
