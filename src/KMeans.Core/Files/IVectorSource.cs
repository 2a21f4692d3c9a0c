namespace KMeans.Core.Files;

/// <summary>
/// Rows of vectors read as a stream of batches, so that no source is ever held in memory whole. Sources know their
/// dimension before the first batch, and their row count where the format records it.
/// </summary>
public interface IVectorSource : IDisposable
{
    /// <summary>What the rows come from (a file path, "pipeline input"); every error message names it.</summary>
    string Description { get; }

    int Dimension { get; }

    /// <summary>Total rows including null ones, or null when only a full read can tell.</summary>
    long? RowCount { get; }

    /// <summary>Batches in source order. Each call starts again from the first row.</summary>
    IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken);

    /// <summary>
    /// Where a row read by <see cref="ReadBatches"/> lies, for error messages ("row 12 of data.npy"); a source made of
    /// several files names the file and the row within it.
    /// </summary>
    string DescribeRow(long row) => $"row {row} of {Description}";

    /// <summary>The file that holds a row read by <see cref="ReadBatches"/>: the source itself unless it is several files.</summary>
    string FileOfRow(long row) => Description;

    /// <summary>
    /// The files whose float64 values float32 blurred (<see cref="Float64Narrowing"/>) in the rows read so far, each with
    /// its worst column; none for a source that holds float32 or narrower values.
    /// </summary>
    IEnumerable<Float64Narrowing.Blur> Float64Blurs => [];
}
