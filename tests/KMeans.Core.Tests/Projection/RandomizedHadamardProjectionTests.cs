using System.Numerics;
using KMeans.Core.Distance;
using KMeans.Core.Sampling;

namespace KMeans.Core.Tests.Projection;

/// <summary>The fast Walsh–Hadamard transform and the seeded projection built on it.</summary>
public class RandomizedHadamardProjectionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(1024)]
    public void FastTransformEqualsTheSylvesterMatrixProduct(int length)
    {
        // Small integers: every partial sum is exact in float, so the fast transform must equal H·x exactly.
        var random = new Random(length);
        float[] x = Enumerable.Range(0, length).Select(_ => (float)random.Next(-50, 51)).ToArray();
        var expected = new float[length];
        for (int i = 0; i < length; i++)
        {
            double sum = 0;
            for (int j = 0; j < length; j++)
                sum += (BitOperations.PopCount((uint)(i & j)) % 2 == 0 ? 1 : -1) * x[j];
            expected[i] = (float)sum;
        }

        foreach (KernelPath path in RunnableKernelPaths.All())
        {
            float[] fast = (float[])x.Clone();
            WalshHadamard.Transform(fast, path);

            Assert.Equal(expected, fast);
        }
    }

    /// <summary>
    /// On random floats every addition rounds, so the result depends on the order of the levels each value goes
    /// through: whatever levels a pass of the vector path combines, every output must have the bits of the plain
    /// level-by-level butterflies, on every vector width this machine runs. The lengths cover, for 8 and 16 lanes
    /// alike, each way the levels above the lane count split into passes of three.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    [InlineData(1024)]
    [InlineData(2048)]
    [InlineData(4096)]
    public void FastTransformRoundsAsTheLevelByLevelButterflies(int length)
    {
        var random = new Random(length);
        float[] x = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1) * 1e3f).ToArray();
        float[] expected = (float[])x.Clone();
        for (int h = 1; h < length; h *= 2)
        {
            for (int i = 0; i < length; i++)
            {
                if ((i & h) != 0)
                    continue;
                (expected[i], expected[i + h]) = (expected[i] + expected[i + h], expected[i] - expected[i + h]);
            }
        }

        foreach (KernelPath path in RunnableKernelPaths.All())
        {
            float[] fast = (float[])x.Clone();
            WalshHadamard.Transform(fast, path);

            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), fast.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void TheTransformRefusesALengthThatIsNotAPowerOfTwo()
    {
        Assert.Throws<ArgumentException>(() => WalshHadamard.Transform(new float[12]));
    }

    [Fact]
    public void TheSeedFixesTheProjection()
    {
        float[] row = TestData.Uniform(1, 300, seed: 4)[0];

        float[] first = Project(RandomizedHadamardProjection.Create(300, 40, seed: 9), row);
        float[] again = Project(RandomizedHadamardProjection.Create(300, 40, seed: 9), row);
        float[] other = Project(RandomizedHadamardProjection.Create(300, 40, seed: 10), row);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(512, RandomizedHadamardProjection.Create(300, 40, seed: 9).PaddedDimension);
    }

    /// <summary>
    /// On small integers every sum of the transform is exact, so a row's projection is exactly the signed sum of its
    /// coordinates' own projections (each output of a unit vector ±1/√m): at input dimensions with and without a
    /// remainder after whole vectors, every coordinate, the last ones included, gets its sign and its column.
    /// </summary>
    [Theory]
    [InlineData(20)]
    [InlineData(37)]
    [InlineData(784)]
    public void AProjectionOfSmallIntegersIsTheExactSumOfItsCoordinatesProjections(int dimension)
    {
        RandomizedHadamardProjection projection = RandomizedHadamardProjection.Create(dimension, 7, seed: 11);
        float scale = (float)(1 / Math.Sqrt(7));
        float[][] columns = Enumerable.Range(0, dimension).Select(j =>
        {
            var unit = new float[dimension];
            unit[j] = 1;
            return Project(projection, unit);
        }).ToArray();
        Assert.All(columns, column => Assert.All(column, value => Assert.Equal(scale, Math.Abs(value))));

        var random = new Random(dimension);
        float[] row = Enumerable.Range(0, dimension).Select(_ => (float)random.Next(-9, 10)).ToArray();
        float[] expected = Enumerable.Range(0, 7)
            .Select(i => (float)Enumerable.Range(0, dimension).Sum(j => Math.Sign(columns[j][i]) * (double)row[j]) * scale)
            .ToArray();

        Assert.Equal(expected, Project(projection, row));
    }

    [Fact]
    public void DistancesAreKeptWithinTheJohnsonLindenstraussTolerance()
    {
        // m = 128 keeps each squared distance within ±(a few)·sqrt(2/m) ≈ 0.125 per standard deviation; the mean over
        // many pairs is unbiased.
        float[][] rows = TestData.Uniform(60, 700, seed: 2);
        RandomizedHadamardProjection projection = RandomizedHadamardProjection.Create(700, 128, seed: 3);
        float[][] projected = rows.Select(row => Project(projection, row)).ToArray();
        var ratios = new List<double>();
        for (int a = 0; a < rows.Length; a++)
        {
            for (int b = a + 1; b < rows.Length; b++)
                ratios.Add(SquaredDistance(projected[a], projected[b]) / SquaredDistance(rows[a], rows[b]));
        }

        Assert.InRange(ratios.Average(), 0.95, 1.05);
        Assert.InRange(ratios.Min(), 0.5, 1);
        Assert.InRange(ratios.Max(), 1, 1.5);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    [InlineData(65)]
    public void ATrainingDimensionNotBelowTheVectorsIsRefused(int outputDimension)
    {
        var error = Assert.Throws<KMeansException>(() => RandomizedHadamardProjection.Create(64, outputDimension, seed: 1));

        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.Contains("less than the vectors' 64 dimensions", error.Message);
    }

    private static float[] Project(RandomizedHadamardProjection projection, float[] row)
    {
        var projected = new float[projection.OutputDimension];
        projection.Project(row, projected, projection.NewScratch());
        return projected;
    }

    private static double SquaredDistance(float[] a, float[] b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
            sum += (double)(a[j] - b[j]) * (a[j] - b[j]);
        return sum;
    }
}
