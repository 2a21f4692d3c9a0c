using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Distance;

/// <summary>
/// Data far from the origin for their spread (tight clusters 100 or 1,000 away): the kernel's ‖c‖² − 2·x·c would cancel
/// to noise in float, so centroids are scored relative to their common offset. Before, 1,844 of these 5,000 rows at
/// offset 100 got a centroid that was not their nearest, and training from the true means raised the loss fivefold.
/// </summary>
public sealed class CommonOffsetTests
{
    private const int Rows = 5000, Dimension = 64, Clusters = 10;

    [Theory]
    [InlineData(100f)]
    [InlineData(1000f)]
    [InlineData(10000f)]
    public void EveryRowGetsItsNearestCentroidOnEveryKernelPath(float offset)
    {
        (float[] rows, float[] means) = Data(offset);
        int[] nearest = NearestInDouble(rows, means);
        using var packed = new PackedCentroids(Clusters, Dimension);
        packed.Pack(means, DistanceMetric.L2);
        Assert.True(packed.HasOffset);
        foreach (KernelPath path in RunnableKernelPaths.All())
        {
            var labels = new int[Rows];
            var scores = new float[Rows];
            KernelPaths.Assign(path, rows, Rows, packed, labels, scores, new AssignmentKernel.Scratch(Rows));
            Assert.Equal(nearest, labels);
        }

        using var search = new NearestCentroidSearch(Enumerable.Range(0, Clusters).Select(c => means.AsSpan(c * Dimension, Dimension).ToArray()).ToArray(), DistanceMetric.L2);
        var ids = new int[Rows];
        var distances = new float[Rows];
        search.Assign(rows, ids, distances, search.CreateWorkspace());
        Assert.Equal(nearest, ids);
    }

    [Theory]
    [InlineData(100f)]
    [InlineData(1000f)]
    [InlineData(10000f)]
    public void TrainingFromTheTrueMeansStaysAtTheirLoss(float offset)
    {
        (float[] rows, float[] means) = Data(offset);
        float[][] vectors = Enumerable.Range(0, Rows).Select(i => rows.AsSpan(i * Dimension, Dimension).ToArray()).ToArray();
        double optimum = LossInDouble(rows, means, NearestInDouble(rows, means));
        var options = new KMeansOptions
        {
            K = Clusters, MaxIterations = 10, Tolerance = 0, SampleRate = Rows, Seed = 1,
            InitialCentroids = Enumerable.Range(0, Clusters).Select(c => means.AsSpan(c * Dimension, Dimension).ToArray()).ToArray(),
        };

        KMeansResult result = KMeansTrainer.Train(TestData.Source(vectors), options);

        Assert.All(result.History, report => Assert.InRange(report.Loss, optimum * (1 - 1e-6), optimum * (1 + 1e-6)));
        Assert.InRange(result.Loss, optimum * (1 - 1e-6), optimum * (1 + 1e-6));
        Assert.Equal(NearestInDouble(rows, result.Centroids), NearestInDouble(rows, means));
    }

    /// <summary>
    /// The AVX-512 tiles translate rows in registers up to a few tiles and from a buffer beyond, the AVX2 tiles always from
    /// the buffer, as the portable path and
    /// the scores of kept rows do (<see cref="PackedCentroids.RowsRelative"/>): every score of every tile shape (whole
    /// tiles of 64, quarters of 16) is the one <see cref="KernelScore.Tiled"/> gives the translated row, bit for bit.
    /// </summary>
    [Theory]
    [InlineData(80, true)]
    [InlineData(300, false)]
    public void TheTilesScoreTheRowsLessTheOffsetAsTheReferenceDoes(int k, bool inRegisters)
    {
        const int count = 50;
        (float[] rows, _) = Data(100f);
        float[] centroids = rows.AsSpan(count * Dimension, k * Dimension).ToArray();
        using var packed = new PackedCentroids(k, Dimension);
        packed.Pack(centroids, DistanceMetric.L2);
        Assert.True(packed.HasOffset);
        Assert.Equal(inRegisters, packed.TilesTranslateRows(wide: true));
        Assert.False(packed.TilesTranslateRows(wide: false));
        float[] translated = packed.RowsRelative(rows.AsSpan(0, count * Dimension), count).ToArray();
        var scored = new float[Dimension];
        int stride = NearestKernel.ScoreStride(k);
        foreach (KernelPath path in RunnableKernelPaths.All().Where(path => path != KernelPath.Portable))
        {
            var scores = new float[count * stride];
            NearestKernel.ScoreAll(rows.AsSpan(0, count * Dimension), count, packed, scores, path);
            for (int c = 0; c < k; c++)
            {
                packed.CopyScored(c, scored);
                float norm;
                unsafe { norm = packed.Norms[c]; }
                for (int i = 0; i < count; i++)
                    Assert.Equal(KernelScore.Tiled(translated.AsSpan(i * Dimension, Dimension), scored, norm), scores[i * stride + c]);
            }
        }
    }

