using Parquet;

namespace KMeans.Core.Files;

/// <summary>
/// Vectors from a Parquet file's list column, one row group in memory at a time. The row count comes from the file
/// metadata; the dimension is the length of the first non-null list, read when the file is opened.
/// </summary>
internal sealed class ParquetVectorSource : IVectorSource
{
    private const int MaxValuesPerBatch = 1 << 20;
    private readonly ParquetVectorColumn _column;
    private readonly int _rowGroupCount;
    private readonly Float64Narrowing? _narrowing;

    public ParquetVectorSource(string path, string? columnName)
    {
        Description = path;
        var stamp = OpeningRowGroup.FileStamp.Of(path);
        ParquetReader reader = Open(path);
        ParquetColumnChunk? firstRowGroup;
        try
        {
            _column = ParquetVectorColumn.Select(reader.Schema, columnName, path);
            _rowGroupCount = reader.RowGroupCount;
            RowCount = reader.Metadata?.NumRows ?? throw VectorFileErrors.Invalid(path, "its metadata is missing.");
            Dimension = FirstListLength(reader, out firstRowGroup) ?? throw VectorFileErrors.NoVectors(path);
            if (_column.Leaf.ClrType == typeof(double))
                _narrowing = new Float64Narrowing(Dimension, path);
        }
        finally
        {
            Close(reader);
        }
        if (firstRowGroup is not null && stamp is { } openedAs)
            OpeningRowGroup.Keep(this, firstRowGroup, openedAs);
    }

    /// <summary>The rows the file's metadata declares, whatever its columns hold.</summary>
    public static long? DeclaredRows(string path)
    {
        ParquetReader reader = Open(path);
        try
        {
            return reader.Metadata?.NumRows;
        }
        finally
        {
            Close(reader);
        }
    }

    /// <summary>The vector columns of a Parquet file, read from its schema alone.</summary>
    public static IReadOnlyList<string> VectorColumnNames(string path)
    {
        ParquetReader reader = Open(path);
        try
        {
            return ParquetVectorColumn.VectorColumnNames(reader.Schema);
        }
        finally
        {
            Close(reader);
        }
    }

    public string Description { get; }

    public int Dimension { get; }

    public long? RowCount { get; }

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        int rowsPerBatch = Math.Max(1, MaxValuesPerBatch / Dimension);
        var values = new float[rowsPerBatch * Dimension];
        var nulls = new bool[rowsPerBatch];
        long sourceRow = 0;
        ParquetColumnChunk? decoded = OpeningRowGroup.Take(this, Description);
        ParquetColumnChunk chunk = decoded ?? new ParquetColumnChunk(_column, Description, _narrowing);
        ParquetReader reader = Open(Description);
        try
        {
            for (int group = 0; group < _rowGroupCount; group++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (group == 0 && decoded is not null)
                    chunk.Rewind(_narrowing);
                else
                    Load(reader, group, chunk);
                long groupRows = 0;
                while (!chunk.AtEnd)
                {
                    int count = 0;
                    bool anyNull = false;
                    KMeansException? stop = null;
                    while (count < rowsPerBatch && !chunk.AtEnd)
                    {
                        nulls[count] = !chunk.ReadRow(values.AsSpan(count * Dimension, Dimension), out int length);
                        if (!nulls[count] && length != Dimension)
                        {
                            stop = VectorFileErrors.RaggedRow(Description, sourceRow + count, length, Dimension);
                            break;
                        }
                        anyNull |= nulls[count];
                        count++;
                    }
                    // Every row before a bad one is delivered, wherever the row groups and batches begin.
                    if (count > 0)
                        yield return new VectorBatch(sourceRow, count, values.AsMemory(0, count * Dimension), anyNull ? nulls.AsMemory(0, count) : default);
                    if (stop is not null)
                        throw stop;
                    sourceRow += count;
                    groupRows += count;
                }
                if (groupRows != chunk.ExpectedRows)
                    throw VectorFileErrors.Invalid(Description, $"row group {group} should hold {chunk.ExpectedRows} rows, but its column '{_column.Name}' holds {groupRows}.");
            }
        }
        finally
        {
            Close(reader);
        }
        if (sourceRow != RowCount)
            throw VectorFileErrors.Invalid(Description, $"its metadata promises {RowCount} rows, but its row groups hold {sourceRow}.");
    }

    public IEnumerable<Float64Narrowing.Blur> Float64Blurs => _narrowing?.Worst() is { } blur ? [blur] : [];

    public void Dispose() => OpeningRowGroup.Release(this);

    /// <summary>
    /// The length of the first non-null list; <paramref name="firstRowGroup"/> is the decoded row group it lies in when
    /// that is the first.
    /// </summary>
    private int? FirstListLength(ParquetReader reader, out ParquetColumnChunk? firstRowGroup)
    {
        var chunk = new ParquetColumnChunk(_column, Description);
        firstRowGroup = null;
        long row = 0;
        for (int group = 0; group < _rowGroupCount; group++)
        {
            Load(reader, group, chunk);
            for (; !chunk.AtEnd; row++)
            {
                if (!chunk.ReadRow(default, out int length))
                    continue;
                if (length == 0)
                    throw VectorFileErrors.EmptyFirstVector(Description, row);
                if (group == 0)
                    firstRowGroup = chunk;
                return length;
            }
        }
        return null;
    }

    internal static ParquetReader Open(string path)
    {
        ParquetFooterCheck.Validate(path);
        return Guard(path, () => AsyncBridge.Run(() => ParquetReader.CreateAsync(path, null, CancellationToken.None)));
    }

    /// <summary>Parquet.Net readers are only asynchronously disposable; there is nothing to wait for but the file close.</summary>
    internal static void Close(ParquetReader reader) => AsyncBridge.Run(() => reader.DisposeAsync().AsTask());

    /// <summary>Loads row group <paramref name="group"/> into <paramref name="chunk"/>, wrapping what the library throws.</summary>
    private void Load(ParquetReader reader, int group, ParquetColumnChunk chunk) => Guard(Description, () =>
    {
        chunk.Load(reader.OpenRowGroupReader(group), group);
        return true;
    });

    internal static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (VectorFileErrors.IsLibraryFailure(e))
        {
            throw VectorFileErrors.Invalid(path, $"the Parquet data cannot be read ({e.Message}).", e);
        }
    }
}
