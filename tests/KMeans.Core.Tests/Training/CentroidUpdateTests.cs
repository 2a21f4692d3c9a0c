using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Numerics;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Training;

/// <summary>
/// The update's sums, taken range by range during the assignment, are those of the labels that assignment gave: each
/// centroid is exactly the float of its rows' double sum taken in row order, divided by its size.
/// </summary>
public class CentroidUpdateTests
{
    private const int K = 9;
    private static readonly float[][] Rows = TestData.Blobs(clusters: K, perCluster: 120, dimension: 20, spread: 6, seed: 3).Rows;

    [Theory]
    [InlineData(1L, 1, false)]
    [InlineData(1L, 7, true)]
    [InlineData(20 * 4 * 64L, 16, true)]
    [InlineData(KMeansOptions.DefaultBytesPerRange, KMeansOptions.DefaultRowsPerBlock, false)]
    public void SumsTakenDuringTheAssignmentGiveTheMeansOfItsLabels(long bytesPerRange, int rowsPerBlock, bool skipByBounds)
    {
        int d = Rows[0].Length;
        using TrainingBuffer sample = TrainingBuffer.Create(false, Rows.Length, d, Path.GetTempPath());
        sample.WriteRows(0, Rows.SelectMany(row => row).ToArray());
        sample.Seal(Rows.Length);
        using var packed = new PackedCentroids(K, d);
        var assignment = new Assignment(sample, K, DistanceMetric.L2, rowsPerBlock, bytesPerRange);
        var update = new CentroidUpdate(K, d, DistanceMetric.L2);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 2 };
        float[] centroids = Enumerable.Range(0, K).SelectMany(c => Rows[c * 37]).ToArray();
        SkipBounds? bounds = skipByBounds ? new SkipBounds(K, d, DistanceMetric.L2) : null;

