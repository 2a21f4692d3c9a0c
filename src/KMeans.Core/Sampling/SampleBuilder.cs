using System.Globalization;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Numerics;
using KMeans.Core.Training;

namespace KMeans.Core.Sampling;

/// <summary>
/// Reads a source once, streaming, and writes min(rows, SampleRate × K) uniformly chosen rows straight into a new
/// training buffer (with a projection, the projected rows too, or only they: <see cref="BuildProjected"/>): memory
/// stays O(batch). Every row read is checked (finite values within <see cref="ValueRange"/>;
/// a direction under Cosine), so a bad file fails the same way whatever the seed. Under Cosine, sampled rows are stored
/// normalised (<see cref="VectorNorm"/>, exact for every finite value).
/// </summary>
public static class SampleBuilder
{
    public static TrainingBuffer Build(IVectorSource source, KMeansOptions options, int seed,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, out SamplingSummary summary) =>
        Build(source, options, seed, projection: null, progress, cancellationToken, out summary).Full!;

    /// <summary>
    /// The same rows as <see cref="Build(IVectorSource, KMeansOptions, int, IProgress{TrainingProgress}?, CancellationToken, out SamplingSummary)"/>,
    /// projected (then normalised under Cosine) into <see cref="ProjectedSample.Projected"/> as they are read. Where
    /// the options read the input again for the final pass (<see cref="KMeansOptions.RereadsInputForFinalPass"/>),
    /// only the projections are kept, with each row's origin and hash (<see cref="ProjectedSample.Rereading"/>);
    /// otherwise the rows are also kept as they are (<see cref="ProjectedSample.Full"/>), in a buffer of the same kind.
    /// </summary>
    public static ProjectedSample BuildProjected(IVectorSource source, KMeansOptions options, int seed,
        RandomizedHadamardProjection projection, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken,
        out SamplingSummary summary) =>
        Build(source, options, seed, projection, progress, cancellationToken, out summary);

    private static ProjectedSample Build(IVectorSource source, KMeansOptions options, int seed,
        RandomizedHadamardProjection? projection, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken,
        out SamplingSummary summary)
    {
        int d = source.Dimension;
        long? total = source.RowCount;
        if (total == 0)
            throw new KMeansException(KMeansErrorKind.NoRows, $"{source.Description} holds no rows.", source.Description);
        if (total < options.K)
            throw NotEnoughRows(source, options.K, total.Value, 0, 0);

        bool rereads = projection is not null && options.RereadsInputForFinalPass;
        TrainingBuffer? full = null;
        TrainingBuffer? projected = null;
        try
        {
            SampledRowOrigins? origins = null;
            long capacity;
            if (rereads)
            {
                long planned = Math.Min(total ?? long.MaxValue, (long)options.SampleRate * options.K);
                if (planned > Array.MaxLength)
                    throw SampleBuffer.TooManyRows(planned);
                projected = SampleBuffer.Create(total, options, d, projection!.OutputDimension, rereadsInput: true);
                capacity = projected.CapacityRows;
                origins = new SampledRowOrigins(capacity);
            }
            else
            {
                full = SampleBuffer.Create(total, options, d, projection?.OutputDimension, rereadsInput: false);
                capacity = full.CapacityRows;
                if (projection is not null)
                    projected = TrainingBuffer.Create(options.OnDisk, capacity, projection.OutputDimension, options.EffectiveTempDirectory);
            }
            SampleProjector? projector = projection is null
                ? null
                : new SampleProjector(projection, projected!, options.Distance, source.DescribeRow);
            var rows = new SampledRows(full, projector, origins);
            // Selection sampling needs the number of usable rows; a skipped row shows that the row count overstated
            // it. Then (or when skipping is expected, or the count is unknown) reservoir sampling, which counts only
            // the rows offered, gives exactly min(capacity, usable) rows at the cost of a second read.
            bool selection = total is not null && !options.SkipNonFinite;
            if (selection)
            {
                full?.ExpectEveryRow();
                projected?.ExpectEveryRow();
            }
            PassCounts counts = Pass(source, options, rows, RowSampler.Create(selection ? total : null, capacity,
                new SeededRandom(seed, stream: 0)), progress, cancellationToken);
            if (selection && counts.Sampled < Math.Min(capacity, counts.Usable))
            {
                counts = Pass(source, options, rows, RowSampler.Create(null, capacity, new SeededRandom(seed, stream: 0)),
                    progress, cancellationToken);
            }
            if (counts.Sampled == 0)
                throw NoUsableRows(source.Description, counts.RowsRead, counts.Nulls, counts.NonFinite);
            if (counts.Sampled < options.K)
                throw NotEnoughRows(source, options.K, counts.Sampled, counts.Nulls, counts.NonFinite);
            if (counts.OnlyTinyValues && options.Distance != DistanceMetric.Cosine)
                throw TooSmallToCompare(source.Description, options.Distance);
            full?.Seal(counts.Sampled);
            projected?.Seal(counts.Sampled);
            summary = new SamplingSummary(counts.RowsRead, counts.Sampled, counts.Nulls, counts.NonFinite);
            if (origins is null)
                return new ProjectedSample(full!, projected);
            origins.Seal(counts.Sampled);
            return new ProjectedSample(projected!, new SampleRereading(source, origins, options.Distance));
        }
        catch
        {
            projected?.Dispose();
            full?.Dispose();
            throw;
        }
    }

