using KMeans.Core.Distance;

namespace KMeans.Core.Tests.Distance;

/// <summary>
/// Lists kept per lane and per row give the same n nearest, the n lowest (score, index) pairs, whatever the kernel
/// would pick at that K: small integers make every score exact on every path and give many equal scores.
/// </summary>
public sealed class NearestKernelTests
{
    public static TheoryData<string, int, int> PathsCentroidsAndListLengths()
    {
        var data = new TheoryData<string, int, int>();
        foreach (KernelPath path in Enum.GetValues<KernelPath>().Where(path => path <= KernelPaths.Machine))
        {
            foreach (int k in new[] { 5, 70, 150, 1100 })
            {
                foreach (int n in new[] { 1, 2, 3, 8, 9, 16, 17 })
                {
                    if (n <= k)
                        data.Add(path.ToString(), k, n);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PathsCentroidsAndListLengths))]
    public void PerLaneAndPerRowListsAreTheLowestScoresTiesToTheLowerIndex(string pathName, int k, int n)
    {
        var random = new Random(k * 31 + n);
        const int rows = 211, dimension = 5;
        float[] x = Enumerable.Range(0, rows * dimension).Select(_ => (float)random.Next(3)).ToArray();
        float[] c = Enumerable.Range(0, k * dimension).Select(_ => (float)random.Next(2)).ToArray();
        using var packed = new PackedCentroids(k, dimension);
        packed.Pack(c, DistanceMetric.L2);
        KernelPath path = Enum.Parse<KernelPath>(pathName);

        foreach (bool perLane in new[] { true, false })
        {
            var ids = new int[rows * n];
            var scores = new float[rows * n];
            NearestKernel.Assign(x, rows, packed, n, ids, scores, path, perLane);

            for (int i = 0; i < rows; i++)
            {
                float[] all = Enumerable.Range(0, k).Select(j => Score(x.AsSpan(i * dimension, dimension), c.AsSpan(j * dimension, dimension))).ToArray();
                int[] expected = Enumerable.Range(0, k).OrderBy(j => all[j]).ThenBy(j => j).Take(n).ToArray();
                Assert.Equal(expected, ids.AsSpan(i * n, n).ToArray());
                Assert.Equal(expected.Select(j => all[j]), scores.AsSpan(i * n, n).ToArray());
            }
        }
    }

    [Fact]
    public void ListsArePerLaneUpToSixtyFourCentroidsAPlaceAndSixteenPlaces()
    {
        Assert.True(NearestKernel.ListsPerLane(512, 8));
        Assert.False(NearestKernel.ListsPerLane(513, 8));
        Assert.True(NearestKernel.ListsPerLane(128, 2));
        Assert.False(NearestKernel.ListsPerLane(16_384, 8));
        Assert.True(NearestKernel.ListsPerLane(1_024, 16));
        Assert.False(NearestKernel.ListsPerLane(64, 17));
    }

    private static float Score(ReadOnlySpan<float> x, ReadOnlySpan<float> c)
    {
        float norm = 0, dot = 0;
        for (int j = 0; j < x.Length; j++)
        {
            norm += c[j] * c[j];
            dot += x[j] * c[j];
        }
        return norm - 2 * dot;
    }
}
