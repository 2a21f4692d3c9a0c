using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace KMeans.Core.Files;

/// <summary>
/// Vectors from an Arrow IPC file (<c>.arrow</c>, <c>.feather</c>) or stream (<c>.arrows</c>), one record batch in
/// memory at a time; LZ4- and ZSTD-compressed bodies are decompressed. The file format's row count comes from the
/// footer, a stream's from the headers of its messages (<see cref="ArrowStreamFraming"/>).
/// </summary>
internal sealed class ArrowVectorSource : IVectorSource
{
    /// <summary>Upper bound on the values of one emitted batch (4 MB), whatever the record batch size.</summary>
    private const int MaxValuesPerBatch = 1 << 20;

    private readonly bool _isFile;
    private readonly ArrowVectorColumn _column;
    private readonly Float64Narrowing? _narrowing;

    private ArrowVectorSource(string path, bool isFile, ArrowVectorColumn column, int dimension, long? rowCount)
    {
        Description = path;
        _isFile = isFile;
        _column = column;
        Dimension = dimension;
        RowCount = rowCount;
        if (column.ElementType == ArrowTypeId.Double)
            _narrowing = new Float64Narrowing(dimension, path);
    }

    public string Description { get; }

    public int Dimension { get; }

    public long? RowCount { get; }

    public static ArrowVectorSource OpenFile(string path, string? column)
    {
        long rows;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            rows = ArrowFileFooter.CountRows(handle);
        }
        catch (FormatException e)
        {
            throw VectorFileErrors.Invalid(path, e.Message, e);
        }
        catch (NotSupportedException e)
        {
            throw VectorFileErrors.Unsupported(path, e.Message);
        }
        return Open(path, isFile: true, column, rows);
    }

    public static ArrowVectorSource OpenStream(string path, string? column)
    {
        long rows = ArrowStreamFraming.CheckAndCountRows(path);
        return Open(path, isFile: false, column, rows);
    }

    /// <summary>The vector columns of an Arrow IPC file or stream, read from its schema alone.</summary>
    public static IReadOnlyList<string> VectorColumnNames(string path, bool isFile)
    {
        using ArrowStreamReader reader = CreateReader(path, isFile);
        Schema schema = Guard(path, () => reader.Schema ?? throw new InvalidDataException("the file holds no schema."));
        return ArrowVectorColumn.VectorColumnNames(schema);
    }

    private static ArrowVectorSource Open(string path, bool isFile, string? columnName, long? rowCount)
    {
        using ArrowStreamReader reader = CreateReader(path, isFile);
        Schema schema = Guard(path, () => reader.Schema ?? throw new InvalidDataException("the file holds no schema."));
        ArrowVectorColumn column = ArrowVectorColumn.Select(schema, columnName, path);
        int dimension = column.FixedSize ?? FirstListLength(reader, column, path) ?? throw VectorFileErrors.NoVectors(path);
        if (dimension < 1)
            throw VectorFileErrors.Unsupported(path, $"column '{column.Field.Name}' holds vectors of size {dimension}; the dimension must be at least 1.");
        return new ArrowVectorSource(path, isFile, column, dimension, rowCount);
    }

    public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
    {
        int rowsPerBatch = Math.Max(1, MaxValuesPerBatch / Dimension);
        var values = new float[rowsPerBatch * Dimension];
        var nulls = new bool[rowsPerBatch];
        long sourceRow = 0;
        using ArrowStreamReader reader = CreateReader(Description, _isFile);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using RecordBatch? recordBatch = ReadNext(reader, Description);
            if (recordBatch is null)
                break;
            IArrowArray column = recordBatch.Column(_column.Index);
            for (int first = 0; first < recordBatch.Length; first += rowsPerBatch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = ArrowRowCopier.Copy(column, Dimension, first, Math.Min(rowsPerBatch, recordBatch.Length - first),
                    sourceRow, values, nulls, Description, _narrowing, out bool anyNull, out KMeansException? stop);
                if (count > 0)
                    yield return new VectorBatch(sourceRow, count, values.AsMemory(0, count * Dimension),
                        anyNull ? nulls.AsMemory(0, count) : default);
                if (stop is not null)
                    throw stop;
                sourceRow += count;
            }
        }
        if (RowCount is long expected && sourceRow != expected)
            throw VectorFileErrors.Invalid(Description, $"its footer promises {expected} rows, but its record batches hold {sourceRow}.");
    }

    public IEnumerable<Float64Narrowing.Blur> Float64Blurs => _narrowing?.Worst() is { } blur ? [blur] : [];

    public void Dispose()
    {
    }

    private static ArrowStreamReader CreateReader(string path, bool isFile)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var codecs = new CompressionCodecFactory();
        return isFile ? new ArrowFileReader(stream, codecs) : new ArrowStreamReader(stream, codecs);
    }

    private static int? FirstListLength(ArrowStreamReader reader, ArrowVectorColumn column, string path)
    {
        while (ReadNext(reader, path) is { } recordBatch)
        {
            using (recordBatch)
            {
                if (ArrowRowCopier.FirstRowLength(recordBatch.Column(column.Index), path) is int length)
                    return length;
            }
        }
        return null;
    }

    private static RecordBatch? ReadNext(ArrowStreamReader reader, string path) => Guard(path, reader.ReadNextRecordBatch);

    private static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "listSize")
        {
            // The library refuses the schema itself, before any column can be looked at.
            throw VectorFileErrors.Invalid(path, "a FixedSizeList column holds 0 values per row, where a vector holds at least one.", e);
        }
        catch (Exception e) when (VectorFileErrors.IsLibraryFailure(e))
        {
            throw VectorFileErrors.Invalid(path, $"the Arrow data cannot be read ({e.Message}).", e);
        }
    }
}
