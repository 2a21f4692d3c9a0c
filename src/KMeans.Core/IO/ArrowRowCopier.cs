using System.Numerics.Tensors;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace KMeans.Core.IO;

/// <summary>
/// Copies rows of an Arrow vector column (FixedSizeList, List or LargeList of float16/32/64) into row-major float32.
/// A null row is flagged and left as zeros; a null element inside a row becomes NaN, a missing value that the sampler
/// then rejects or skips like any other non-finite value.
/// </summary>
internal static class ArrowRowCopier
{
    /// <summary>Length of the first non-null row of <paramref name="column"/>, or null when every row is null.</summary>
    public static int? FirstRowLength(IArrowArray column)
    {
        for (int row = 0; row < column.Length; row++)
        {
            if (!column.IsNull(row))
                return checked((int)Extent(column, row).Length);
        }
        return null;
    }

    /// <summary>
    /// Copies rows <paramref name="firstRow"/> .. + <paramref name="count"/> of one record batch;
    /// <paramref name="sourceRow"/> is the source index of <paramref name="firstRow"/>, for messages.
    /// Returns whether any row was null.
    /// </summary>
    public static bool Copy(IArrowArray column, int dimension, int firstRow, int count, long sourceRow,
        Span<float> destination, Span<bool> nulls, string path)
    {
        bool anyNull = false;
        IArrowArray values = ChildValues(column);
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
                throw VectorFileErrors.RaggedRow(path, sourceRow + i, checked((int)length), dimension);
            if (start < 0 || start > values.Length - length)
                throw VectorFileErrors.Invalid(path,
                    $"row {sourceRow + i} points at values {start}..{start + length - 1}, but the column holds only {values.Length}.");
            CopyValues(values, (int)start, target);
        }
        return anyNull;
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

    private static void CopyValues(IArrowArray values, int start, Span<float> target)
    {
        switch (values)
        {
            case FloatArray floats:
                floats.Values.Slice(start, target.Length).CopyTo(target);
                break;
            case HalfFloatArray halves:
                TensorPrimitives.ConvertToSingle(halves.Values.Slice(start, target.Length), target);
                break;
            case DoubleArray doubles:
                ReadOnlySpan<double> source = doubles.Values.Slice(start, target.Length);
                for (int j = 0; j < target.Length; j++)
                    target[j] = (float)source[j];
                break;
            default:
                throw new InvalidOperationException($"{values.Data.DataType.Name} is not a vector element type.");
        }
        if (values.NullCount == 0)
            return;
        for (int j = 0; j < target.Length; j++)
        {
            if (values.IsNull(start + j))
                target[j] = float.NaN;
        }
    }
}
