using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training.Balancing;

namespace KMeans.Core.Tests.Training;

/// <summary>
/// One search of the path finish moves one row along each partition of its path and no other row: on a line of four
/// partitions D, A, B, C (centroids at x = −2, 0, 2, 4), A one row above the maximum, B and D at it and C with room,
/// the search from A settles D (0.6 away through A's row at −0.85) before it reaches C through B (0.4 + 0.4), so D is
/// a partition the search reached off its path.
/// </summary>
public sealed class AugmentingPathsTests
{
    private const int Dimension = 2;

    [Fact]
    public void ASearchMovesTheRowsOfItsPathAndLeavesThePartitionsOffItWhereTheyWere()
    {
        float[] centroidX = [0f, 2f, 4f, -2f];
        var rowX = new List<float>();
        rowX.AddRange(Enumerable.Repeat(0f, 9));
        rowX.AddRange([0.9f, -0.85f]);
        rowX.AddRange(Enumerable.Repeat(2f, 9));
        rowX.Add(2.9f);
        rowX.AddRange(Enumerable.Repeat(4f, 5));
        rowX.AddRange(Enumerable.Repeat(-2f, 10));
        int rows = rowX.Count;
        float[] values = rowX.SelectMany(x => new[] { x, 0f }).ToArray();
        float[] centroids = centroidX.SelectMany(x => new[] { x, 0f }).ToArray();
        using TrainingBuffer sample = TrainingBuffer.Create(onDisk: false, rows, Dimension, Path.GetTempPath());
        sample.WriteRows(0, values);
        sample.Seal(rows);
        SizeBounds bounds = SizeBounds.For(rows, centroidX.Length, 10.0 / 9, null);
        using var run = new BalancingRun(sample, new RowBlocks(rows, 256), DistanceMetric.L2, bounds,
            new ParallelOptions { MaxDegreeOfParallelism = 2 }, candidates: 4)
        {
            Centroids = centroids,
            Prices = new float[centroidX.Length],
        };
        using var packed = new PackedCentroids(centroidX.Length, Dimension);
        (long[] before, _) = run.AssignSample(packed);
        Assert.Equal(10, bounds.Max);
        Assert.Equal([11L, 10, 5, 10], before);

        // A budget of one row through the kernel lets exactly one search start.
        (long[] after, _, _) = AugmentingPaths.Run(run, packed, PriceUpdate.NormTerms(centroids, Dimension, DistanceMetric.L2),
            before, budgetRows: 1, run.Loss(), (_, _, _) => { }, CancellationToken.None);

        Assert.Equal([10L, 10, 6, 10], after);
        Assert.Equal(1, run.Labels[9]);
        Assert.Equal(2, run.Labels[20]);
        Assert.Equal(0, run.Labels[10]);
    }
}
