using System.Globalization;
using KMeans.Core.Distance;
using KMeans.Core.Files;

namespace KMeans.Core.Sampling;

/// <summary>Receives one sample row read again, with the slot it was sampled into.</summary>
internal delegate void SampledRowVisitor(int slot, ReadOnlySpan<float> row);

/// <summary>
/// The full-dimension rows of a sample that kept only their projections, read again from the input for the final
/// pass of a reduced-dimension training: one more read of the source, in input order, handing each sampled row (as
/// sampled: normalised under Cosine) to the caller once its hash matches the one taken when it was sampled.
/// </summary>
/// <remarks>
/// A file rewritten during training would otherwise give centroids of rows that were never trained: a row whose
/// hash differs, or an input that ends before the last sampled row, is <see cref="KMeansErrorKind.InputChanged"/>.
/// </remarks>
internal sealed class SampleRereading(IVectorSource source, SampledRowOrigins origins, DistanceMetric metric)
{
    public SampledRowOrigins Origins { get; } = origins;

    public int Dimension => source.Dimension;

    /// <param name="rowsRead">Told after each batch how many input rows were read, and how many the input holds when known.</param>
    public void Read(SampledRowVisitor visit, Action<long, long?>? rowsRead, CancellationToken cancellationToken)
    {
        int d = source.Dimension;
        int[] slots = Origins.SlotsInInputOrder();
        float[]? unit = metric == DistanceMetric.Cosine ? new float[d] : null;
        int next = 0;
        foreach (VectorBatch batch in source.ReadBatches(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadOnlySpan<float> values = batch.Values.Span;
            long end = batch.FirstRow + batch.RowCount;
            for (; next < slots.Length && Origins.InputRow(slots[next]) < end; next++)
            {
                int slot = slots[next];
                long inputRow = Origins.InputRow(slot);
                int offset = checked((int)(inputRow - batch.FirstRow));
                ReadOnlySpan<float> row = values.Slice(offset * d, d);
                ReadOnlySpan<float> sampled = unit is null || batch.IsNull(offset) ? row : SampleBuilder.UnitLength(row, unit);
                if (batch.IsNull(offset) || SampledRowOrigins.HashOf(sampled) != Origins.Hash(slot))
                    throw Changed($"{RowScreen.Capitalized(source.DescribeRow(inputRow))} holds other values than when it was sampled");
                visit(slot, sampled);
            }
            rowsRead?.Invoke(end, source.RowCount);
            if (next == slots.Length)
                return;
        }
        throw Changed(string.Create(CultureInfo.InvariantCulture,
            $"{source.Description} ends before {source.DescribeRow(Origins.InputRow(slots[next]))}, which was sampled"));
    }

    private KMeansException Changed(string what) =>
        new(KMeansErrorKind.InputChanged,
            $"{what}: the input changed during training, and the final pass, which reads the sampled rows again in " +
            $"{source.Dimension} dimensions, cannot give the centroids of the rows that trained. Train again once the input is final.",
            source.Description);
}
