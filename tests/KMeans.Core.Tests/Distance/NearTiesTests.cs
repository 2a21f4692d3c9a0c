using System.Numerics;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Distance;

/// <summary>
/// Rows whose float scores cannot tell their nearest centroid get the exact one (<see cref="NearTies"/>). The data are
/// a helper's report: 2,000 rows of 32 standard normal values, the first replaced by a sorted draw from 0–19,999, so
/// that neighbours are 10 apart in it while squared norms reach 4·10⁸; each row's own copy among the centroids scored
/// tens above another centroid, and 266 of 2,000 rows went elsewhere.
/// </summary>
public class NearTiesTests
{
    private const int Rows = 2_000, Dimension = 32;

    [Fact]
    public void EveryRowGetsItsOwnCopyOnEveryPath()
    {
        float[] rows = FarApartInOneDimension(Rows, Dimension, seed: 7);
        using var packed = new PackedCentroids(Rows, Dimension);
        packed.Pack(rows, DistanceMetric.L2);
        foreach (KernelPath path in RunnableKernelPaths.All())
        {
            var labels = new int[Rows];
            var scores = new float[Rows];
            for (int first = 0; first < Rows; first += AssignmentKernel.BlockRows)
            {
                int count = Math.Min(AssignmentKernel.BlockRows, Rows - first);
                KernelPaths.Assign(path, rows.AsSpan(first * Dimension, count * Dimension), count, packed,
                    labels.AsSpan(first, count), scores.AsSpan(first, count), new AssignmentKernel.Scratch(count));
            }

            int[] elsewhere = Enumerable.Range(0, Rows).Where(i => labels[i] != i).ToArray();
            Assert.True(elsewhere.Length == 0,
                $"{path}: {elsewhere.Length} rows not given their own copy, first row {elsewhere.FirstOrDefault()} → {labels[elsewhere.FirstOrDefault()]}");
            // The score stays the kernel's own for the centroid chosen.
            Assert.Equal(KernelScoreOn(path, rows.AsSpan(837 * Dimension, Dimension), packed, 837), scores[837]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void NearestListsAreTheExactNearestInOrderFromTheOwnCopy(int nearest)
    {
        float[] rows = FarApartInOneDimension(Rows, Dimension, seed: 8);
        float[][] centroids = Enumerable.Range(0, Rows).Select(i => rows.AsSpan(i * Dimension, Dimension).ToArray()).ToArray();
        using var search = new NearestCentroidSearch(centroids, DistanceMetric.L2);
        foreach (KernelPath path in RunnableKernelPaths.All())
        {
            search.Path = path;
            var ids = new int[Rows * nearest];
            var distances = new float[Rows * nearest];

            search.AssignNearest(rows, nearest, ids, distances, search.CreateWorkspace());

            for (int i = 0; i < Rows; i++)
            {
                Assert.True(ids[i * nearest] == i, $"{path}: row {i}'s nearest is {ids[i * nearest]}");
                Assert.Equal(0f, distances[i * nearest]);
                int[] exact = Enumerable.Range(0, Rows)
                    .OrderBy(c => Training.KnownAnswerTests.Distance(centroids[i], centroids[c])).ThenBy(c => c)
                    .Take(nearest).ToArray();
                Assert.Equal(exact, ids.AsSpan(i * nearest, nearest).ToArray());
            }
        }
    }

    [Fact]
    public void TrainingFromTheRowsThemselvesHasNoLoss()
    {
        float[] values = FarApartInOneDimension(Rows, Dimension, seed: 9);
        float[][] rows = Enumerable.Range(0, Rows).Select(i => values.AsSpan(i * Dimension, Dimension).ToArray()).ToArray();

        KMeansResult result = KMeansTrainer.Train(TestData.Source(rows), new KMeansOptions
        {
            K = Rows,
            InitialCentroids = rows,
            MaxIterations = 1,
            Tolerance = 0,
            Hierarchical = HierarchicalMode.Off,
        });

        Assert.Equal(0, result.Loss);
        Assert.All(result.ClusterSizes, size => Assert.Equal(1, size));
    }

    /// <summary>
    /// A row of finite values whose float squared norm overflows (2e19) while its scores stay finite: the two nearest
    /// centroids tie in float, 1.5·10²³ apart in exact distance. A helper found the row left with the float choice.
    /// </summary>
    [Fact]
    public void ARowBeyondFloatsSquaredNormGetsItsNearest()
    {
        float[] centroids = [1e12f, 4e11f, 1e12f, 0f, 0f, 0f, -1e12f, 0f, 0f, 0f];
        float[] row = [2e19f, 0f];

        Assert.All(LabelsOnEveryPath(row, centroids, 2), labels => Assert.Equal([1], labels));
    }

    /// <summary>
    /// Distances 2⁻⁴⁰ apart at 10⁸, which double sums round to the same value (a helper's review): the exact comparison
    /// decides, and the nearer centroid, the higher index, comes first.
    /// </summary>
    [Fact]
    public void DistancesThatDoubleCannotTellApartAreComparedExactly()
    {
        float[] centroids = [0f, MathF.ScaleB(1f, -20), 20_000f, 0f];
        float[] row = [10_000f, 0f];

        Assert.All(LabelsOnEveryPath(row, centroids, 2), labels => Assert.Equal([1], labels));
        using var search = new NearestCentroidSearch([centroids[..2], centroids[2..]], DistanceMetric.L2);
        foreach (KernelPath path in RunnableKernelPaths.All())
        {
            search.Path = path;
            var ids = new int[2];
            search.AssignNearest(row, 2, ids, new float[2], search.CreateWorkspace());
            Assert.Equal([1, 0], ids);
        }
    }

    /// <summary>
    /// Adversarial layouts from a helper's review, each with duplicate centroids, rows on the centroids, rows near
    /// them and rows at midpoints between two: every path and every nearest list start with the exact nearest, by
    /// integer arithmetic on the floats' values, ties to the lower index.
    /// </summary>
    [Theory]
    [InlineData("wide", 17, 3)]
    [InlineData("wide", 65, 17)]
    [InlineData("offset", 17, 3)]
    [InlineData("offset", 65, 128)]
    [InlineData("halves", 2, 1)]
    [InlineData("halves", 17, 3)]
    [InlineData("halves", 65, 17)]
    [InlineData("offsetSixtyFourths", 15, 3)]
    [InlineData("offsetSixtyFourths", 65, 17)]
    [InlineData("wideOffset", 64, 17)]
    [InlineData("farCentroidAmongOffsetData", 65, 17)]
    [InlineData("farCentroidAboutTheOrigin", 17, 128)]
    public void EveryRowGetsItsExactNearestOnAdversarialLayouts(string layout, int k, int dimension)
    {
        (float[] rows, float[] centroids) = Adversarial(layout, k, dimension, seed: k * 1000 + dimension);
        int count = rows.Length / dimension;
        int[] exact = Enumerable.Range(0, count).Select(i => ExactNearest(rows.AsSpan(i * dimension, dimension), centroids, dimension)).ToArray();

        foreach (int[] labels in LabelsOnEveryPath(rows, centroids, dimension))
            Assert.Equal(exact, labels);
        float[][] list = Enumerable.Range(0, k).Select(c => centroids.AsSpan(c * dimension, dimension).ToArray()).ToArray();
        using var search = new NearestCentroidSearch(list, DistanceMetric.L2);
        foreach (KernelPath path in RunnableKernelPaths.All())
        {
            search.Path = path;
            foreach (int nearest in new[] { 1, 2, 3, 5 }.Where(n => n <= k))
            {
                var ids = new int[count * nearest];
                search.AssignNearest(rows, nearest, ids, new float[count * nearest], search.CreateWorkspace());
                Assert.Equal(exact, Enumerable.Range(0, count).Select(i => ids[i * nearest]));
                for (int i = 0; i < count; i += 7)
                {
                    Assert.Equal(ExactNearestList(rows.AsSpan(i * dimension, dimension), centroids, dimension, nearest),
                        ids.AsSpan(i * nearest, nearest).ToArray());
                }
            }
        }
    }

    /// <summary>The kernel's labels for every row on each path this machine runs, in blocks as training hands them over.</summary>
    private static IEnumerable<int[]> LabelsOnEveryPath(float[] rows, float[] centroids, int dimension)
    {
        int count = rows.Length / dimension;
        using var packed = new PackedCentroids(centroids.Length / dimension, dimension);
        packed.Pack(centroids, DistanceMetric.L2);
        var all = new List<int[]>();
        foreach (KernelPath path in RunnableKernelPaths.All())
        {
            var labels = new int[count];
            var scores = new float[count];
            for (int first = 0; first < count; first += AssignmentKernel.BlockRows)
            {
                int n = Math.Min(AssignmentKernel.BlockRows, count - first);
                KernelPaths.Assign(path, rows.AsSpan(first * dimension, n * dimension), n, packed, labels.AsSpan(first, n),
                    scores.AsSpan(first, n), new AssignmentKernel.Scratch(n));
            }
            all.Add(labels);
        }
        return all;
    }

    /// <summary>The nearest centroid by exact squared distance (integer arithmetic on the floats), ties to the lower index.</summary>
    private static int ExactNearest(ReadOnlySpan<float> row, float[] centroids, int dimension) =>
        ExactNearestList(row, centroids, dimension, 1)[0];

    /// <summary>The <paramref name="n"/> nearest centroids by exact squared distance, nearest first, ties to the lower index.</summary>
    private static int[] ExactNearestList(ReadOnlySpan<float> row, float[] centroids, int dimension, int n)
    {
        var distances = new BigInteger[centroids.Length / dimension];
        for (int c = 0; c < distances.Length; c++)
        {
            for (int j = 0; j < dimension; j++)
            {
                BigInteger difference = Scaled(row[j]) - Scaled(centroids[c * dimension + j]);
                distances[c] += difference * difference;
            }
        }
        return Enumerable.Range(0, distances.Length).OrderBy(c => distances[c]).ThenBy(c => c).Take(n).ToArray();
    }

    /// <summary>A float's value times 2¹⁴⁹, an integer for every finite float.</summary>
    private static BigInteger Scaled(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        int exponent = (bits >> 23) & 0xFF;
        BigInteger magnitude = exponent == 0 ? bits & 0x7FFFFF : (bits & 0x7FFFFF) | (1 << 23);
        if (exponent > 1)
            magnitude <<= exponent - 1;
        return bits < 0 ? -magnitude : magnitude;
    }

    /// <summary>
    /// Centroids of the layout (every seventh from the fifth a copy of the one five before it), then rows: each
    /// centroid, 200 near random centroids, 400 midpoints of two, and for "halves" 400 grid points.
    /// </summary>
    private static (float[] Rows, float[] Centroids) Adversarial(string layout, int k, int dimension, int seed)
    {
        var random = new Random(seed);
        float Normal() => TestData.GaussianValues(random, 1)[0];
        Func<int, int, float> value = layout switch
        {
            "wide" => (_, j) => j == 0 ? random.Next(0, 20_000) : Normal(),
            "offset" => (_, _) => 1e4f + 0.01f * Normal(),
            "halves" => (_, _) => random.Next(0, 4),
            "offsetSixtyFourths" => (_, _) => 1e4f + random.Next(0, 5) / 64f,
            "wideOffset" => (_, j) => j == 0 ? 1e6f + random.Next(0, 20_000) : 1e4f + Normal(),
            "farCentroidAmongOffsetData" => (c, _) => c == 1 ? 0f : 1e4f + Normal(),
            "farCentroidAboutTheOrigin" => (c, _) => c == 1 ? 1e5f : random.Next(0, 3) / 2f,
            _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, null),
        };
        var centroids = new float[k * dimension];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < dimension; j++)
                centroids[c * dimension + j] = value(c, j);
        }
        for (int c = 5; c < k; c += 7)
            Array.Copy(centroids, (c - 5) * dimension, centroids, c * dimension, dimension);
        var rows = new List<float>(centroids);
        float spread = layout switch { "offset" => 0.01f, "wide" or "wideOffset" => 2f, _ => 0.5f };
        for (int i = 0; i < 200; i++)
        {
            int c = random.Next(k);
            for (int j = 0; j < dimension; j++)
                rows.Add(centroids[c * dimension + j] + spread * Normal());
        }
        for (int i = 0; i < 400; i++)
        {
            int a = random.Next(k), b = random.Next(k);
            for (int j = 0; j < dimension; j++)
                rows.Add((float)(((double)centroids[a * dimension + j] + centroids[b * dimension + j]) / 2));
        }
        if (layout == "halves")
        {
            for (int i = 0; i < 400 * dimension; i++)
                rows.Add(random.Next(0, 7) / 2f);
        }
        return (rows.ToArray(), centroids);
    }

    /// <summary>Rows of standard normal values whose first is a sorted draw without replacement from 0–19,999.</summary>
    private static float[] FarApartInOneDimension(int rows, int dimension, int seed)
    {
        var random = new Random(seed);
        int[] first = Enumerable.Range(0, 20_000).OrderBy(_ => random.Next()).Take(rows).Order().ToArray();
        float[] values = TestData.GaussianValues(random, rows * dimension);
        for (int i = 0; i < rows; i++)
            values[i * dimension] = first[i];
        return values;
    }

    private static unsafe float KernelScoreOn(KernelPath path, ReadOnlySpan<float> row, PackedCentroids packed, int centroid)
    {
        var single = new float[packed.Dimension];
        packed.CopyScored(centroid, single);
        ReadOnlySpan<float> relative = packed.RowsRelative(row, 1);
        return path == KernelPath.Portable
            ? KernelScore.Portable(relative, single, packed.Norms[centroid])
            : KernelScore.Tiled(relative, single, packed.Norms[centroid]);
    }
}
