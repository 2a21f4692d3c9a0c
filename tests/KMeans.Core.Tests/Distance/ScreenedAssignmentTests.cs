using System.Runtime.Intrinsics.X86;
using KMeans.Core.Distance;

namespace KMeans.Core.Tests.Distance;

/// <summary>
/// Screening by 8-bit integers must give the AVX-512 kernel's labels and scores bit for bit, on data built to sit at
/// the edge of its bound: ties, rows midway between centroids, rows on centroids, one dimension dwarfing the others,
/// data far from the origin, rows of zeros.
/// </summary>
public class ScreenedAssignmentTests
{
    /// <summary>Screening runs beside the AVX-512 kernel only; on other machines these tests have nothing to compare.</summary>
    private static bool Screens => Avx512F.IsSupported;

    /// <summary>The integer loops this machine can run: the portable one, and VPDPBUSD where it has AVX-VNNI.</summary>
    private static IEnumerable<bool> IntegerDotPaths()
    {
        yield return false;
        if (AvxVnni.IsSupported)
            yield return true;
    }

    [Theory]
    [InlineData(192, 512, 128, 0f)]
    [InlineData(50, 300, 130, 0f)]
    [InlineData(13, 17, 3, 0f)]
    [InlineData(7, 64, 1, 0f)]
    [InlineData(40, 256, 37, 100f)]
    [InlineData(100, 260, 784, -3f)]
    public void MatchesTheKernelOnUniformData(int rows, int k, int dimension, float shift)
    {
        if (!Screens)
            return;
        float[] x = Shifted(TestData.Uniform(rows, dimension, seed: rows + k), shift);
        float[] c = Shifted(TestData.Uniform(k, dimension, seed: dimension + 1), shift);
        foreach (DistanceMetric metric in Enum.GetValues<DistanceMetric>())
            AssertMatchesKernel(x, rows, c, k, dimension, metric);
    }

    [Fact]
    public void MatchesTheKernelOnNearTiesAndCopies()
    {
        if (!Screens)
            return;
        const int k = 300, dimension = 24;
        float[][] centres = TestData.Uniform(k, dimension, seed: 11);
        // Copies of centroids in other lanes and groups, and rows on centroids and midway between pairs.
        foreach ((int from, int to) in new[] { (3, 200), (17, 33), (40, 41), (299, 0) })
            centres[to] = (float[])centres[from].Clone();
        var rows = new List<float[]>();
        for (int i = 0; i < 60; i++)
        {
            float[] a = centres[i * 5 % k], b = centres[(i * 7 + 1) % k];
            rows.Add(i % 3 == 0 ? (float[])a.Clone() : a.Zip(b, (p, q) => (p + q) / 2).ToArray());
        }
        rows.Add(new float[dimension]);
        float[] x = rows.SelectMany(v => v).ToArray();
        float[] c = centres.SelectMany(v => v).ToArray();
        foreach (DistanceMetric metric in Enum.GetValues<DistanceMetric>())
            Assert.True(AssertMatchesKernel(x, rows.Count, c, k, dimension, metric) < rows.Count, $"{metric}: no row screened");
    }

    [Fact]
    public void MatchesTheKernelWhereOneDimensionDwarfsTheOthers()
    {
        if (!Screens)
            return;
        const int k = 257, dimension = 32, count = 120;
        var random = new Random(3);
        float[] Row() => Enumerable.Range(0, dimension).Select(j => j == 5 ? (float)(random.NextDouble() * 20_000) : (float)random.NextDouble()).ToArray();
        float[] c = Enumerable.Range(0, k).SelectMany(_ => Row()).ToArray();
        float[] x = Enumerable.Range(0, count).SelectMany(_ => Row()).ToArray();
        AssertMatchesKernel(x, count, c, k, dimension, DistanceMetric.L2);
    }

    [Fact]
    public void LeavesARowWithAValueThatIsNotFiniteToTheKernel()
    {
        if (!Screens)
            return;
        const int k = 64, dimension = 8;
        float[] c = TestData.Uniform(k, dimension, seed: 1).SelectMany(v => v).ToArray();
        float[] x = TestData.Uniform(4, dimension, seed: 2).SelectMany(v => v).ToArray();
        x[13] = float.NaN;
        Assert.Equal(1, AssertMatchesKernel(x, 4, c, k, dimension, DistanceMetric.L2));
    }

