using KMeans.Core.Buffers;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// Sample rows picked by index, copied into one contiguous block, the layout the kernel reads: balancing scores rows
/// that are scattered over the sample (those of full partitions, those a price rise can move, those waiting for room).
/// </summary>
internal static class GatheredRows
{
    /// <summary>Rows <paramref name="rows"/>[i] × <paramref name="stride"/> of <paramref name="sample"/>, in that order.</summary>
    public static float[] Of(TrainingBuffer sample, ReadOnlySpan<int> rows, long stride = 1)
    {
        int d = sample.Dimension;
        var gathered = new float[rows.Length * d];
        for (int i = 0; i < rows.Length; i++)
            sample.Rows(rows[i] * stride, 1).CopyTo(gathered.AsSpan(i * d, d));
        return gathered;
    }
}
