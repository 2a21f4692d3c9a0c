using System.Globalization;
using System.Numerics.Tensors;
using KMeans.Core.Distance;
using KMeans.Core.IO;

namespace KMeans.Core.Sampling;

/// <summary>
/// Decides for every row read whether it may enter the sample: a null row is skipped; a row with NaN or infinity is
/// skipped with SkipNonFinite and fails the run otherwise; under Cosine a zero vector fails the run (it has no
/// direction). Every row is screened, sampled or not, so a bad file fails the same way whatever the seed.
/// </summary>
internal sealed class RowScreen(IVectorSource source, bool skipNonFinite, DistanceMetric metric)
{
    public long Nulls { get; private set; }

    public long NonFinite { get; private set; }

    /// <summary>True when row <paramref name="index"/> of <paramref name="batch"/> is usable; false when it is skipped.</summary>
    public bool Admits(VectorBatch batch, int index, ReadOnlySpan<float> row)
    {
        long rowIndex = batch.FirstRow + index;
        if (batch.IsNull(index))
        {
            Nulls++;
            return false;
        }
        if (!TensorPrimitives.IsFiniteAll(row))
        {
            if (!skipNonFinite)
                throw NonFiniteRow(rowIndex, row);
            NonFinite++;
            return false;
        }
        if (metric == DistanceMetric.Cosine && TensorPrimitives.Norm(row) == 0)
            throw new KMeansException(KMeansErrorKind.ZeroVector,
                $"{Capitalized(source.DescribeRow(rowIndex))} is the zero vector, which has no direction under Cosine distance.",
                rowIndex);
        return true;
    }

    private KMeansException NonFiniteRow(long rowIndex, ReadOnlySpan<float> row)
    {
        int column = 0;
        while (float.IsFinite(row[column]))
            column++;
        string value = row[column].ToString(CultureInfo.InvariantCulture);
        return new KMeansException(KMeansErrorKind.NonFiniteValue,
            new OptionMessage($"{OptionMessage.Literal(Capitalized(source.DescribeRow(rowIndex)))} holds {value} at column {column}; " +
                "values must be finite (use {0} to drop such rows).", KMeansOption.SkipNonFinite),
            rowIndex);
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
