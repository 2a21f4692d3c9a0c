using KMeans.Core.Buffers;
using KMeans.Core.Files;
using KMeans.Core.Sampling;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Files.Vectors;

/// <summary>Builds the training sample of a source the way training does, and returns its rows.</summary>
internal static class SampledRows
{
    public static float[][] Build(IVectorSource source, int k, int sampleRate, int seed)
    {
        var options = new KMeansOptions { K = k, SampleRate = sampleRate, Seed = seed };
        using TrainingBuffer buffer = SampleBuilder.Build(source, options, seed, null, CancellationToken.None, out _);
        ReadOnlySpan<float> values = buffer.Rows(0, checked((int)buffer.RowCount));
        var rows = new float[buffer.RowCount][];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = values.Slice(i * buffer.Dimension, buffer.Dimension).ToArray();
        return rows;
    }

    public static float[][] Build(string path, int k, int sampleRate, int seed)
    {
        using IVectorSource source = VectorFile.Open(path);
        return Build(source, k, sampleRate, seed);
    }
}