    /// <summary>
    /// The tiles measure each row's ‖x − m‖² for <see cref="NearTies"/> as they leave it, whether they translate it in
    /// registers, take it translated from the buffer, or have no offset: within float summation's rounding of the
    /// value in double (γ₆₄ < 4e-6 relatively).
    /// </summary>
    [Theory]
    [InlineData(80, 100f)]
    [InlineData(300, 100f)]
    [InlineData(80, 0f)]
    public void TheTilesMeasureEachRowsDistanceToTheOffset(int k, float offset)
    {
        const int count = 50;
        (float[] rows, _) = Data(offset);
        float[] centroids = rows.AsSpan(count * Dimension, k * Dimension).ToArray();
        using var packed = new PackedCentroids(k, Dimension);
        packed.Pack(centroids, DistanceMetric.L2);
        Assert.Equal(offset != 0, packed.HasOffset);
        float[] translated = packed.RowsRelative(rows.AsSpan(0, count * Dimension), count).ToArray();
        foreach (KernelPath path in RunnableKernelPaths.All().Where(path => path != KernelPath.Portable))
        {
            var scratch = new AssignmentKernel.Scratch(count);
            AssignmentKernel.AssignTiled(rows.AsSpan(0, count * Dimension), count, packed, new int[count], new float[count], scratch,
                wide: path == KernelPath.Avx512);
            for (int i = 0; i < count; i++)
            {
                double exact = translated.AsSpan(i * Dimension, Dimension).ToArray().Sum(value => (double)value * value);
                Assert.InRange(scratch.RowSquares[i], exact * (1 - 4e-6), exact * (1 + 4e-6));
            }
        }
    }

    /// <summary>
    /// <see cref="KernelScore.Of"/> scores a row the kernel did not (its label kept by the bounds) as the kernel would:
    /// the row less the offset too, or its score would carry the rounding of ‖x‖ (a review found 114,647 where the
    /// kernel gave −22.34 at 1e4 ± 1).
    /// </summary>
    [Fact]
    public void AScoreOutsideTheKernelTakesTheRowLessTheOffsetToo()
    {
        (float[] rows, float[] means) = Data(1000f);
        using var packed = new PackedCentroids(Clusters, Dimension);
        packed.Pack(means, DistanceMetric.L2);
        var labels = new int[Rows];
        var scores = new float[Rows];

        AssignmentKernel.Assign(rows, Rows, packed, labels, scores, new AssignmentKernel.Scratch(Rows));

        for (int i = 0; i < Rows; i++)
            Assert.Equal(scores[i], KernelScore.Of(rows.AsSpan(i * Dimension, Dimension), packed, labels[i]));
    }

