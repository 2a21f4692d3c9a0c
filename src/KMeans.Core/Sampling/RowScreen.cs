using System.Numerics.Tensors;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Numerics;

namespace KMeans.Core.Sampling;

/// <summary>
/// Decides for every row read whether it may enter the sample: a null row is skipped; a row with NaN or infinity is
/// skipped with SkipNonFinite and fails the run otherwise; a value beyond the metric's range (ValueRange) fails the run; under Cosine a zero vector fails the run (it has no
/// direction). Every row is screened, sampled or not, so a bad file fails the same way whatever the seed.
/// </summary>
internal sealed class RowScreen(int dimension, Func<long, string> describeRow, bool skipNonFinite, DistanceMetric metric)
{
    private readonly float _limit = ValueRange.Limit(metric, dimension);

    public RowScreen(IVectorSource source, bool skipNonFinite, DistanceMetric metric)
        : this(source.Dimension, source.DescribeRow, skipNonFinite, metric)
    {
    }

    public long Nulls { get; private set; }

    public long NonFinite { get; private set; }

    /// <summary>True when row <paramref name="index"/> of <paramref name="batch"/> is usable; false when it is skipped.</summary>
    public bool Admits(VectorBatch batch, int index, ReadOnlySpan<float> row)
    {
        if (batch.IsNull(index))
        {
            CountNull();
            return false;
        }
        return Admits(batch.FirstRow + index, row);
    }

    /// <summary>Counts a row that is not there (a null row, a pipeline item that is not a vector).</summary>
    public void CountNull() => Nulls++;

    /// <summary>True when the (non-null) row <paramref name="rowIndex"/> is usable; false when it is skipped.</summary>
    public bool Admits(long rowIndex, ReadOnlySpan<float> row)
    {
        int outside = ValueRange.FirstOutside(row, _limit);
        if (outside >= 0)
        {
            // SkipNonFinite drops rows with NaN or infinities, never a finite value, not even one beyond float32.
            int beyondFloat32 = skipNonFinite ? BeyondFloat32.IndexIn(row) : -1;
            if (beyondFloat32 >= 0)
                throw OutOfRange(rowIndex, row, beyondFloat32);
            if (!skipNonFinite || TensorPrimitives.IsFiniteAll(row))
                throw OutOfRange(rowIndex, row, outside);
            NonFinite++;
            return false;
        }
        if (metric == DistanceMetric.Cosine && VectorNorm.IsZero(row))
            throw new KMeansException(KMeansErrorKind.ZeroVector,
                $"{Capitalized(describeRow(rowIndex))} is the zero vector (every value is 0 as read in float32, where float64 values of magnitude 2^-150 (7.006E-46) or less become 0), which has no direction under Cosine distance.",
                rowIndex);
        return true;
    }

    private KMeansException OutOfRange(long rowIndex, ReadOnlySpan<float> row, int column)
    {
        (KMeansErrorKind kind, string problem) = ValueRange.Describe(row, column, metric);
        string name = OptionMessage.Literal(Capitalized(describeRow(rowIndex)));
        OptionMessage message = kind == KMeansErrorKind.NonFiniteValue
            ? new OptionMessage($"{name} {OptionMessage.Literal(problem)} (use {{0}} to drop such rows).", KMeansOption.SkipNonFinite)
            : new OptionMessage($"{name} {OptionMessage.Literal(problem)}.");
        return new KMeansException(kind, message, rowIndex);
    }

    public static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
