namespace KMeans.Core.Files;

/// <summary>
/// A run of consecutive source rows, row-major float32. <see cref="NullRows"/> is empty when no row is null, else it
/// holds one flag per row; null rows still occupy <c>Dimension</c> (ignored) values so that offsets stay simple.
/// </summary>
public readonly struct VectorBatch
{
    public VectorBatch(long firstRow, int rowCount, ReadOnlyMemory<float> values, ReadOnlyMemory<bool> nullRows = default)
    {
        FirstRow = firstRow;
        RowCount = rowCount;
        Values = values;
        NullRows = nullRows;
    }

    /// <summary>Index in the source of the batch's first row.</summary>
    public long FirstRow { get; }

    public int RowCount { get; }

    public ReadOnlyMemory<float> Values { get; }

    public ReadOnlyMemory<bool> NullRows { get; }

    public bool IsNull(int row) => !NullRows.IsEmpty && NullRows.Span[row];
}