        for (int iteration = 0; iteration < 3; iteration++)
        {
            packed.Pack(centroids, DistanceMetric.L2);
            bounds?.Update(packed, parallel);
            assignment.Run(packed, parallel, iteration == 0 ? null : bounds, update);
            update.Apply(assignment.Sizes, centroids);

            Assert.Equal(MeansOf(assignment.Labels, centroids), centroids);
        }
    }

    /// <summary>
    /// A pass that takes the update's sums (without bounds, where under L2 the adds also compute the row losses) gives
    /// the labels, row losses, loss and sizes of a pass that does not, on every metric and range size.
    /// </summary>
    [Theory]
    [InlineData(DistanceMetric.L2, 1L)]
    [InlineData(DistanceMetric.L2, KMeansOptions.DefaultBytesPerRange)]
    [InlineData(DistanceMetric.Cosine, 20 * 4 * 64L)]
    [InlineData(DistanceMetric.Dot, KMeansOptions.DefaultBytesPerRange)]
    public void APassTakingTheSumsGivesTheLossesOfAPassThatDoesNot(DistanceMetric metric, long bytesPerRange)
    {
        int d = Rows[0].Length;
        using TrainingBuffer sample = TrainingBuffer.Create(false, Rows.Length, d, Path.GetTempPath());
        sample.WriteRows(0, Rows.SelectMany(row => row).ToArray());
        sample.Seal(Rows.Length);
        using var packed = new PackedCentroids(K, d);
        var plain = new Assignment(sample, K, metric, 16, bytesPerRange);
        var folding = new Assignment(sample, K, metric, 16, bytesPerRange);
        var update = new CentroidUpdate(K, d, metric);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 2 };
        float[] centroids = Enumerable.Range(0, K).SelectMany(c => Rows[c * 37]).ToArray();

        for (int iteration = 0; iteration < 3; iteration++)
        {
            packed.Pack(centroids, metric);
            (double plainLoss, long plainReassigned, _) = plain.Run(packed, parallel);
            (double foldedLoss, long foldedReassigned, _) = folding.Run(packed, parallel, update: update);

            Assert.Equal(plain.Labels, folding.Labels);
            Assert.Equal(plain.RowLoss, folding.RowLoss);
            Assert.Equal(plainLoss, foldedLoss);
            Assert.Equal(plainReassigned, foldedReassigned);
            Assert.Equal(plain.Sizes, folding.Sizes);
            update.Apply(folding.Sizes, centroids);
        }
    }

    /// <summary>
    /// Ranges are added cluster after cluster (each cluster's rows in row order), not row after row: on rows whose
    /// sums depend on the order of their adds, every range size, from one block to the whole sample, gives the
    /// means of the plain row-order sums on every metric, in memory and on disk.
    /// </summary>
    [Theory]
    [InlineData(DistanceMetric.L2, false, 19)]
    [InlineData(DistanceMetric.Cosine, false, 77)]
    [InlineData(DistanceMetric.Dot, true, 19)]
    [InlineData(DistanceMetric.L2, true, 77)]
    public void RangesAddedClusterByClusterGiveTheRowOrderSums(DistanceMetric metric, bool onDisk, int d)
    {
        const int k = 5, n = 1_000, rowsPerBlock = 7;
        var random = new Random(11);
        float[] values = Enumerable.Range(0, n * d).Select(_ => (float)random.NextDouble()).ToArray();
        int[] labels = Enumerable.Range(0, n).Select(_ => random.Next(k)).ToArray();
        // Each cluster's first row holds +2^60 and its middle row −2^60: in row order the small values after the middle
        // survive in the double sums, in any order that adds them before −2^60 they are absorbed (checked below).
        for (int c = 0; c < k; c++)
        {
            int[] members = Enumerable.Range(0, n).Where(row => labels[row] == c).ToArray();
            values.AsSpan(members[0] * d, d).Fill(MathF.Pow(2, 60));
            values.AsSpan(members[members.Length / 2] * d, d).Fill(-MathF.Pow(2, 60));
        }
        long[] sizes = new long[k];
        foreach (int label in labels)
            sizes[label]++;
        using var temp = new TempDirectory();
        using TrainingBuffer sample = TrainingBuffer.Create(onDisk, n, d, temp.Path);
        sample.WriteRows(0, values);
        sample.Seal(n);
        var blocks = new RowBlocks(n, rowsPerBlock);
        float[] expected = MeansInOrder(values, labels, sizes, k, d, metric, Enumerable.Range(0, n));
        Assert.NotEqual(expected, MeansInOrder(values, labels, sizes, k, d, metric, Enumerable.Range(0, n).Reverse()));

        // With row losses asked for, the adds also write each row's L2 loss to the given centroids, sums unchanged.
        float[] lossCentroids = Enumerable.Range(0, k * d).Select(_ => (float)random.NextDouble()).ToArray();
        float[] expectedLosses = Enumerable.Range(0, n)
            .Select(row => SquaredDistance.Of(values.AsSpan(row * d, d), lossCentroids.AsSpan(labels[row] * d, d))).ToArray();
        using var packedLossCentroids = new PackedCentroids(k, d);
        packedLossCentroids.Pack(lossCentroids, DistanceMetric.L2);
        foreach (long blocksPerRange in new[] { 1L, 3, 40, blocks.Count })
        {
            foreach (bool withLosses in new[] { false, true })
            {
                var update = new CentroidUpdate(k, d, metric);
                update.Clear();
                var losses = withLosses ? new RangeLosses(packedLossCentroids, new float[n]) : null;
                for (long first = 0; first < blocks.Count; first += blocksPerRange)
                    update.Add(sample, blocks, first, Math.Min(blocks.Count, first + blocksPerRange), labels, losses);
                float[] centroids = new float[k * d];
                update.Apply(sizes, centroids);

                Assert.Equal(expected, centroids);
                if (losses is not null)
                    Assert.Equal(expectedLosses, losses.RowLoss);
            }
        }
    }

    /// <summary>
    /// Under L2 the adds compute each row's loss as they add it: at dimensions below one vector, of whole vectors and
    /// with a remainder, up to W2's, and with ranges from one block (a row or two per cluster) to the whole sample
    /// (hundreds), the folded pass gives the plain pass's labels, row losses, loss and sizes, and the row-order means.
    /// </summary>
    [Theory]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(20)]
    [InlineData(48)]
    [InlineData(77)]
    [InlineData(1_024)]
    public void FoldedPassesGiveThePlainLossesAndRowOrderMeansAtEveryDimension(int d)
    {
        const int k = 6, n = 700;
        var random = new Random(d);
        float[] values = Enumerable.Range(0, n * d).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
        using TrainingBuffer sample = TrainingBuffer.Create(false, n, d, Path.GetTempPath());
        sample.WriteRows(0, values);
        sample.Seal(n);
        using var packed = new PackedCentroids(k, d);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 2 };
        foreach (long bytesPerRange in new[] { 1L, KMeansOptions.DefaultBytesPerRange })
        {
            var plain = new Assignment(sample, k, DistanceMetric.L2, 16, bytesPerRange);
            var folding = new Assignment(sample, k, DistanceMetric.L2, 16, bytesPerRange);
            var update = new CentroidUpdate(k, d, DistanceMetric.L2);
            float[] centroids = values.AsSpan(0, k * d).ToArray();
            for (int iteration = 0; iteration < 2; iteration++)
            {
                packed.Pack(centroids, DistanceMetric.L2);
                (double plainLoss, _, _) = plain.Run(packed, parallel);
                (double foldedLoss, _, _) = folding.Run(packed, parallel, update: update);

                Assert.Equal(plain.Labels, folding.Labels);
                Assert.Equal(plain.RowLoss, folding.RowLoss);
                Assert.Equal(plainLoss, foldedLoss);
                Assert.Equal(plain.Sizes, folding.Sizes);
                update.Apply(folding.Sizes, centroids);
                Assert.Equal(MeansInOrder(values, folding.Labels, folding.Sizes, k, d, DistanceMetric.L2, Enumerable.Range(0, n)), centroids);
            }
        }
    }

    /// <summary>Each cluster's mean from double sums taken in the given row order (normalised under Cosine).</summary>
    private static float[] MeansInOrder(float[] values, int[] labels, long[] sizes, int k, int d, DistanceMetric metric,
        IEnumerable<int> order)
    {
        var sums = new double[k * d];
        foreach (int row in order)
        {
            for (int j = 0; j < d; j++)
                sums[labels[row] * d + j] += values[row * d + j];
        }
        var means = new float[k * d];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
                means[c * d + j] = (float)(sums[c * d + j] / sizes[c]);
            if (metric == DistanceMetric.Cosine)
                VectorMath.Normalize(means.AsSpan(c * d, d));
        }
        return means;
    }

    /// <summary>
    /// The loss a pass's sums give (under L2 with the spread about the pivots that pass took) is the row-by-row loss
    /// against the means, computed here in double, for any thread count and with an empty cluster. Under L2 the rows
    /// lie 10⁴ from the origin with a spread of 1, where Σ ‖x‖² − ‖S‖² / n would keep only about seven digits.
    /// </summary>
    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Dot)]
    public void TheLossOfTheSumsIsTheRowByRowLossOfTheMeans(DistanceMetric metric)
    {
        const int n = 500, d = 37, k = 7;
        var random = new Random(41);
        float[] values = Enumerable.Range(0, n * d)
            .Select(_ => metric == DistanceMetric.L2 ? 1e4f + (float)random.NextDouble() : (float)(2 * random.NextDouble() - 1))
            .ToArray();
        if (metric == DistanceMetric.Cosine)
            TestData.NormalizeRows(values, d);
        int[] labels = Enumerable.Range(0, n).Select(row => row * 7 % 13 % (k - 1)).ToArray();
        long[] sizes = Enumerable.Range(0, k).Select(c => (long)labels.Count(label => label == c)).ToArray();
        using TrainingBuffer sample = TrainingBuffer.Create(false, n, d, Path.GetTempPath());
        sample.WriteRows(0, values);
        sample.Seal(n);

        var losses = new List<double>();
        float[] centroids = [];
        foreach (int threads in new[] { 1, 3 })
        {
            var update = new CentroidUpdate(k, d, metric);
            PivotSpread? spread = metric == DistanceMetric.L2 ? new PivotSpread(sample, labels, k) : null;
            centroids = new float[k * d];
            update.Run(sample, labels, sizes, centroids, new ParallelOptions { MaxDegreeOfParallelism = threads }, spread);
            losses.Add(update.LossOfSums(sizes, centroids, spread));
        }

        double expected = 0;
        for (int row = 0; row < n; row++)
        {
            double squares = 0, dot = 0;
            for (int j = 0; j < d; j++)
            {
                double x = values[row * d + j], c = centroids[labels[row] * d + j];
                squares += (x - c) * (x - c);
                dot += x * c;
            }
            expected += metric switch { DistanceMetric.L2 => squares, DistanceMetric.Cosine => 1 - dot, _ => -dot };
        }
        Assert.Equal(losses[0], losses[1]);
        Assert.Equal(0, sizes[k - 1]);
        Assert.InRange(losses[0], expected - Math.Abs(expected) * 1e-12, expected + Math.Abs(expected) * 1e-12);
    }

    /// <summary>The plain definition, with empty clusters keeping their centroid.</summary>
    private static float[] MeansOf(int[] labels, float[] previous)
    {
        int d = Rows[0].Length;
        var sums = new double[K * d];
        var sizes = new long[K];
        for (int i = 0; i < Rows.Length; i++)
        {
            sizes[labels[i]]++;
            for (int j = 0; j < d; j++)
                sums[labels[i] * d + j] += Rows[i][j];
        }
        var means = (float[])previous.Clone();
        for (int c = 0; c < K; c++)
        {
            for (int j = 0; sizes[c] > 0 && j < d; j++)
                means[c * d + j] = (float)(sums[c * d + j] / sizes[c]);
        }
        return means;
    }
}
