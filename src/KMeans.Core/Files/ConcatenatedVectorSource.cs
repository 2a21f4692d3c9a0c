namespace KMeans.Core.Files;

/// <summary>
/// Several vector files read as one source, in the order given (the shards of one data set). Rows are numbered across
/// the files; all files must have the same dimension. Errors about a row name its file and its row in that file.
/// </summary>
/// <remarks>
/// One object serves one training: its row count is the files' when opened, and every read after the first must
/// find each file's rows as the first found them (else <see cref="KMeansErrorKind.InputChanged"/>).
/// </remarks>
public sealed class ConcatenatedVectorSource : IVectorSource
{
    private readonly IReadOnlyList<IVectorSource> _sources;

    /// <summary>The first row of each file read so far, numbered across the files (a file's count may be known only once read).</summary>
    private readonly List<long> _firstRows = [];

    /// <summary>
    /// Each file's rows in the first read that went through it: a later read (a reservoir's second pass, the final
    /// pass of a reduced training) that finds another count names the file that changed, where the row numbers of
    /// the files after it would shift and blame another.
    /// </summary>
    private readonly long?[] _rowsWhenFirstRead;

    public ConcatenatedVectorSource(IReadOnlyList<IVectorSource> sources)
    {
        if (sources.Count < 2)
            throw new ArgumentException("Concatenate at least two sources.", nameof(sources));
        _sources = sources;
        _rowsWhenFirstRead = new long?[sources.Count];
        Dimension = sources[0].Dimension;
        foreach (IVectorSource source in sources.Skip(1))
        {
            if (source.Dimension != Dimension)
                throw new KMeansException(KMeansErrorKind.DimensionMismatch,
                    $"{source.Description} has {source.Dimension} dimensions, but {sources[0].Description} has {Dimension}: the files of one training must have the same dimension.",
                    source.Description);
        }
        RowCount = sources.All(s => s.RowCount.HasValue) ? sources.Sum(s => s.RowCount!.Value) : null;
        Description = $"{sources.Count} files ({sources[0].Description} … {sources[^1].Description})";
    }

    public string Description { get; }

    public int Dimension { get; }

    public long? RowCount { get; }

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        long offset = 0;
        _firstRows.Clear();
        for (int file = 0; file < _sources.Count; file++)
        {
            IVectorSource source = _sources[file];
            _firstRows.Add(offset);
            long rows = 0;
            foreach (VectorBatch batch in source.ReadBatches(cancellationToken))
            {
                rows = batch.FirstRow + batch.RowCount;
                yield return new VectorBatch(offset + batch.FirstRow, batch.RowCount, batch.Values, batch.NullRows);
            }
            if (_rowsWhenFirstRead[file] is long before && before != rows)
                throw new KMeansException(KMeansErrorKind.InputChanged,
                    $"{source.Description} held {before} rows when it was read before and holds {rows} now: it changed during training. " +
                    "Train again once the input is final.", source.Description);
            _rowsWhenFirstRead[file] = rows;
            offset += rows;
        }
    }

    public string DescribeRow(long row)
    {
        int file = FileIndexOf(row);
        return file < 0 ? $"row {row} of {Description}" : _sources[file].DescribeRow(row - _firstRows[file]);
    }

    public IEnumerable<Float64Narrowing.Blur> Float64Blurs => _sources.SelectMany(source => source.Float64Blurs);

    public string FileOfRow(long row)
    {
        int file = FileIndexOf(row);
        return file < 0 ? Description : _sources[file].Description;
    }

    /// <summary>The file of <paramref name="row"/> among those read so far; −1 before any was.</summary>
    private int FileIndexOf(long row)
    {
        int file = _firstRows.Count - 1;
        while (file > 0 && _firstRows[file] > row)
            file--;
        return file;
    }

    public void Dispose()
    {
        foreach (IVectorSource source in _sources)
            source.Dispose();
    }
}
