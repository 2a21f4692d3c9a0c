using System.Numerics.Tensors;

namespace KMeans.Core.Distance;

/// <summary>
/// One row's contribution to the loss when it belongs to <c>centroid</c>, computed directly (not from a kernel score):
/// the squared distance under L2, 1 − cos (never below 0, which rounding could give) under Cosine, −x·c under Dot.
/// </summary>
public static class RowLoss
{
    public static float Of(ReadOnlySpan<float> row, ReadOnlySpan<float> centroid, DistanceMetric metric) => metric switch
    {
        DistanceMetric.L2 => Squared(TensorPrimitives.Distance(row, centroid)),
        DistanceMetric.Cosine => Math.Max(0f, 1f - TensorPrimitives.Dot(row, centroid)),
        _ => -TensorPrimitives.Dot(row, centroid),
    };

    private static float Squared(float value) => value * value;
}
