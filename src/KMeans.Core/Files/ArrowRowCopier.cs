using System.Numerics.Tensors;
using Apache.Arrow;
using Apache.Arrow.Types;
using KMeans.Core.Numerics;

namespace KMeans.Core.Files;

/// <summary>
/// Copies rows of an Arrow vector column (FixedSizeList, List or LargeList of float16/32/64) into row-major float32.
/// A null row is flagged and left as zeros; a null element inside a row becomes NaN (NullElement), a missing value that the sampler
/// then rejects or skips like any other non-finite value.
/// </summary>
internal static class ArrowRowCopier
{
    /// <summary>Length of the first non-null row of <paramref name="column"/>, or null when every row is null.</summary>
    public static int? FirstRowLength(IArrowArray column, string path)
    {
        CheckBuffers(column, ChildValues(column), path);
        for (int row = 0; row < column.Length; row++)
        {
            if (!column.IsNull(row))
                return checked((int)Extent(column, row).Length);
        }
        return null;
    }

    /// <summary>
    /// Copies rows <paramref name="firstRow"/> .. + <paramref name="count"/> of one record batch;
    /// <paramref name="sourceRow"/> is the source index of <paramref name="firstRow"/>, for messages. Returns how many
    /// rows were copied: all of them, or those before a row that cannot be read, whose error <paramref name="stop"/>
    /// then holds, so that the reader delivers every row before the bad one, wherever the batches begin. Double values
    /// go through <paramref name="narrowing"/>.
    /// </summary>
    public static int Copy(IArrowArray column, int dimension, int firstRow, int count, long sourceRow,
        Span<float> destination, Span<bool> nulls, string path, Float64Narrowing? narrowing, out bool anyNull,
        out KMeansException? stop)
    {
        anyNull = false;
        stop = null;
        IArrowArray values = ChildValues(column);
        CheckBuffers(column, values, path);
        for (int i = 0; i < count; i++)
        {
            int row = firstRow + i;
            Span<float> target = destination.Slice(i * dimension, dimension);
            nulls[i] = column.IsNull(row);
            if (nulls[i])
            {
                target.Clear();
                anyNull = true;
                continue;
            }
            (long start, long length) = Extent(column, row);
            if (length != dimension)
                stop = VectorFileErrors.RaggedRow(path, sourceRow + i, checked((int)length), dimension);
            else if (start < 0 || start > values.Length - length)
                stop = VectorFileErrors.Invalid(path,
                    $"row {sourceRow + i} points at values {start}..{start + length - 1}, but the column holds only {values.Length}.");
            if (stop is not null)
                return i;
            CopyValues(values, (int)start, target, narrowing);
        }
        return count;
    }

    /// <summary>
    /// Checks that the buffers hold what the lengths promise before any is indexed: a damaged or wrongly compressed
    /// body (a writer that records the wrong uncompressed length) otherwise surfaces as an out-of-range access.
    /// </summary>
    private static void CheckBuffers(IArrowArray column, IArrowArray values, string path)
    {
        if (column.Length == 0)
            return;
        int elementSize = values.Data.DataType is FixedWidthType fixedWidth ? fixedWidth.BitWidth / 8 : 0;
        CheckBuffer(path, "values", values.Data.Buffers[1], (long)(values.Offset + values.Length) * elementSize);
        CheckValidity(path, values);
        CheckValidity(path, column);
        long rows = column.Offset + column.Length;
        switch (column)
        {
            case FixedSizeListArray:
                long needed = rows * ((FixedSizeListType)column.Data.DataType).ListSize;
                if (values.Length < needed)
                    throw VectorFileErrors.Invalid(path, $"its vector column holds {values.Length} values, but its {column.Length} rows need {needed}.");
                break;
            case ListArray:
                CheckBuffer(path, "list offsets", column.Data.Buffers[1], (rows + 1) * sizeof(int));
                break;
            case LargeListArray:
                CheckBuffer(path, "list offsets", column.Data.Buffers[1], (rows + 1) * sizeof(long));
                break;
        }
    }

    private static void CheckValidity(string path, IArrowArray array)
    {
        if (array.NullCount > 0)
            CheckBuffer(path, "validity", array.Data.Buffers[0], (array.Offset + array.Length + 7) / 8);
    }

    private static void CheckBuffer(string path, string name, ArrowBuffer buffer, long bytes)
    {
        if (buffer.Length < bytes)
            throw VectorFileErrors.Invalid(path,
                $"a record batch's {name} buffer holds {buffer.Length} bytes where {bytes} are needed; the file is damaged, " +
                "or was compressed by a writer that records the wrong uncompressed length.");
    }

    private static IArrowArray ChildValues(IArrowArray column) => column switch
    {
        FixedSizeListArray fixedList => fixedList.Values,
        ListArray list => list.Values,
        LargeListArray largeList => largeList.Values,
        _ => throw new InvalidOperationException($"{column.Data.DataType.Name} is not a vector column type."),
    };

    /// <summary>Where a row's values start in the child array, and how many there are.</summary>
    private static (long Start, long Length) Extent(IArrowArray column, int row) => column switch
    {
        FixedSizeListArray fixedList => ((long)(fixedList.Offset + row) * ((FixedSizeListType)fixedList.Data.DataType).ListSize,
            ((FixedSizeListType)fixedList.Data.DataType).ListSize),
        ListArray list => (list.ValueOffsets[row], list.ValueOffsets[row + 1] - list.ValueOffsets[row]),
        LargeListArray largeList => (largeList.ValueOffsets[row], largeList.ValueOffsets[row + 1] - largeList.ValueOffsets[row]),
        _ => throw new InvalidOperationException($"{column.Data.DataType.Name} is not a vector column type."),
    };

    private static void CopyValues(IArrowArray values, int start, Span<float> target, Float64Narrowing? narrowing)
    {
        switch (values)
        {
            case FloatArray floats:
                floats.Values.Slice(start, target.Length).CopyTo(target);
                break;
            case HalfFloatArray halves:
                TensorPrimitives.ConvertToSingle(halves.Values.Slice(start, target.Length), target);
                break;
            case DoubleArray doubles when !HasNullSlot(values, start, target.Length):
                narrowing!.NarrowRows(doubles.Values.Slice(start, target.Length), target);
                break;
            case DoubleArray doubles:
                // The checks refuse a row with a null slot: none of its values is noted, least of all what a writer
                // left in the slot.
                ReadOnlySpan<double> row = doubles.Values.Slice(start, target.Length);
                for (int j = 0; j < row.Length; j++)
                    target[j] = BeyondFloat32.Narrow(row[j]);
                break;
            default:
                throw new InvalidOperationException($"{values.Data.DataType.Name} is not a vector element type.");
        }
        if (values.NullCount == 0)
            return;
        for (int j = 0; j < target.Length; j++)
        {
            if (values.IsNull(start + j))
                target[j] = NullElement.Value;
        }
    }

    private static bool HasNullSlot(IArrowArray values, int start, int length)
    {
        if (values.NullCount == 0)
            return false;
        for (int j = start; j < start + length; j++)
        {
            if (values.IsNull(j))
                return true;
        }
        return false;
    }
}
