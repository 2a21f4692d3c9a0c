using KMeans.Core.Distance;

namespace KMeans.Core.Assigning;

/// <summary>Why a row cannot be assigned, named by its place in the input: a non-finite value, or no direction under Cosine.</summary>
public static class RowProblem
{
    /// <param name="index">The row's index across the whole input.</param>
    /// <param name="sourceRow">The row's position in <paramref name="description"/>, or null for a pipeline item.</param>
    public static KMeansException? Of(ReadOnlySpan<float> row, DistanceMetric metric, long index, long? sourceRow,
        string? description)
    {
        string What() => sourceRow is long r ? $"Row {r} of {description} (Index {index})" : $"Input item {index}";

        bool finite = System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(row);
        if (finite && (metric != DistanceMetric.Cosine || row.ContainsAnyExcept(0f)))
            return null;
        for (int j = 0; j < row.Length; j++)
        {
            if (!float.IsFinite(row[j]))
                return new KMeansException(KMeansErrorKind.NonFiniteValue,
                    $"{What()} holds {row[j]} at column {j}; values must be finite.", index);
        }
        if (metric == DistanceMetric.Cosine && !row.ContainsAnyExcept(0f))
            return new KMeansException(KMeansErrorKind.ZeroVector,
                $"{What()} is the zero vector, which has no direction under Cosine distance.", index);
        return null;
    }
}
