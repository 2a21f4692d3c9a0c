using Parquet;
using Parquet.Data;

namespace KMeans.Core.IO;

/// <summary>
/// Vectors from a Parquet file's list column, one row group in memory at a time. The row count comes from the file
/// metadata; the dimension is the length of the first non-null list, read when the file is opened.
/// </summary>
internal sealed class ParquetVectorSource : IVectorSource
{
    private const int MaxValuesPerBatch = 1 << 20;
    private readonly ParquetVectorColumn _column;
    private readonly int _rowGroupCount;

    public ParquetVectorSource(string path, string? columnName)
    {
        Description = path;
        ParquetReader reader = Open(path);
        try
        {
            _column = ParquetVectorColumn.Select(reader.Schema, columnName, path);
            _rowGroupCount = reader.RowGroupCount;
            RowCount = reader.Metadata?.NumRows ?? throw VectorFileErrors.Invalid(path, "its metadata is missing.");
            Dimension = FirstListLength(reader) ?? throw VectorFileErrors.NoVectors(path);
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
        ParquetReader reader = Open(Description);
        try
        {
            for (int group = 0; group < _rowGroupCount; group++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RowGroupData data = ReadRowGroup(reader, group);
                var cursor = new RowCursor(data, _column);
                long groupRows = 0;
                while (!cursor.AtEnd)
                {
                    int count = 0;
                    bool anyNull = false;
                    while (count < rowsPerBatch && !cursor.AtEnd)
                    {
                        nulls[count] = !cursor.ReadRow(values.AsSpan(count * Dimension, Dimension), out int length);
                        if (!nulls[count] && length != Dimension)
                            throw VectorFileErrors.RaggedRow(Description, sourceRow + count, length, Dimension);
                        anyNull |= nulls[count];
                        count++;
                    }
                    yield return new VectorBatch(sourceRow, count, values.AsMemory(0, count * Dimension), anyNull ? nulls.AsMemory(0, count) : default);
                    sourceRow += count;
                    groupRows += count;
                }
                if (groupRows != data.ExpectedRows)
                    throw VectorFileErrors.Invalid(Description, $"row group {group} should hold {data.ExpectedRows} rows, but its column '{_column.Name}' holds {groupRows}.");
            }
        }
        finally
        {
            Close(reader);
        }
        if (sourceRow != RowCount)
            throw VectorFileErrors.Invalid(Description, $"its metadata promises {RowCount} rows, but its row groups hold {sourceRow}.");
    }

    public void Dispose()
    {
    }

    private int? FirstListLength(ParquetReader reader)
    {
        for (int group = 0; group < _rowGroupCount; group++)
        {
            var cursor = new RowCursor(ReadRowGroup(reader, group), _column);
            while (!cursor.AtEnd)
            {
                if (cursor.ReadRow(default, out int length))
                    return length;
            }
        }
        return null;
    }

    private static ParquetReader Open(string path) =>
        Guard(path, () => AsyncBridge.Run(() => ParquetReader.CreateAsync(path, null, CancellationToken.None)));

    /// <summary>Parquet.Net readers are only asynchronously disposable; there is nothing to wait for but the file close.</summary>
    private static void Close(ParquetReader reader) => AsyncBridge.Run(() => reader.DisposeAsync().AsTask());

    private RowGroupData ReadRowGroup(ParquetReader reader, int group) => Guard(Description, () =>
    {
        ParquetRowGroupReader rowGroup = reader.OpenRowGroupReader(group);
        using RawColumnData raw = AsyncBridge.Run(() => rowGroup.ReadRawColumnDataBaseAsync(_column.Leaf, CancellationToken.None).AsTask());
        int[] definitions = raw.DefinitionLevels.ToArray();
        int[] repetitions = raw.RepetitionLevels.ToArray();
        if (repetitions.Length != definitions.Length || (repetitions.Length > 0 && repetitions[0] != 0))
            throw VectorFileErrors.Invalid(Description, $"the levels of column '{_column.Name}' in row group {group} are inconsistent.");
        int present = definitions.Count(level => level == _column.Leaf.MaxDefinitionLevel);
        float[] values = raw switch
        {
            RawColumnData<float> floats => floats.Values[..present].ToArray(),
            RawColumnData<double> doubles => ToSingle(doubles.Values[..present]),
            _ => throw new InvalidOperationException($"column '{_column.Name}' holds neither float nor double values."),
        };
        return new RowGroupData(values, definitions, repetitions, rowGroup.RowCount);
    });

    private static float[] ToSingle(ReadOnlySpan<double> source)
    {
        var target = new float[source.Length];
        for (int i = 0; i < source.Length; i++)
            target[i] = (float)source[i];
        return target;
    }

    private static T Guard<T>(string path, Func<T> read)
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

    /// <summary>One row group's column: the present values, and a definition and repetition level per entry.</summary>
    private sealed record RowGroupData(float[] Values, int[] Definitions, int[] Repetitions, long ExpectedRows);

    /// <summary>
    /// Walks a row group's levels one row (list) at a time. An entry at the maximum definition level is a value;
    /// from the element level up it is a null element; one below the element level is an empty list, lower a null row.
    /// </summary>
    private sealed class RowCursor(RowGroupData data, ParquetVectorColumn column)
    {
        private readonly int _maxDefinition = column.Leaf.MaxDefinitionLevel;
        private int _entry;
        private int _value;

        public bool AtEnd => _entry >= data.Definitions.Length;

        /// <summary>
        /// Consumes one row and copies as many of its values as fit into <paramref name="target"/> (null elements
        /// become NaN). Returns false for a null row; <paramref name="length"/> is the row's number of elements.
        /// </summary>
        public bool ReadRow(Span<float> target, out int length)
        {
            length = 0;
            int definition = data.Definitions[_entry];
            if (definition < column.ElementLevel)
            {
                _entry++;
                return definition == column.ElementLevel - 1;
            }
            do
            {
                float value = data.Definitions[_entry] == _maxDefinition ? data.Values[_value++] : float.NaN;
                if (length < target.Length)
                    target[length] = value;
                length++;
                _entry++;
            }
            while (_entry < data.Definitions.Length && data.Repetitions[_entry] != 0);
            return true;
        }
    }
}
