namespace KMeans.PowerShell.Tests;

/// <summary>Well-separated Gaussian blobs, generated from a seed, so a correct trainer finds the blob centres.</summary>
public static class TestData
{
    public static float[][] Blobs(int rows, int dimension, int clusters, int seed)
    {
        var random = new Random(seed);
        float[][] centres = Enumerable.Range(0, clusters)
            .Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 100 - 50)).ToArray())
            .ToArray();
        var data = new float[rows][];
        for (int i = 0; i < rows; i++)
        {
            float[] centre = centres[i % clusters];
            data[i] = centre.Select(c => c + (float)Gaussian(random)).ToArray();
        }
        return data;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
