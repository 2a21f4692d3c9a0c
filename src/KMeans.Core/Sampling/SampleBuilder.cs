using System.Numerics.Tensors;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Training;

namespace KMeans.Core.Sampling;

/// <summary>
/// Reads a source once, streaming, and writes min(rows, SampleRate × K) uniformly chosen rows straight into a new
/// training buffer: memory stays O(batch). Every row read is checked (finite values; a direction under Cosine), so a
/// bad file fails the same way whatever the seed. Under Cosine, sampled rows are stored normalised.
/// </summary>
public static class SampleBuilder
{
    public static TrainingBuffer Build(IVectorSource source, KMeansOptions options, int seed,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, out SamplingSummary summary)
    {
        int d = source.Dimension;
        long? total = source.RowCount;
        if (total == 0)
            throw new KMeansException(KMeansErrorKind.NoRows, $"{source.Description} holds no rows.", source.Description);
        if (total < options.K)
            throw NotEnoughRows(source, options.K, total.Value, 0, 0);

        long capacity = options.SampleCapacity(total);
        TrainingBuffer buffer = TrainingBuffer.Create(options.OnDisk, capacity, d, options.EffectiveTempDirectory);
        try
        {
            // Selection sampling needs the number of usable rows; a skipped row shows that the row count overstated
            // it. Then (or when skipping is expected, or the count is unknown) reservoir sampling, which counts only
            // the rows offered, gives exactly min(capacity, usable) rows at the cost of a second read.
            bool selection = total is not null && !options.SkipNonFinite;
            PassCounts counts = Pass(source, options, buffer, RowSampler.Create(selection ? total : null, capacity,
                new SeededRandom(seed, stream: 0)), progress, cancellationToken);
            if (selection && counts.Sampled < Math.Min(capacity, counts.Usable))
            {
                counts = Pass(source, options, buffer, RowSampler.Create(null, capacity, new SeededRandom(seed, stream: 0)),
                    progress, cancellationToken);
            }
            if (counts.Sampled == 0)
                throw new KMeansException(KMeansErrorKind.NoRows,
                    $"{source.Description} holds no usable rows ({counts.RowsRead} read, {counts.Nulls} null, {counts.NonFinite} non-finite).",
                    source.Description);
            if (counts.Sampled < options.K)
                throw NotEnoughRows(source, options.K, counts.Sampled, counts.Nulls, counts.NonFinite);
            buffer.Seal(counts.Sampled);
            summary = new SamplingSummary(counts.RowsRead, counts.Sampled, counts.Nulls, counts.NonFinite);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private readonly record struct PassCounts(long RowsRead, long Sampled, long Nulls, long NonFinite)
    {
        public long Usable => RowsRead - Nulls - NonFinite;
    }

    /// <summary>One read of the source, writing the rows <paramref name="sampler"/> picks into the buffer's slots.</summary>
    private static PassCounts Pass(IVectorSource source, KMeansOptions options, TrainingBuffer buffer, RowSampler sampler,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        int d = source.Dimension;
        var writer = new SampleWriter(buffer);
        var normalised = new float[d];
        long rowsRead = 0, nulls = 0, nonFinite = 0;
        foreach (VectorBatch batch in source.ReadBatches(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadOnlySpan<float> values = batch.Values.Span;
            if (values.Length != (long)batch.RowCount * d)
                throw new InvalidOperationException(
                    $"{source.Description}: a batch of {batch.RowCount} rows carried {values.Length} values, not {batch.RowCount} × {d}.");
            for (int i = 0; i < batch.RowCount; i++)
            {
                long rowIndex = batch.FirstRow + i;
                ReadOnlySpan<float> row = values.Slice(i * d, d);
                if (batch.IsNull(i))
                {
                    nulls++;
                    sampler.Skip();
                    continue;
                }
                if (!TensorPrimitives.IsFiniteAll(row))
                {
                    if (!options.SkipNonFinite)
                        throw NonFinite(source, rowIndex, row);
                    nonFinite++;
                    sampler.Skip();
                    continue;
                }
                if (options.Distance == DistanceMetric.Cosine)
                {
                    float norm = TensorPrimitives.Norm(row);
                    if (norm == 0)
                        throw new KMeansException(KMeansErrorKind.ZeroVector,
                            $"{Capitalized(source.DescribeRow(rowIndex))} is the zero vector, which has no direction under Cosine distance.",
                            rowIndex);
                    TensorPrimitives.Divide(row, norm, normalised);
                    row = normalised;
                }
                long slot = sampler.Offer();
                if (slot >= 0)
                    writer.Write(slot, row);
            }
            rowsRead += batch.RowCount;
            progress?.Report(new SamplingProgress(rowsRead, source.RowCount, sampler.Placed));
        }
        writer.Flush();
        return new PassCounts(rowsRead, sampler.Placed, nulls, nonFinite);
    }

    private static KMeansException NonFinite(IVectorSource source, long rowIndex, ReadOnlySpan<float> row)
    {
        int column = 0;
        while (float.IsFinite(row[column]))
            column++;
        return new KMeansException(KMeansErrorKind.NonFiniteValue,
            $"{Capitalized(source.DescribeRow(rowIndex))} holds {row[column].ToString(System.Globalization.CultureInfo.InvariantCulture)} at column {column}; values must be finite " +
            "(use SkipNonFinite to drop such rows).", rowIndex);
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static KMeansException NotEnoughRows(IVectorSource source, int k, long usable, long nulls, long nonFinite)
    {
        string skipped = nulls + nonFinite > 0 ? $" ({nulls} null and {nonFinite} non-finite rows skipped)" : "";
        return new KMeansException(KMeansErrorKind.NotEnoughRows,
            $"K is {k}, but {source.Description} has only {usable} usable rows{skipped}: K cannot exceed the number of rows.",
            k);
    }
}