    [Fact]
    public void LeavesRowsWithTooManyCandidatesToTheKernel()
    {
        if (!Screens)
            return;
        const int k = 100, dimension = 6;
        // Forty copies of one centroid among others: a row near it has them all within its window.
        float[] c = TestData.Uniform(k, dimension, seed: 3).SelectMany(v => v).ToArray();
        for (int copy = 1; copy <= 40; copy++)
            Array.Copy(c, 0, c, copy * 2 * dimension, dimension);
        float[] x = [.. c.AsSpan(0, dimension), .. TestData.Uniform(5, dimension, seed: 4).SelectMany(v => v)];
        Assert.InRange(AssertMatchesKernel(x, 6, c, k, dimension, DistanceMetric.L2), 1, 6);
    }

    [Fact]
    public void ScreensFewCandidatesPerRowOnClusteredData()
    {
        if (!Screens)
            return;
        (float[][] rows, float[][] centres) = TestData.Blobs(clusters: 512, perCluster: 1, dimension: 64, spread: 0.05, seed: 9);
        (float[][] more, _) = TestData.Blobs(clusters: 512, perCluster: 1, dimension: 64, spread: 0.05, seed: 9);
        float[] c = centres.SelectMany(v => v).ToArray();
        float[] x = rows.Concat(more).Take(192).SelectMany(v => v).ToArray();
        using var packed = Packed(c, 512, 64, DistanceMetric.L2);
        using var quantized = new QuantizedCentroids(512, 64);
        quantized.Quantize(packed);
        int[] hints = Enumerable.Range(0, 192).Select(i => i % 512).ToArray();
        (int pairs, int unscreened) = ScreenedAssignment.Assign(x, 192, packed, quantized, hints, new int[192], new float[192],
            new AssignmentKernel.Scratch(192), integerDots: false);
        Assert.Equal(0, unscreened);
        // Rows next to their own centre: the screen leaves about one candidate each, never most of the 512.
        Assert.InRange(pairs, 192, 192 * 4);
    }

    private static float[] Shifted(float[][] rows, float shift) => rows.SelectMany(v => v.Select(value => value + shift)).ToArray();

    private static PackedCentroids Packed(float[] c, int k, int dimension, DistanceMetric metric)
    {
        var packed = new PackedCentroids(k, dimension);
        packed.Pack(c, metric);
        return packed;
    }

    /// <returns>How many rows the screen left to the float kernel (the same on every integer path).</returns>
    private static int AssertMatchesKernel(float[] x, int count, float[] c, int k, int dimension, DistanceMetric metric)
    {
        using var packed = Packed(c, k, dimension, metric);
        var kernelLabels = new int[count];
        var kernelScores = new float[count];
        AssignmentKernel.AssignTiled(x, count, packed, kernelLabels, kernelScores, new AssignmentKernel.Scratch(count), wide: true);
        using var quantized = new QuantizedCentroids(k, dimension);
        quantized.Quantize(packed);
        var left = new List<int>();
        // Hints as good as can be (the kernel's own labels), poor (another centroid) and none: the same results.
        int[][] hintSets = [kernelLabels, kernelLabels.Select(label => (label + 7) % k).ToArray(), Enumerable.Repeat(-1, count).ToArray()];
        foreach (bool integerDots in IntegerDotPaths())
        {
            foreach (int[] hints in hintSets)
            {
                var labels = new int[count];
                var scores = new float[count];
                (int pairs, int unscreened) = ScreenedAssignment.Assign(x, count, packed, quantized, hints, labels, scores,
                    new AssignmentKernel.Scratch(count), integerDots);
                Assert.InRange(pairs, count - unscreened, (count - unscreened) * k);
                Assert.Equal(kernelLabels, labels);
                Assert.Equal(kernelScores.Select(BitConverter.SingleToInt32Bits), scores.Select(BitConverter.SingleToInt32Bits));
                if (hints == kernelLabels)
                    left.Add(unscreened);
            }
        }
        Assert.All(left, unscreened => Assert.Equal(left[0], unscreened));
        return left[0];
    }
}