    /// <summary>
    /// A few rows far from the others (20 rows of zeros among 5,000 at 100 ± 0.05, say padding vectors): their cluster
    /// must not take the others' offset away. A mean over all centroids gave 4,468 of 5,020 rows a wrong centroid.
    /// </summary>
    [Fact]
    public void AFewFarRowsLeaveTheOthersTheirOffset()
    {
        (float[] near, float[] means) = Data(100f);
        float[] rows = [.. near, .. new float[20 * Dimension]];
        float[] centroids = [.. means, .. new float[Dimension]];
        using var packed = new PackedCentroids(Clusters + 1, Dimension);
        packed.Pack(centroids, DistanceMetric.L2);
        var labels = new int[rows.Length / Dimension];
        var scores = new float[labels.Length];

        AssignmentKernel.Assign(rows, labels.Length, packed, labels, scores, new AssignmentKernel.Scratch(labels.Length));

        Assert.Equal(NearestInDouble(rows, centroids), labels);
        Assert.Equal(100f, packed.Offset[0], 0.5f);
    }

    /// <summary>
    /// Balancing prices far from the origin: they were learned from ‖c‖² − 2·x·c in float, where the prices vanished in
    /// the rounding (prices of about 336 where squared distances are about 30; 7 of 10 partitions empty when assigned),
    /// and stepped at a resolution of ‖c‖² (at 50 ± 0.5 in 64 dimensions, 12,514 of 200,000 rows displaced). The
    /// balanced model's partitions come out as near the origin, and assignment with its prices gives the sizes the
    /// training reports.
    /// </summary>
    [Theory]
    [InlineData(1000f, 10)]
    [InlineData(50f, 64)]
    public void BalancingFarFromTheOriginBalancesAsNearIt(float shift, int k)
    {
        (float[][] near, _) = TestData.Blobs(16, 400, 8, 0.5, seed: 6);
        float[][] far = near.Select(row => row.Select(v => v + shift).ToArray()).ToArray();
        var options = new KMeansOptions { K = k, Seed = 3, MaxSizeRatio = 1.2, SampleRate = 6400 / k };

        KMeansResult atOrigin = KMeansTrainer.Train(TestData.Source(near), options);
        KMeansResult offset = KMeansTrainer.Train(TestData.Source(far), options);

        Assert.InRange(offset.PricedPartitionSizes!.MaxOverMean, 0, atOrigin.PricedPartitionSizes!.MaxOverMean + 0.05);
        Assert.InRange(offset.BalanceHistory[^1].Displaced, 0, atOrigin.BalanceHistory[^1].Displaced + 2);
        float[][] centroids = Enumerable.Range(0, offset.K).Select(c => offset.Centroid(c).ToArray()).ToArray();
        using var search = new NearestCentroidSearch(centroids, DistanceMetric.L2, offset.PartitionPrices);
        var sizes = new long[offset.K];
        foreach (float[] row in far)
            sizes[search.Assign(row).ClusterId]++;
        Assert.Equal(offset.PricedPartitionSizes.Max, sizes.Max());
        Assert.Equal(offset.PricedPartitionSizes.Min, sizes.Min());
    }

