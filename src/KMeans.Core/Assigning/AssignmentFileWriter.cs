using KMeans.Core.Files;

namespace KMeans.Core.Assigning;

/// <summary>
/// Writes assignments chunk by chunk into one file, atomically: nothing is at the target until <see cref="Commit"/>;
/// disposing without committing (an error, Ctrl+C) leaves no file behind and an existing target untouched. Rows that
/// were not assigned (null or invalid) are left out of the Arrow and Parquet columns, whose row_index keeps every
/// other row's place; in .npy, where the position is the index, their label is −1.
/// </summary>
public sealed class AssignmentFileWriter : IDisposable
{
    /// <summary>Bytes written between two starts of writeback: the commit's fsync then waits for at most about this much.</summary>
    private const long WritebackBytes = 1L << 18;

    private readonly AtomicFileWrite _file;
    private readonly IAssignmentCodec _codec;
    private long _writebackFrom;

    /// <param name="overwrite">
    /// Whether the file may replace an existing one. Without it, a file that another writer put at the target while
    /// this one was writing makes the commit fail with FileExists instead of being replaced.
    /// </param>
    /// <param name="rowCount">The input rows, when known: a .npy header then needs no rewrite.</param>
    public AssignmentFileWriter(string path, AssignmentFileFormat format, int nearest, bool overwrite, long? rowCount = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nearest, 1);
        if (!Enum.IsDefined(format))
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown assignment file format.");
        Format = format;
        _file = AtomicFile.Begin(path, overwrite);
        try
        {
            _codec = format switch
            {
                AssignmentFileFormat.Parquet => new ParquetAssignmentCodec(_file.Stream, nearest),
                AssignmentFileFormat.Npy => new NpyAssignmentCodec(_file.Stream, nearest, rowCount),
                _ => new ArrowAssignmentCodec(_file.Stream, nearest, fileFormat: format == AssignmentFileFormat.Arrow),
            };
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    public string Target => _file.Target;

    /// <summary>A .npy file holds −1 for a row that was not assigned; Arrow and Parquet files leave it out.</summary>
    public AssignmentFileFormat Format { get; }

    /// <summary>Rows written so far, assigned or not.</summary>
    public long Rows { get; private set; }

    /// <summary>
    /// Appends <paramref name="chunk"/>; chunks must come in row order without gaps. A failure of the file system is a
    /// <see cref="KMeansException"/> (FileNotWritable) naming the target, as every writer's.
    /// </summary>
    public void Write(AssignedRows chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        try
        {
            _codec.Write(chunk);
            Rows += chunk.RowCount;
            if (_file.Stream is FileStream stream && stream.Position - _writebackFrom >= WritebackBytes)
            {
                Writeback.Start(stream, _writebackFrom, stream.Position - _writebackFrom);
                _writebackFrom = stream.Position;
            }
        }
        catch (Exception e) when (_file.Translate(e) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Finishes the format (footer, header) and moves the file to its target.</summary>
    public void Commit()
    {
        try
        {
            _codec.Finish();
        }
        catch (Exception e) when (_file.Translate(e) is { } translated)
        {
            throw translated;
        }
        _file.Commit();
    }

    public void Dispose()
    {
        (_codec as IDisposable)?.Dispose();
        _file.Dispose();
    }
}

internal interface IAssignmentCodec
{
    void Write(AssignedRows chunk);

    void Finish();
}
