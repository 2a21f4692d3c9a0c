using Parquet;
using KMeans.Core.Numerics;

namespace KMeans.Core.Files;

/// <summary>
/// One row group's worth of a Parquet vector column, read into buffers reused from one row group to the next, and
/// walked one row (list) at a time. An entry at the maximum definition level is a value; from the element level up it
/// is a null element (read as NaN); one below the element level is an empty list; anything lower a null row. Double
/// values are read as float32 row by row, through <paramref name="narrowing"/> where given.
/// </summary>
internal sealed class ParquetColumnChunk(ParquetVectorColumn column, string path, Float64Narrowing? narrowing = null)
{
    private Float64Narrowing? _narrowing = narrowing;

    // Run-length encoding packs many entries into a byte, but not millions; a damaged count beyond this bound would
    // otherwise allocate gigabytes before the library notices that the data is not there.
    private const long MaxEntriesPerByte = 8 * 1024;

    private readonly int _maxDefinition = column.Leaf.MaxDefinitionLevel;
    private readonly long _fileLength = new FileInfo(path).Length;
    private readonly bool _holdsDoubles = column.Leaf.ClrType == typeof(double);
    private float[] _values = [];
    private double[] _doubles = [];
    private int[] _definitions = [];
    private int[] _repetitions = [];
    private int _entries;
    private int _entry;
    private int _value;

    /// <summary>Rows the row group's metadata announces.</summary>
    public long ExpectedRows { get; private set; }

    public bool AtEnd => _entry >= _entries;

    public void Load(ParquetRowGroupReader rowGroup, int index)
    {
        long entries = rowGroup.GetMetadata(column.Leaf)?.MetaData?.NumValues
            ?? throw VectorFileErrors.Invalid(path, $"row group {index} has no metadata for column '{column.Name}'.");
        if (entries < 0 || entries > Array.MaxLength || entries > MaxEntriesPerByte * _fileLength)
            throw VectorFileErrors.Invalid(path, $"row group {index} claims {entries} entries in column '{column.Name}', more than a file of {_fileLength} bytes can encode; its metadata is damaged.");
        _entries = (int)entries;
        _entry = 0;
        _value = 0;
        ExpectedRows = rowGroup.RowCount;
        Grow(ref _definitions, _entries);
        Grow(ref _repetitions, _entries);
        Memory<int> definitions = _definitions.AsMemory(0, _entries);
        Memory<int> repetitions = _repetitions.AsMemory(0, _entries);
        if (_holdsDoubles)
        {
            Grow(ref _doubles, _entries);
            AsyncBridge.Run(() => rowGroup.ReadRawAsync(column.Leaf, _doubles.AsMemory(0, _entries), definitions, repetitions, CancellationToken.None).AsTask());
        }
        else
        {
            Grow(ref _values, _entries);
            AsyncBridge.Run(() => rowGroup.ReadRawAsync(column.Leaf, _values.AsMemory(0, _entries), definitions, repetitions, CancellationToken.None).AsTask());
        }
        if (_entries > 0 && _repetitions[0] != 0)
            throw VectorFileErrors.Invalid(path, $"row group {index} of column '{column.Name}' does not start with a new row.");
    }

    /// <summary>
    /// Walks the loaded row group again from its first row, doubles now read through <paramref name="narrowing"/>: a
    /// reading takes the row group that opening the file decoded to find the dimension.
    /// </summary>
    public void Rewind(Float64Narrowing? narrowing)
    {
        _narrowing = narrowing;
        _entry = 0;
        _value = 0;
    }

    /// <summary>
    /// Consumes one row and copies as many of its values as fit into <paramref name="target"/>. Returns false for a
    /// null row; <paramref name="length"/> is the row's number of elements.
    /// </summary>
    public bool ReadRow(Span<float> target, out int length)
    {
        if (TryReadWholeRow(target))
        {
            length = target.Length;
            return true;
        }
        length = 0;
        int definition = _definitions[_entry];
        if (definition < column.ElementLevel)
        {
            // A null or empty list is one entry, but DuckDB writes a null fixed-size array as one entry per element,
            // the others continuing the row (repetition level above 0): they are the same row.
            do
                _entry++;
            while (_entry < _entries && _repetitions[_entry] != 0);
            return definition == column.ElementLevel - 1;
        }
        do
        {
            float value = _definitions[_entry] != _maxDefinition ? NullElement.Value
                : !_holdsDoubles ? _values[_value++]
                : BeyondFloat32.Narrow(_doubles[_value++]);
            if (length < target.Length)
                target[length] = value;
            length++;
            _entry++;
        }
        while (_entry < _entries && _repetitions[_entry] != 0);
        return true;
    }

    /// <summary>
    /// The common row, taken whole: exactly <c>target.Length</c> entries, every one a value (no null element), the next
    /// entry starting a new row. Checked and copied with vector instructions rather than entry by entry (Fashion-MNIST
    /// from polars' Parquet: 20 ms against 80–440 for the walk); any other row is left to the walk in
    /// <see cref="ReadRow"/>, which reads it the same way.
    /// </summary>
    private bool TryReadWholeRow(Span<float> target)
    {
        int length = target.Length;
        int end = _entry + length;
        if (length == 0 || (_holdsDoubles && _narrowing is null) || end > _entries || (end < _entries && _repetitions[end] != 0)
            || _definitions.AsSpan(_entry, length).IndexOfAnyExcept(_maxDefinition) >= 0
            || _repetitions.AsSpan(_entry + 1, length - 1).Contains(0))
            return false;
        if (_holdsDoubles)
            _narrowing!.NarrowRows(_doubles.AsSpan(_value, length), target);
        else
            _values.AsSpan(_value, length).CopyTo(target);
        _entry = end;
        _value += length;
        return true;
    }

    private static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new T[length];
    }
}