    /// <summary>
    /// A dimension keeps its median as offset only when it lies more than 3 median absolute deviations from the origin:
    /// at exactly 3 (median 3, deviations 2, 1, 0, 1, 2) it does not, at 4 it does, and a spread of 0 always does.
    /// </summary>
    [Theory]
    [InlineData(new float[] { 1, 2, 3, 4, 5 }, 0f)]
    [InlineData(new float[] { 2, 3, 4, 5, 6 }, 4f)]
    [InlineData(new float[] { -6, -5, -4, -3, -2 }, -4f)]
    [InlineData(new float[] { 14, 10, 13, 10, 10 }, 10f)]
    [InlineData(new float[] { 0, 0, 0, 0, 0 }, 0f)]
    [InlineData(new float[] { -0f, 0, 0, -0f, 1 }, 0f)]
    [InlineData(new float[] { float.PositiveInfinity, float.PositiveInfinity, float.PositiveInfinity, 1, 2 }, 0f)]
    public void ADimensionKeepsItsMedianBeyondThreeDeviations(float[] values, float expected)
    {
        Assert.Equal(expected, CommonOffset.Of(values, values.Length, 1)[0]);
        // 37 dimensions alike: two whole vectors of 16 and 5 dimensions past them, so every path gives the same.
        const int dimension = 37;
        float[] centroids = values.SelectMany(value => Enumerable.Repeat(value, dimension)).ToArray();
        float[] offset = CommonOffset.Of(centroids, values.Length, dimension);
        Assert.All(offset, value => Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(value)));
    }

    /// <summary>
    /// The offset is each dimension's lower median of the centroids taken (all up to 65, else 65 spread evenly), as a
    /// sort would give it, ties and repeated values included; a selection that stopped early gives another value.
    /// </summary>
    [Theory]
    [InlineData(7)]
    [InlineData(20)]
    [InlineData(65)]
    [InlineData(200)]
    public void TheOffsetIsEachDimensionsLowerMedianOfTheCentroidsTaken(int k)
    {
        var random = new Random(k);
        const int dimension = 40;
        // Values 50 to 59.5 in steps of 0.5 repeat often, so ties are the rule; every median lies far out for the spread.
        float[] centroids = Enumerable.Range(0, k * dimension).Select(_ => 50f + random.Next(20) * 0.5f).ToArray();
        int taken = Math.Min(k, CommonOffset.SampleCentroids);

        float[] offset = CommonOffset.Of(centroids, k, dimension);

        for (int j = 0; j < dimension; j++)
        {
            float[] values = Enumerable.Range(0, taken).Select(i => centroids[(int)((long)i * k / taken) * dimension + j]).Order().ToArray();
            Assert.Equal(values[(taken - 1) / 2], offset[j]);
        }
    }

    [Fact]
    public void DataAboutTheOriginArePackedAsBefore()
    {
        const int k = 64;
        float[] centroids = TestData.GaussianValues(new Random(2), k * Dimension);
        using var packed = new PackedCentroids(k, Dimension);
        packed.Pack(centroids, DistanceMetric.L2);

        Assert.False(packed.HasOffset);
        for (int c = 0; c < k; c++)
        {
            unsafe
            {
                Assert.Equal(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(centroids.AsSpan(c * Dimension, Dimension)), packed.Norms[c]);
            }
        }
    }

    /// <summary>Ten tight clusters (centres 0.05 apart in scale, noise 0.02) shifted by <paramref name="offset"/>, and each cluster's mean.</summary>
    private static (float[] Rows, float[] Means) Data(float offset)
    {
        var random = new Random(3);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double[] centres = Enumerable.Range(0, Clusters * Dimension).Select(_ => Normal() * 0.05).ToArray();
        var rows = new float[Rows * Dimension];
        var label = new int[Rows];
        for (int i = 0; i < Rows; i++)
        {
            label[i] = random.Next(Clusters);
            for (int j = 0; j < Dimension; j++)
                rows[i * Dimension + j] = (float)(centres[label[i] * Dimension + j] + Normal() * 0.02 + offset);
        }
        var means = new float[Clusters * Dimension];
        for (int c = 0; c < Clusters; c++)
        {
            int[] members = Enumerable.Range(0, Rows).Where(i => label[i] == c).ToArray();
            for (int j = 0; j < Dimension; j++)
                means[c * Dimension + j] = (float)members.Average(i => (double)rows[i * Dimension + j]);
        }
        return (rows, means);
    }

    private static int[] NearestInDouble(float[] rows, float[] centroids)
    {
        var nearest = new int[rows.Length / Dimension];
        for (int i = 0; i < nearest.Length; i++)
        {
            double best = double.PositiveInfinity;
            for (int c = 0; c < centroids.Length / Dimension; c++)
            {
                double distance = SquaredDistanceInDouble(rows, i, centroids, c);
                if (distance < best)
                    (best, nearest[i]) = (distance, c);
            }
        }
        return nearest;
    }

    private static double LossInDouble(float[] rows, float[] centroids, int[] labels) =>
        Enumerable.Range(0, Rows).Sum(i => SquaredDistanceInDouble(rows, i, centroids, labels[i]));

    private static double SquaredDistanceInDouble(float[] rows, int row, float[] centroids, int centroid)
    {
        double sum = 0;
        for (int j = 0; j < Dimension; j++)
        {
            double difference = (double)rows[row * Dimension + j] - centroids[centroid * Dimension + j];
            sum += difference * difference;
        }
        return sum;
    }
}
