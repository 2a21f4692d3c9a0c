using KMeans.Core.Files;
using KMeans.Core.Distance;

namespace KMeans.Core.Tests.Files.Centroids;

/// <summary>Centroid sets whose values a careless writer or reader would not round-trip.</summary>
internal static class CentroidSamples
{
    /// <summary>
    /// Subnormals (smallest and largest), −0, the float32 extremes, decimals with no exact binary form, and values
    /// that need nine significant digits.
    /// </summary>
    public static readonly float[] AwkwardValues =
    [
        float.Epsilon, -0.0f, 1e-38f, 3.4028235e38f, 0.1f,
        float.MinValue, BitConverter.Int32BitsToSingle(0x007FFFFF), 1.0000001f, 16777215f, (float)Math.PI,
        0.3f, -float.Epsilon, 123456.79f, 1f / 3f, 2.3509886e-38f,
        -1e-38f, 9.9999994e-11f, 0.33333334f, 1.17549435e-38f, -0.1f,
    ];

    public const int AwkwardDimension = 5;

    public static CentroidSet Awkward() =>
        new(AwkwardValues.Length / AwkwardDimension, AwkwardDimension, (float[])AwkwardValues.Clone(),
            [0, 1, long.MaxValue, 9_007_199_254_740_993])
        {
            Distance = DistanceMetric.Dot,
            Loss = 0.1 + 0.2,
            Iterations = 23,
            Seed = -2_000_000_001,
            ModuleVersion = "1.2.3-test",
            Metadata = { ["source"] = "unit test", ["note"] = "commas, \"quotes\" and ünïcödé" },
        };

    public static CentroidSet Small() => new(2, 3, [1f, 2f, 3f, 4f, 5f, 6f], [10, 20]);

    public static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
            bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        return bits;
    }
}
