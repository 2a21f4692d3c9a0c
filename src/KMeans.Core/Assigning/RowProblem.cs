using KMeans.Core.Distance;
using KMeans.Core.Numerics;

namespace KMeans.Core.Assigning;

/// <summary>Why a row cannot be assigned, named by its place in the input: a non-finite value, a value beyond the metric's range, or no direction under Cosine.</summary>
public static class RowProblem
{
    /// <param name="index">The row's index across the whole input.</param>
    /// <param name="sourceRow">The row's position in <paramref name="description"/>, or null for a pipeline item.</param>
    public static KMeansException? Of(ReadOnlySpan<float> row, DistanceMetric metric, long index, long? sourceRow,
        string? description)
    {
        string What() => sourceRow is long r ? $"Row {r} of {description} (Index {index})" : $"Input item {index}";

        int outside = ValueRange.FirstOutside(row, ValueRange.Limit(metric, row.Length));
        if (outside >= 0)
        {
            (KMeansErrorKind kind, string problem) = ValueRange.Describe(row, outside, metric);
            return new KMeansException(kind, $"{What()} {problem}.", index);
        }
        if (metric == DistanceMetric.Cosine && VectorNorm.IsZero(row))
            return new KMeansException(KMeansErrorKind.ZeroVector,
                $"{What()} is the zero vector (every value is 0 as read in float32, where float64 values of magnitude 2^-150 (7.006E-46) or less become 0), which has no direction under Cosine distance.", index);
        return null;
    }
}
