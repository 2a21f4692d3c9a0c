using System.Globalization;
using KMeans.Core.Distance;
using KMeans.Core.Files;

namespace KMeans.Core.Sampling;

/// <summary>Receives one sample row read again, with the slot it was sampled into.</summary>
internal delegate void SampledRowVisitor(int slot, ReadOnlySpan<float> row);

/// <summary>
/// The full-dimension rows of a sample that kept only their projections, read again from the input for the final
/// pass of a reduced-dimension training: one more read of the source, in input order (of only the sampled rows where
/// the file lets them be read by range), handing each sampled row (as sampled: normalised under Cosine) to the caller
/// once its hash matches the one taken when it was sampled.
/// </summary>
/// <remarks>
/// A file rewritten during training would otherwise give centroids of rows that were never trained: a row whose
/// hash differs, or an input that ends before the last sampled row, is <see cref="KMeansErrorKind.InputChanged"/>.
/// </remarks>
internal sealed class SampleRereading(IVectorSource source, SampledRowOrigins origins, DistanceMetric metric)
{
    public SampledRowOrigins Origins { get; } = origins;

    private readonly float[]? _unit = metric == DistanceMetric.Cosine ? new float[source.Dimension] : null;

    /// <summary>The first input row of the read under way, whose file a failure without a file name is blamed on.</summary>
    private long _readingFrom;

    public int Dimension => source.Dimension;

    /// <param name="rowsRead">Told as the read goes on how many input rows it has passed, and how many the input holds when known.</param>
    public void Read(SampledRowVisitor visit, Action<long, long?>? rowsRead, CancellationToken cancellationToken)
    {
        int[] slots = Origins.SlotsInInputOrder();
        _readingFrom = 0;
        try
        {
            if (source is IRowRangeSource { ReadsRowRanges: true } ranges && source.RowCount is long total)
                ReadRanges(ranges, total, slots, visit, rowsRead, cancellationToken);
            else
                ReadBatches(slots, visit, rowsRead, cancellationToken);
        }
        catch (Exception e) when (e is KMeansException { Kind: KMeansErrorKind.InvalidFile or KMeansErrorKind.FileNotFound }
            or IOException or UnauthorizedAccessException)
        {
            // A file that read well when sampled and fails now was most likely truncated, removed or replaced meanwhile;
            // the reader's own words say what happened, and name the file of several that failed (or the file of the
            // rows being read, where the failure names none).
            string file = e switch
            {
                KMeansException { Target: string path } => path,
                FileNotFoundException { FileName: { } path } => path,
                _ => source.FileOfRow(_readingFrom),
            };
            throw new KMeansException(KMeansErrorKind.InputChanged,
                $"{file} cannot be read again as it was sampled ({e.Message.TrimEnd('.')}), and the sampled " +
                $"rows must be read again in {source.Dimension} dimensions for their centroids. If the input changed during " +
                "training, train again once it is final.", file, e);
        }
    }

    /// <summary>Streams the whole input, taking the sampled rows as they pass.</summary>
    private void ReadBatches(int[] slots, SampledRowVisitor visit, Action<long, long?>? rowsRead, CancellationToken cancellationToken)
    {
        int d = source.Dimension;
        int next = 0;
        foreach (VectorBatch batch in source.ReadBatches(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadOnlySpan<float> values = batch.Values.Span;
            long end = batch.FirstRow + batch.RowCount;
            for (; next < slots.Length && Origins.InputRow(slots[next]) < end; next++)
            {
                int offset = checked((int)(Origins.InputRow(slots[next]) - batch.FirstRow));
                Check(slots[next], values.Slice(offset * d, d), batch.IsNull(offset), visit);
            }
            rowsRead?.Invoke(end, source.RowCount);
            if (next == slots.Length)
                return;
            _readingFrom = end;
        }
        throw EndsBefore(Origins.InputRow(slots[next]));
    }

    /// <summary>
    /// Reads only the sampled rows, from a file that holds float32 rows one after the other: a sample that is a small
    /// share of a large file costs reads in proportion to itself, not to the file. Sampled rows whose gap is at most
    /// <see cref="GapBytes"/> are read in one piece with the rows between, up to <see cref="PieceBytes"/>, so a dense
    /// sample is read in long sequential pieces and a sparse one a row at a time.
    /// </summary>
    private void ReadRanges(IRowRangeSource ranges, long total, int[] slots, SampledRowVisitor visit, Action<long, long?>? rowsRead,
        CancellationToken cancellationToken)
    {
        int d = source.Dimension;
        long rowBytes = (long)d * sizeof(float);
        int pieceRows = (int)Math.Max(1, PieceBytes / rowBytes);
        long gapRows = GapBytes / rowBytes;
        var piece = new float[(long)pieceRows * d];
        long reported = 0;
        for (int next = 0; next < slots.Length;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long first = Origins.InputRow(slots[next]);
            if (first >= total)
                throw EndsBefore(first);
            int taken = 1;
            while (next + taken < slots.Length)
            {
                long row = Origins.InputRow(slots[next + taken]);
                if (row - first >= pieceRows || row - Origins.InputRow(slots[next + taken - 1]) - 1 > gapRows || row >= total)
                    break;
                taken++;
            }
            long last = Origins.InputRow(slots[next + taken - 1]);
            int count = (int)(last - first + 1);
            _readingFrom = first;
            ranges.ReadRows(first, count, piece);
            for (int i = 0; i < taken; i++)
            {
                int offset = (int)(Origins.InputRow(slots[next + i]) - first);
                Check(slots[next + i], piece.AsSpan(offset * d, d), isNull: false, visit);
            }
            next += taken;
            if (rowsRead is not null && (last + 1 - reported >= pieceRows || next == slots.Length))
            {
                reported = last + 1;
                rowsRead(reported, total);
            }
        }
    }

    /// <summary>The most bytes read in one piece.</summary>
    private const long PieceBytes = 1 << 20;

    /// <summary>
    /// The largest gap between sampled rows read through rather than skipped: below it, one more read call costs more
    /// than reading the rows between.
    /// </summary>
    private const long GapBytes = 64 << 10;

    /// <summary>Hands a row read again to <paramref name="visit"/> once it is the row that was sampled (normalised under Cosine).</summary>
    private void Check(int slot, ReadOnlySpan<float> row, bool isNull, SampledRowVisitor visit)
    {
        ReadOnlySpan<float> sampled = _unit is null || isNull ? row : SampleBuilder.UnitLength(row, _unit);
        long inputRow = Origins.InputRow(slot);
        if (isNull || SampledRowOrigins.HashOf(sampled) != Origins.Hash(slot))
            throw Changed($"{RowScreen.Capitalized(source.DescribeRow(inputRow))} holds other values than when it was sampled",
                source.FileOfRow(inputRow));
        visit(slot, sampled);
    }

    private KMeansException EndsBefore(long sampledRow) =>
        Changed(string.Create(CultureInfo.InvariantCulture,
            $"{source.Description} ends before {source.DescribeRow(sampledRow)}, which was sampled"), source.FileOfRow(sampledRow));

    /// <param name="file">The file that changed, the error's target.</param>
    private KMeansException Changed(string what, string file) =>
        new(KMeansErrorKind.InputChanged,
            $"{what}: the input changed during training, and the sampled rows, read again in {source.Dimension} dimensions, " +
            "are no longer those that trained. Train again once the input is final.",
            file);
}
