using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace KMeans.Core.Distance;

/// <summary>
/// One row's contribution to the loss when it belongs to <c>centroid</c>, computed directly (not from a kernel score):
/// the squared distance under L2, 1 − cos (never below 0, which rounding could give) under Cosine, −x·c under Dot.
/// </summary>
public static class RowLoss
{
    // Fully optimized from the first call, with the L2 distance inlined: TensorPrimitives.Distance, which this called
    // before, ran unoptimized (tier 0) through most of a fresh process's first training.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Of(ReadOnlySpan<float> row, ReadOnlySpan<float> centroid, DistanceMetric metric) => metric switch
    {
        DistanceMetric.L2 => SquaredDistance.Of(row, centroid),
        DistanceMetric.Cosine => Math.Max(0f, 1f - TensorPrimitives.Dot(row, centroid)),
        _ => -TensorPrimitives.Dot(row, centroid),
    };
}
