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
    public void NearestListsStartWithTheOwnCopyAndHoldTheExactNearest(int nearest)
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
                // Rows the float scores told apart keep the kernel's order; the exact nearest are in the list either way.
                Assert.Equal(exact.Order(), ids.AsSpan(i * nearest, nearest).ToArray().Order());
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