    /// <summary>Where a sampled row goes: the full-dimension buffer, the projected one, the record of its origin.</summary>
    private sealed record SampledRows(TrainingBuffer? Full, SampleProjector? Projector, SampledRowOrigins? Origins);

    private readonly record struct PassCounts(long RowsRead, long Sampled, long Nulls, long NonFinite, bool OnlyTinyValues)
    {
        public long Usable => RowsRead - Nulls - NonFinite;
    }

    /// <summary>
    /// One read of the source: every row is screened (<see cref="RowScreen"/>), and the usable rows that
    /// <paramref name="sampler"/> picks go to their slot in each of <paramref name="rows"/>, normalised under Cosine.
    /// </summary>
    private static PassCounts Pass(IVectorSource source, KMeansOptions options, SampledRows rows, RowSampler sampler,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        int d = source.Dimension;
        SampleWriter? writer = rows.Full is null ? null : new SampleWriter(rows.Full);
        var scale = new SampleScale();
        var screen = new RowScreen(source, options.SkipNonFinite, options.Distance);
        float[]? unit = options.Distance == DistanceMetric.Cosine ? new float[d] : null;
        long rowsRead = 0;
        foreach (VectorBatch batch in source.ReadBatches(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadOnlySpan<float> values = batch.Values.Span;
            if (values.Length != (long)batch.RowCount * d)
                throw new InvalidOperationException(
                    $"{source.Description}: a batch of {batch.RowCount} rows carried {values.Length} values, not {batch.RowCount} × {d}.");
            for (int i = 0; i < batch.RowCount; i++)
            {
                ReadOnlySpan<float> row = values.Slice(i * d, d);
                if (!screen.Admits(batch, i, row))
                {
                    sampler.Skip();
                    continue;
                }
                long slot = sampler.Offer();
                if (slot >= 0)
                {
                    ReadOnlySpan<float> stored = unit is null ? row : UnitLength(row, unit);
                    scale.Note(stored);
                    writer?.Write(slot, stored);
                    rows.Origins?.Record(slot, batch.FirstRow + i, stored);
                    rows.Projector?.Write(slot, stored, batch.FirstRow + i);
                }
            }
            rowsRead += batch.RowCount;
            progress?.Report(new SamplingProgress(rowsRead, source.RowCount, sampler.Placed));
        }
        writer?.Flush();
        rows.Projector?.Flush();
        return new PassCounts(rowsRead, sampler.Placed, screen.Nulls, screen.NonFinite, scale.OnlyTinyValues);
    }

    /// <summary>The row scaled to unit length, in <paramref name="unit"/>: a Cosine sample stores directions.</summary>
    internal static ReadOnlySpan<float> UnitLength(ReadOnlySpan<float> row, float[] unit)
    {
        row.CopyTo(unit);
        VectorMath.Normalize(unit);
        return unit;
    }

    private static KMeansException NotEnoughRows(IVectorSource source, int k, long usable, long nulls, long nonFinite) =>
        NotEnoughRows(source.Description, k, usable, nulls, nonFinite);

    internal static KMeansException NoUsableRows(string description, long rowsRead, long nulls, long nonFinite) =>
        new(KMeansErrorKind.NoRows, $"{description} holds no usable rows ({rowsRead} read, {nulls} null, {nonFinite} non-finite).",
            description);

    /// <summary>Under L2 and Dot, a sample whose every value is below <see cref="ValueRange.SmallestScale"/>.</summary>
    internal static KMeansException TooSmallToCompare(string description, DistanceMetric metric) =>
        new(KMeansErrorKind.ValueOutOfRange,
            $"Every value sampled from {description} is below {ValueRange.SmallestScale.ToString("G3", CultureInfo.InvariantCulture)} " +
            $"in magnitude: under {metric} distance their squares and products underflow float32, so every row would " +
            "look alike. Multiply the vectors by a common factor (k-means does not depend on one), or use Cosine distance.",
            description);

    internal static KMeansException NotEnoughRows(string description, int k, long usable, long nulls, long nonFinite)
    {
        string skipped = nulls + nonFinite > 0 ? $" ({nulls} null and {nonFinite} non-finite rows skipped)" : "";
        return new KMeansException(KMeansErrorKind.NotEnoughRows,
            $"K is {k}, but {description} has only {usable} usable rows{skipped}: K cannot exceed the number of rows.",
            k);
    }
}
