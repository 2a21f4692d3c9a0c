using KMeans.Core.Buffers;
using KMeans.Core.Distance;

namespace KMeans.Core.Training;

/// <summary>
/// An offset for scoring a sample's rows against centroids that change (k-means‖ candidates, balancing's cache), fixed
/// for the whole run so that distances taken from scores of different packings compare:
/// <see cref="CommonOffset"/> of as many rows spread over the sample as it takes of centroids (0 for
/// data about the origin).
/// </summary>
internal static class SampleOffset
{
    public static float[] Of(TrainingBuffer sample)
    {
        int d = sample.Dimension;
        int taken = (int)Math.Min(sample.RowCount, CommonOffset.SampleCentroids);
        var rows = new float[(long)taken * d];
        for (int i = 0; i < taken; i++)
            sample.Rows(i * sample.RowCount / taken, 1).CopyTo(rows.AsSpan(i * d, d));
        return CommonOffset.Of(rows, taken, d);
    }
}
