using KMeans.Core.Files;
using KMeans.Core.Numerics;

namespace KMeans.Core.Tests;

/// <summary>Small deterministic data sets for tests.</summary>
internal static class TestData
{
    /// <summary>Gaussian blobs around well separated centres; rows are shuffled across blobs.</summary>
    public static (float[][] Rows, float[][] Centres) Blobs(int clusters, int perCluster, int dimension, double spread, int seed)
    {
        var random = new Random(seed);
        var centres = new float[clusters][];
        for (int c = 0; c < clusters; c++)
        {
            centres[c] = new float[dimension];
            for (int j = 0; j < dimension; j++)
                centres[c][j] = (float)(random.NextDouble() * 100);
        }
        var rows = new float[clusters * perCluster][];
        for (int i = 0; i < rows.Length; i++)
        {
            float[] centre = centres[i % clusters];
            rows[i] = new float[dimension];
            for (int j = 0; j < dimension; j++)
                rows[i][j] = centre[j] + (float)(Gaussian(random) * spread);
        }
        return (rows, centres);
    }

    public static float[][] Uniform(int rows, int dimension, int seed)
    {
        var random = new Random(seed);
        var result = new float[rows][];
        for (int i = 0; i < rows; i++)
        {
            result[i] = new float[dimension];
            for (int j = 0; j < dimension; j++)
                result[i][j] = (float)random.NextDouble();
        }
        return result;
    }

    public static IVectorSource Source(float[][] rows) => new InMemoryVectorSource(rows, "test rows");

    /// <summary>Standard normal values, row after row.</summary>
    public static float[] GaussianValues(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)Gaussian(random)).ToArray();

    /// <summary>Each row of <paramref name="dimension"/> values scaled to unit length, as Cosine training does.</summary>
    public static void NormalizeRows(float[] values, int dimension)
    {
        for (int at = 0; at < values.Length; at += dimension)
            VectorMath.Normalize(values.AsSpan(at, dimension));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
