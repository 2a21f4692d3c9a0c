using KMeans.Core.Distance;

namespace KMeans.Core.Tests.Distance;

/// <summary>
/// Lists taken from all scores and kept sorted per row give the same n nearest, the n lowest (score, index) pairs, whatever the kernel
/// would pick at that K: small integers make every score exact on every path and give many equal scores.
/// </summary>
public sealed class NearestKernelTests
{
    public static TheoryData<string, int, int> PathsCentroidsAndListLengths()
    {
        var data = new TheoryData<string, int, int>();
        foreach (KernelPath path in Enum.GetValues<KernelPath>().Where(path => path <= KernelPaths.Machine))
        {
            foreach (int k in new[] { 5, 40, 70, 100, 150, 1100 })
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
    public void ListsFromAllScoresAndSortedPerRowAreTheLowestScoresTiesToTheLowerIndex(string pathName, int k, int n)
    {
        var random = new Random(k * 31 + n);
        const int rows = 211, dimension = 5;
        float[] x = Enumerable.Range(0, rows * dimension).Select(_ => (float)random.Next(3)).ToArray();
        float[] c = Enumerable.Range(0, k * dimension).Select(_ => (float)random.Next(2)).ToArray();
        using var packed = new PackedCentroids(k, dimension);
        // About the origin, so that the scores are the reference's ‖c‖² − 2·x·c (an offset shifts each row's by a constant).
        packed.PackRelativeTo(new float[dimension], c, DistanceMetric.L2);
        KernelPath path = Enum.Parse<KernelPath>(pathName);

        foreach (bool fromAllScores in new[] { true, false })
        {
            var ids = new int[rows * n];
            var scores = new float[rows * n];
            NearestKernel.Assign(x, rows, packed, n, ids, scores, path, fromAllScores);

            for (int i = 0; i < rows; i++)
            {
                float[] all = Enumerable.Range(0, k).Select(j => Score(x.AsSpan(i * dimension, dimension), c.AsSpan(j * dimension, dimension))).ToArray();
                int[] expected = Enumerable.Range(0, k).OrderBy(j => all[j]).ThenBy(j => j).Take(n).ToArray();
                Assert.Equal(expected, ids.AsSpan(i * n, n).ToArray());
                Assert.Equal(expected.Select(j => all[j]), scores.AsSpan(i * n, n).ToArray());
            }
        }
    }

    /// <summary>
    /// On continuous values (few ties, so the candidates are ranked rather than inserted) and with some centroids
    /// priced out (+∞, as the balancing's searches do; rows may then have fewer than n), lists from all scores equal
    /// the sorted lists bit for bit, the tiles being the same.
    /// </summary>
    [Theory]
    [InlineData(70, 8)]
    [InlineData(100, 8)]
    [InlineData(256, 8)]
    [InlineData(256, 16)]
    [InlineData(1_100, 2)]
    [InlineData(4_096, 16)]
    [InlineData(12, 9)]
    public void ListsFromAllScoresEqualTheSortedListsOnContinuousValuesWithCentroidsPricedOut(int k, int n)
    {
        var random = new Random(k * 7 + n);
        const int rows = 203, dimension = 24;
        float[] x = Enumerable.Range(0, rows * dimension).Select(_ => (float)random.NextDouble()).ToArray();
        float[] c = Enumerable.Range(0, k * dimension).Select(_ => (float)random.NextDouble()).ToArray();
        float[] prices = Enumerable.Range(0, k).Select(j => j % 3 == 1 ? float.PositiveInfinity : 0f).ToArray();
        using var packed = new PackedCentroids(k, dimension);
        packed.Pack(c, DistanceMetric.L2, prices);
        foreach (KernelPath path in Enum.GetValues<KernelPath>().Where(path => path != KernelPath.Portable && path <= KernelPaths.Machine))
        {
            var (ids, scores) = (new int[rows * n], new float[rows * n]);
            var (sortedIds, sortedScores) = (new int[rows * n], new float[rows * n]);
            NearestKernel.Assign(x, rows, packed, n, ids, scores, path, fromAllScores: true);
            NearestKernel.Assign(x, rows, packed, n, sortedIds, sortedScores, path, fromAllScores: false);

            Assert.Equal(sortedIds, ids);
            Assert.Equal(sortedScores, scores);
            int listed = Math.Min(n, k - (k + 1) / 3);
            Assert.All(Enumerable.Range(0, rows), i => Assert.Equal(listed, ids.AsSpan(i * n, n).ToArray().Count(id => id >= 0)));
            Assert.DoesNotContain(ids, id => id >= 0 && id % 3 == 1);
        }
    }

    [Fact]
    public void ListsComeFromAllScoresUpToFourThousandCentroidsAndSixteenPlaces()
    {
        Assert.True(NearestKernel.ListsFromAllScores(4_096, 8));
        Assert.False(NearestKernel.ListsFromAllScores(4_097, 8));
        Assert.True(NearestKernel.ListsFromAllScores(2, 2));
        Assert.False(NearestKernel.ListsFromAllScores(16_384, 2));
        Assert.True(NearestKernel.ListsFromAllScores(1_024, 16));
        Assert.False(NearestKernel.ListsFromAllScores(64, 17));
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
