namespace KMeans.Core.Files;

/// <summary>
/// The reader boundary: every file source is opened and read through this, so that whatever exception a file library
/// throws on damaged bytes (Apache.Arrow, Parquet.Net and our own parsers report damage with anything from
/// IndexOutOfRangeException to a bare Exception) reaches the user as <see cref="KMeansErrorKind.InvalidFile"/>
/// naming the file, with the original kept as the inner exception.
/// </summary>
internal sealed class GuardedVectorSource : IVectorSource, IRowRangeSource
{
    private readonly IVectorSource _inner;

    private GuardedVectorSource(IVectorSource inner) => _inner = inner;

    public string Description => _inner.Description;

    public int Dimension => _inner.Dimension;

    public long? RowCount => _inner.RowCount;

    public static IVectorSource Open(string path, Func<IVectorSource> open)
    {
        try
        {
            return new GuardedVectorSource(open());
        }
        catch (Exception e) when (VectorFileErrors.IsLibraryFailure(e))
        {
            throw VectorFileErrors.Damaged(path, e);
        }
    }

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        using IEnumerator<VectorBatch> batches = _inner.ReadBatches(cancellationToken).GetEnumerator();
        while (true)
        {
            try
            {
                if (!batches.MoveNext())
                    yield break;
            }
            catch (Exception e) when (VectorFileErrors.IsLibraryFailure(e))
            {
                throw VectorFileErrors.Damaged(Description, e);
            }
            yield return batches.Current;
        }
    }

    public bool ReadsRowRanges => _inner is IRowRangeSource { ReadsRowRanges: true };

    public void ReadRows(long firstRow, int count, Span<float> destination)
    {
        if (_inner is not IRowRangeSource ranges)
            throw new InvalidOperationException($"{Description} is read by batches only.");
        try
        {
            ranges.ReadRows(firstRow, count, destination);
        }
        catch (Exception e) when (VectorFileErrors.IsLibraryFailure(e))
        {
            throw VectorFileErrors.Damaged(Description, e);
        }
    }

    public string DescribeRow(long row) => _inner.DescribeRow(row);

    public string FileOfRow(long row) => _inner.FileOfRow(row);

    public IEnumerable<Float64Narrowing.Blur> Float64Blurs => _inner.Float64Blurs;

    public void Dispose() => _inner.Dispose();
}
