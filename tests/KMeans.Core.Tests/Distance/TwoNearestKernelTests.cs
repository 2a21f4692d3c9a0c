using KMeans.Core.Distance;

namespace KMeans.Core.Tests.Distance;

/// <summary>
/// The two-nearest kernel's per-lane pairs give exactly what the general sorted-list kernel gives for n = 2 (the same
/// centroids in the same order, bit-identical scores) on every tiled path, whatever K leaves as padding in the last
/// tile, and its first is the single-nearest kernel's label.
/// </summary>
public class TwoNearestKernelTests
{
    public static TheoryData<bool, int> TiledPathsAndCentroidCounts()
    {
        var data = new TheoryData<bool, int>();
        foreach (bool wide in TiledPaths())
        {
            foreach (int k in new[] { 2, 3, 17, 40, 64, 70, 100, 130 })
                data.Add(wide, k);
        }
        return data;
    }

    private static IEnumerable<bool> TiledPaths()
    {
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported)
            yield return false;
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            yield return true;
    }

    [Theory]
    [MemberData(nameof(TiledPathsAndCentroidCounts))]
    public void GivesTheGeneralKernelsTwoNearestAndTheKernelsLabel(bool wide, int k)
    {
        const int rows = 197, dimension = 13;
        float[] x = TestData.Uniform(rows, dimension, seed: 81 + k).SelectMany(v => v).ToArray();
        using var packed = new PackedCentroids(k, dimension);
        packed.Pack(TestData.Uniform(k, dimension, seed: 82 + k).SelectMany(v => v).ToArray(), DistanceMetric.L2, null);
        KernelPath path = wide ? KernelPath.Avx512 : KernelPath.Avx2;
        var ids = new int[rows * 2];
        var scores = new float[rows * 2];
        var listIds = new int[rows * 2];
        var listScores = new float[rows * 2];
        var labels = new int[rows];

        TwoNearestKernel.Assign(x, rows, packed, ids, scores, new TwoNearestKernel.Scratch(rows), wide);
        NearestKernel.Assign(x, rows, packed, 2, listIds, listScores, path);
        KernelPaths.Assign(path, x, rows, packed, labels, new float[rows], new AssignmentKernel.Scratch(rows));

        Assert.Equal(listIds, ids);
        Assert.Equal(listScores, scores);
        Assert.Equal(labels, ids.Where((_, i) => i % 2 == 0));
    }

    /// <summary>Every row equally far from every centroid: both ranks go to the lowest indices, whichever lanes hold them.</summary>
    [Theory]
    [MemberData(nameof(TiledPathsAndCentroidCounts))]
    public void AllTiesGoToTheTwoLowestIndices(bool wide, int k)
    {
        const int rows = 7, dimension = 3;
        float[] x = new float[rows * dimension];
        using var packed = new PackedCentroids(k, dimension);
        packed.Pack(new float[k * dimension], DistanceMetric.L2, null);
        var ids = new int[rows * 2];

        TwoNearestKernel.Assign(x, rows, packed, ids, new float[rows * 2], new TwoNearestKernel.Scratch(rows), wide);

        Assert.All(Enumerable.Range(0, rows), i => Assert.Equal([0, 1], ids.Skip(2 * i).Take(2)));
    }
}
