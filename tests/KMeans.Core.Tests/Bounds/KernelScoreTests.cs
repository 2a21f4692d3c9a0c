using KMeans.Core.Distance;

namespace KMeans.Core.Tests.Bounds;

/// <summary>Rows kept by the bounds take their loss from <see cref="KernelScore"/>: it must match the kernel bit for bit.</summary>
public class KernelScoreTests
{
    [GatedTheory(Gate.Avx512)]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Dot)]
    public void TiledScoreMatchesTheWideTiledKernel(DistanceMetric metric) => TiledScoreMatchesTheTiledKernel(metric, wide: true);

    [GatedTheory(Gate.Avx2Fma)]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Dot)]
    public void TiledScoreMatchesThe256BitTiledKernel(DistanceMetric metric) => TiledScoreMatchesTheTiledKernel(metric, wide: false);

    private static void TiledScoreMatchesTheTiledKernel(DistanceMetric metric, bool wide)
    {
        (float[] rows, PackedCentroids packed, int count) = Problem(metric);
        using (packed)
        {
            var labels = new int[count];
            var scores = new float[count];

            AssignmentKernel.AssignTiled(rows, count, packed, labels, scores, new AssignmentKernel.Scratch(count), wide);

            int d = packed.Dimension;
            for (int i = 0; i < count; i++)
            {
                float score = KernelScore.Tiled(rows.AsSpan(i * d, d), packed.Plain.Slice(labels[i] * d, d), NormOf(packed, labels[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(scores[i]), BitConverter.SingleToInt32Bits(score));
            }
        }
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Dot)]
    public void PortableScoreMatchesThePortableKernel(DistanceMetric metric)
    {
        (float[] rows, PackedCentroids packed, int count) = Problem(metric);
        using (packed)
        {
            var labels = new int[count];
            var scores = new float[count];

            AssignmentKernel.AssignPortable(rows, count, packed, labels, scores);

            int d = packed.Dimension;
            for (int i = 0; i < count; i++)
            {
                float score = KernelScore.Portable(rows.AsSpan(i * d, d), packed.Plain.Slice(labels[i] * d, d), NormOf(packed, labels[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(scores[i]), BitConverter.SingleToInt32Bits(score));
            }
        }
    }

    [Fact]
    public void ScoreOfFollowsTheKernelThisMachineUses()
    {
        (float[] rows, PackedCentroids packed, int count) = Problem(DistanceMetric.L2);
        using (packed)
        {
            var labels = new int[count];
            var scores = new float[count];

            AssignmentKernel.Assign(rows, count, packed, labels, scores, new AssignmentKernel.Scratch(count));

            int d = packed.Dimension;
            for (int i = 0; i < count; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(scores[i]), BitConverter.SingleToInt32Bits(KernelScore.Of(rows.AsSpan(i * d, d), packed, labels[i])));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(301)]
    public void FourAtOnceMatchesOneAtATime(int dimension)
    {
        var random = new Random(dimension);
        float Value() => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-4, 5)));
        float[] rows = Enumerable.Range(0, 4 * dimension).Select(_ => Value()).ToArray();
        float[] centroids = Enumerable.Range(0, 4 * dimension).Select(_ => Value()).ToArray();
        float[] norms = [0f, Value(), -Value(), 1e6f];
        var scores = new float[4];

        KernelScore.TiledFour(rows, centroids, norms, scores, dimension);

        for (int q = 0; q < 4; q++)
        {
            float single = KernelScore.Tiled(rows.AsSpan(q * dimension, dimension), centroids.AsSpan(q * dimension, dimension), norms[q]);
            Assert.Equal(BitConverter.SingleToInt32Bits(single), BitConverter.SingleToInt32Bits(scores[q]));
        }
    }

    /// <summary>A dimension above 128 and values of mixed sign and scale, so that summation order shows in the bits.</summary>
    private static (float[] Rows, PackedCentroids Packed, int Count) Problem(DistanceMetric metric)
    {
        const int count = 61, k = 70, d = 301;
        var random = new Random(17);
        float Value() => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 4)));
        float[] rows = Enumerable.Range(0, count * d).Select(_ => Value()).ToArray();
        float[] centroids = Enumerable.Range(0, k * d).Select(_ => Value()).ToArray();
        var packed = new PackedCentroids(k, d);
        packed.Pack(centroids, metric);
        return (rows, packed, count);
    }

    private static unsafe float NormOf(PackedCentroids packed, int centroid) => packed.Norms[centroid];
}
