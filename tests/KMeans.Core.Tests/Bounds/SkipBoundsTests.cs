using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Bounds;

/// <summary>The bound test on hand-built centroids: where float rounding, not geometry, decides the kernel's label.</summary>
public class SkipBoundsTests
{
    [Fact]
    public void RowsNearTheMidpointAtLargeOffsetsGetTheirExactNearestWithOrWithoutBounds()
    {
        // Centroid 1 and centroid 0 lie 8 apart along the first axis, 1e4 from the origin: scores near −4·10⁸ are
        // rounded to multiples of 32, so for rows within 0.05 of the midpoint rounding, not distance, ranks the two, and
        // the kernel settles them by exact distances. Centroids 2 and 3, at the origin and on its other side, put the
        // centroids' median at the origin, so they are scored about it, as centroids spread over a wide range are.
        const float offset = 1e4f;
        float[] centroids = [offset + 8, offset, offset, offset, offset, offset, offset, offset, 0, 0, 0, 0, -offset, -offset, -offset, -offset];
        float[][] rows = Enumerable.Range(0, 101)
            .Select(i => new[] { offset + 4 + (i - 50) * 0.001f, offset, offset, offset })
            .ToArray();
        int[] previous = Enumerable.Repeat(1, rows.Length).ToArray();

        (int[] plain, _) = Assign(rows, centroids, previous, DistanceMetric.L2, skip: false);
        (int[] skipping, long skipped) = Assign(rows, centroids, previous, DistanceMetric.L2, skip: true);

        Assert.Equal(rows.Select(row => ExactNearest(row, centroids)), plain);
        Assert.Equal(plain, skipping);
        Assert.True(skipped < rows.Length);
    }

    [Fact]
    public void RowsNearTheMidpointOfCentroidsWithACommonOffsetGetTheirNearestAndKeepIt()
    {
        // The two centroids above alone share the offset 1e4, which the kernel scores them relative to: no rounding
        // overrules a distance, and the bounds, now on the smaller scores, still keep only labels the kernel gives.
        const float offset = 1e4f;
        float[] centroids = [offset + 8, offset, offset, offset, offset, offset, offset, offset];
        float[][] rows = Enumerable.Range(0, 101)
            .Select(i => new[] { offset + 4 + (i - 50) * 0.001f, offset, offset, offset })
            .Where(row => row[0] != offset + 4)
            .ToArray();
        int[] previous = Enumerable.Repeat(1, rows.Length).ToArray();

        (int[] plain, _) = Assign(rows, centroids, previous, DistanceMetric.L2, skip: false);
        (int[] skipping, long skipped) = Assign(rows, centroids, previous, DistanceMetric.L2, skip: true);

        Assert.Equal(rows.Select(row => ExactNearest(row, centroids)), plain);
        Assert.Equal(plain, skipping);
        Assert.InRange(skipped, 1, rows.Length - 1);
    }

    [Fact]
    public void ForDotTheCentroidNormsOutweighTheDistances()
    {
        // The row is far nearer centroid 0, but its inner product with the long centroid 1 is larger.
        float[] centroids = [1, 0, 0, 10];
        float[][] rows = [[1, 0.5f], [0.9f, 0.6f], [0, 9]];

        (int[] plain, _) = Assign(rows, centroids, [0, 0, 1], DistanceMetric.Dot, skip: false);
        (int[] skipping, long skipped) = Assign(rows, centroids, [0, 0, 1], DistanceMetric.Dot, skip: true);

        Assert.Equal([1, 1, 1], plain);
        Assert.Equal(plain, skipping);
        Assert.Equal(1, skipped);
    }

    [Fact]
    public void WithOneCentroidEveryRowIsKept()
    {
        float[][] rows = TestData.Uniform(50, 6, seed: 1);
        float[] centroid = rows[0];

        (int[] labels, long skipped) = Assign(rows, centroid, new int[rows.Length], DistanceMetric.L2, skip: true);

        Assert.All(labels, label => Assert.Equal(0, label));
        Assert.Equal(rows.Length, skipped);
    }

    [Fact]
    public void DuplicateCentroidsKeepNoLabel()
    {
        float[][] rows = TestData.Uniform(40, 3, seed: 2);
        float[] centroids = [0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f];

        (int[] labels, long skipped) = Assign(rows, centroids, Enumerable.Repeat(1, rows.Length).ToArray(), DistanceMetric.L2, skip: true);

        Assert.Equal(0, skipped);
        Assert.All(labels, label => Assert.Equal(0, label));
    }

    [Fact]
    public void MagnitudesWhereScoresCouldOverflowKeepNoLabel()
    {
        const float huge = 3e18f;
        float[] centroids = [.. Enumerable.Repeat(huge, 4), .. Enumerable.Repeat(-huge, 4)];
        float[][] rows = [[huge, huge, huge, huge * 1.001f], [-huge, -huge, -huge, -huge]];

        (int[] plain, _) = Assign(rows, centroids, [0, 1], DistanceMetric.L2, skip: false);
        (int[] skipping, long skipped) = Assign(rows, centroids, [0, 1], DistanceMetric.L2, skip: true);

        Assert.Equal(0, skipped);
        Assert.Equal(plain, skipping);
    }

    /// <summary>One assignment of <paramref name="rows"/> whose labels were <paramref name="previous"/>.</summary>
    private static (int[] Labels, long Skipped) Assign(float[][] rows, float[] centroids, int[] previous, DistanceMetric metric, bool skip)
    {
        int d = rows[0].Length;
        int k = centroids.Length / d;
        using TrainingBuffer sample = TrainingBuffer.Create(false, rows.Length, d, Path.GetTempPath());
        sample.WriteRows(0, rows.SelectMany(row => row).ToArray());
        sample.Seal(rows.Length);
        using var packed = new PackedCentroids(k, d);
        packed.Pack(centroids, metric);
        var assignment = new Assignment(sample, k, metric, KMeansOptions.DefaultRowsPerBlock);
        previous.CopyTo(assignment.Labels, 0);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 1 };
        SkipBounds? bounds = null;
        if (skip)
        {
            bounds = new SkipBounds(k, d, metric);
            bounds.Update(packed, parallel);
        }
        (_, _, long skipped) = assignment.Run(packed, parallel, bounds);
        return (assignment.Labels, skipped);
    }

    private static int ExactNearest(float[] row, float[] centroids)
    {
        int d = row.Length;
        return Enumerable.Range(0, centroids.Length / d)
            .MinBy(c => Enumerable.Range(0, d).Sum(j => ((double)row[j] - centroids[c * d + j]) * ((double)row[j] - centroids[c * d + j])));
    }
}
