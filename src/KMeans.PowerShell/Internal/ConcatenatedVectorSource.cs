using KMeans.Core;
using KMeans.Core.IO;

namespace KMeans.PowerShell.Internal;

/// <summary>
/// Several vector files read as one source, in the order given (the shards of one data set). Rows are numbered across
/// the files; all files must have the same dimension.
/// </summary>
internal sealed class ConcatenatedVectorSource : IVectorSource
{
    private readonly IReadOnlyList<IVectorSource> _sources;

    public ConcatenatedVectorSource(IReadOnlyList<IVectorSource> sources)
    {
        if (sources.Count < 2)
            throw new ArgumentException("Concatenate at least two sources.", nameof(sources));
        _sources = sources;
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
        foreach (IVectorSource source in _sources)
        {
            long rows = 0;
            foreach (VectorBatch batch in source.ReadBatches(cancellationToken))
            {
                rows = batch.FirstRow + batch.RowCount;
                yield return new VectorBatch(offset + batch.FirstRow, batch.RowCount, batch.Values, batch.NullRows);
            }
            offset += rows;
        }
    }

    public void Dispose()
    {
        foreach (IVectorSource source in _sources)
            source.Dispose();
    }
}
