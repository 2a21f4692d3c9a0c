using KMeans.Core.Distance;

namespace KMeans.Core.Tests.Distance;

public class AssignmentKernelTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 3, 5)]
    [InlineData(13, 64, 17)]
    [InlineData(50, 130, 33)]
    [InlineData(192, 70, 128)]
    public void MatchesADoublePrecisionBruteForceArgmin(int rows, int k, int dimension)
    {
        float[][] x = TestData.Uniform(rows, dimension, seed: rows + k);
        float[][] c = TestData.Uniform(k, dimension, seed: dimension);
        using var packed = new PackedCentroids(k, dimension);
        packed.Pack(c.SelectMany(v => v).ToArray(), DistanceMetric.L2);
        var labels = new int[rows];
        var scores = new float[rows];

        AssignmentKernel.Assign(x.SelectMany(v => v).ToArray(), rows, packed, labels, scores, new AssignmentKernel.Scratch(rows));

        for (int i = 0; i < rows; i++)
        {
            double[] distances = c.Select(centroid => Training.KnownAnswerTests.Distance(x[i], centroid)).ToArray();
            double best = distances.Min();
            // Float rounding may pick a centroid whose exact distance ties the best to ~1e-5 relative; never worse.
            Assert.True(distances[labels[i]] <= best * (1 + 1e-5) + 1e-6, $"row {i}: label {labels[i]} at {distances[labels[i]]}, best {best}");
            // The score is the distance less ‖x − m‖², m the offset the centroids were packed relative to.
            double rowNorm = x[i].Select((v, j) => (double)v - packed.Offset[j]).Sum(v => v * v);
            Assert.Equal(distances[labels[i]], rowNorm + scores[i], 1e-3);
        }
    }

    [Fact]
    public void TiesGoToTheLowestIndex()
    {
        float[] centroids = [1f, 0f, 0f, 1f, 1f, 0f, 0f, 1f];
        using var packed = new PackedCentroids(4, 2);
        packed.Pack(centroids, DistanceMetric.L2);
        var labels = new int[2];
        var scores = new float[2];

        AssignmentKernel.Assign([1f, 0f, 0f, 1f], 2, packed, labels, scores, new AssignmentKernel.Scratch(2));

        Assert.Equal([0, 1], labels);
    }

    /// <summary>
    /// Equal nearest centroids in different lanes and tiles (5, 21, 70, 133 of 150): every path picks the lowest index
    /// and gives the score it gets alone, and when every centroid is the same, centroid 0.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TiesAcrossLanesAndTilesGoToTheLowestIndexOnEveryPath(bool allEqual)
    {
        const int k = 150, dimension = 9, rows = 13;
        float[][] x = TestData.Uniform(rows, dimension, seed: 5);
        float[] c = TestData.Uniform(k, dimension, seed: 6).SelectMany(v => v.Select(value => value + 3f)).ToArray();
        int[] nearest = allEqual ? Enumerable.Range(0, k).ToArray() : [5, 21, 70, 133];
        foreach (int index in nearest)
            Array.Fill(c, 0.5f, index * dimension, dimension);
        using var packed = new PackedCentroids(k, dimension);
        packed.PackRelativeTo(new float[dimension], c, DistanceMetric.L2);
        using var alone = new PackedCentroids(1, dimension);
        // A centroid alone is its own offset; scores compare across packings only about the origin.
        alone.PackRelativeTo(new float[dimension], c.AsSpan(nearest[0] * dimension, dimension), DistanceMetric.L2);
        float[] flat = x.SelectMany(v => v).ToArray();

        foreach (KernelPath path in RunnableKernelPaths.All())
        {
            var labels = new int[rows];
            var scores = new float[rows];
            var aloneLabels = new int[rows];
            var aloneScores = new float[rows];
            KernelPaths.Assign(path, flat, rows, packed, labels, scores, new AssignmentKernel.Scratch(rows));
            KernelPaths.Assign(path, flat, rows, alone, aloneLabels, aloneScores, new AssignmentKernel.Scratch(rows));

            Assert.All(labels, label => Assert.Equal(nearest[0], label));
            Assert.Equal(aloneScores, scores);
        }
    }

    /// <summary>
    /// A centroid whose norm term and dot product with the row both overflow scores −∞ + ∞ = NaN: it never becomes a
    /// lane's best, so the next centroid in the same lane, or any other, still wins, on every path, by the kernel's
    /// comparisons alone.
    /// </summary>
    [Fact]
    public void NaNScoresNeverWinALane()
    {
        const int k = 40, d = 2;
        var c = new float[k * d];
        Array.Fill(c, -1e10f);
        // Lane 0 takes centroids 0, 16 and 32 in turn: 16 scores NaN against the rows, right before 32, the nearest.
        c.AsSpan(16 * d, d).Fill(3e19f);
        c.AsSpan(32 * d, d).Fill(1f);
        float[] rows = [1e19f, 1e19f, 1e19f, 1e19f];
        // Priced (as balanced training packs them), so that exact settling, which would rank the row again, is off.
        using var packed = new PackedCentroids(k, d);
        packed.Pack(c, DistanceMetric.L2, new float[k]);
        Assert.False(packed.SettlesNearTies);
        Assert.True(float.IsNaN(KernelScore.Of(rows.AsSpan(0, d), packed, 16)));

        foreach (KernelPath path in RunnableKernelPaths.All())
        {
            var labels = new int[2];
            var scores = new float[2];
            KernelPaths.Assign(path, rows, 2, packed, labels, scores, new AssignmentKernel.Scratch(2));
            Assert.Equal([32, 32], labels);
            Assert.Equal(KernelScore.Of(rows.AsSpan(0, d), packed, 32), scores[0]);
        }
    }

    [GatedFact(Gate.Avx512)]
    public void TheWideTileAgreesWithThePortablePath() => VectorPathAgreesWithThePortablePath(wide: true);

    [GatedFact(Gate.Avx2Fma)]
    public void The256BitTileAgreesWithThePortablePath() => VectorPathAgreesWithThePortablePath(wide: false);

    private static void VectorPathAgreesWithThePortablePath(bool wide)
    {
        float[] x = TestData.Uniform(97, 40, seed: 2).SelectMany(v => v).ToArray();
        float[] c = TestData.Uniform(100, 40, seed: 3).SelectMany(v => v).ToArray();
        using var packed = new PackedCentroids(100, 40);
        packed.Pack(c, DistanceMetric.Dot);
        var vectorLabels = new int[97];
        var portableLabels = new int[97];
        var vectorScores = new float[97];
        var portableScores = new float[97];

        AssignmentKernel.AssignTiled(x, 97, packed, vectorLabels, vectorScores, new AssignmentKernel.Scratch(97), wide);
        AssignmentKernel.AssignPortable(x, 97, packed, portableLabels, portableScores);

        Assert.Equal(portableLabels, vectorLabels);
        for (int i = 0; i < 97; i++)
            Assert.Equal(portableScores[i], vectorScores[i], 1e-4f);
    }

    [GatedTheory(Gate.Avx512)]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(100)]
    public void SkippingPaddedQuartersGivesExactlyTheWholeWideTilesResults(int k) => SkippingPaddedQuartersGivesTheWholeTilesResults(wide: true, k);

    [GatedTheory(Gate.Avx2Fma)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(100)]
    public void SkippingPaddedQuartersGivesExactlyTheWhole256BitTilesResults(int k) => SkippingPaddedQuartersGivesTheWholeTilesResults(wide: false, k);

    private static void SkippingPaddedQuartersGivesTheWholeTilesResults(bool wide, int k)
    {
        float[] x = TestData.Uniform(61, 24, seed: 4).SelectMany(v => v).ToArray();
        float[] c = TestData.Uniform(k, 24, seed: 5).SelectMany(v => v).ToArray();
        using var packed = new PackedCentroids(k, 24);
        packed.Pack(c, DistanceMetric.L2);
        var skipping = (Labels: new int[61], Scores: new float[61]);
        var whole = (Labels: new int[61], Scores: new float[61]);

        AssignmentKernel.AssignTiled(x, 61, packed, skipping.Labels, skipping.Scores, new AssignmentKernel.Scratch(61), wide);
        AssignmentKernel.AssignTiled(x, 61, packed, whole.Labels, whole.Scores, new AssignmentKernel.Scratch(61), wide, everyQuarter: true);

        Assert.Equal(whole.Labels, skipping.Labels);
        Assert.Equal(whole.Scores, skipping.Scores);
    }

    [Fact]
    public void ThePortablePathGivesTheSameBitsWhereverTheRowLies()
    {
        const int d = 1000;
        float[] row = TestData.Uniform(1, d, seed: 6)[0];
        float[] c = TestData.Uniform(9, d, seed: 7).SelectMany(v => v).ToArray();
        using var packed = new PackedCentroids(9, d);
        packed.Pack(c, DistanceMetric.Dot);
        var expected = (Labels: new int[1], Scores: new float[1]);
        AssignmentKernel.AssignPortable(row, 1, packed, expected.Labels, expected.Scores);

        for (int offset = 1; offset < 16; offset++)
        {
            var shifted = new float[offset + d];
            row.CopyTo(shifted, offset);
            var actual = (Labels: new int[1], Scores: new float[1]);
            AssignmentKernel.AssignPortable(shifted.AsSpan(offset, d), 1, packed, actual.Labels, actual.Scores);

            Assert.Equal(expected.Labels, actual.Labels);
            Assert.Equal(BitConverter.SingleToInt32Bits(expected.Scores[0]), BitConverter.SingleToInt32Bits(actual.Scores[0]));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(130)]
    public void TheOrderedDotProductIsTheDotProduct(int length)
    {
        float[] x = TestData.Uniform(1, length, seed: 8)[0];
        float[] y = TestData.Uniform(1, length, seed: 9)[0];
        double exact = x.Zip(y, (a, b) => (double)a * b).Sum();

        Assert.Equal(exact, OrderedDot.Of(x, y), 1e-4 * length);
    }
}
