using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace KMeans.Core.Tests.Files.Vectors;

/// <summary>
/// Writes Arrow IPC files through the Arrow library directly, with element types, column sets, compression and batch
/// layouts our own writer never produces.
/// </summary>
internal static class ArrowTestFiles
{
    /// <summary>An Arrow IPC file or stream holding the given columns, split into record batches of <paramref name="batchRows"/>.</summary>
    public static void Write(string path, int rowCount, int batchRows, bool stream, CompressionCodecType? compression,
        params (string Name, Func<int, int, IArrowArray> Build)[] columns)
    {
        var fields = new List<Field>();
        var batches = new List<RecordBatch>();
        for (int first = 0; first < rowCount || (first == 0 && rowCount == 0); first += batchRows)
        {
            int count = Math.Min(batchRows, rowCount - first);
            IArrowArray[] arrays = columns.Select(c => c.Build(first, count)).ToArray();
            if (fields.Count == 0)
                fields.AddRange(columns.Select((c, i) => new Field(c.Name, arrays[i].Data.DataType, nullable: true)));
            batches.Add(new RecordBatch(new Schema(fields, null), arrays, count));
            if (rowCount == 0)
                break;
        }
        var schema = new Schema(fields, null);
        var options = new IpcOptions { CompressionCodec = compression, CompressionCodecFactory = new CompressionCodecFactory() };
        using var output = File.Create(path);
        using ArrowStreamWriter writer = stream
            ? new ArrowStreamWriter(output, schema, leaveOpen: false, options)
            : new ArrowFileWriter(output, schema, leaveOpen: false, options);
        writer.WriteStart();
        foreach (RecordBatch batch in batches)
            writer.WriteRecordBatch(batch);
        writer.WriteEnd();
    }

    /// <summary>
    /// A FixedSizeList column of float16, float32 or float64 built from rows (null entries become null rows); float64
    /// values are each plus <paramref name="offset"/>, added in double.
    /// </summary>
    public static Func<int, int, IArrowArray> FixedSizeList(IReadOnlyList<float[]?> rows, ArrowTypeId element, double offset = 0)
    {
        int d = rows.First(r => r is not null)!.Length;
        return (first, count) =>
        {
            IArrowType elementType = ElementType(element);
            var builder = new FixedSizeListArray.Builder(elementType, d);
            for (int r = first; r < first + count; r++)
            {
                if (rows[r] is not float[] row)
                {
                    builder.AppendNull();
                    continue;
                }
                builder.Append();
                AppendValues(builder.ValueBuilder, element, row, offset);
            }
            return builder.Build();
        };
    }

    /// <summary>A List column (rows may differ in length, for the ragged case).</summary>
    public static Func<int, int, IArrowArray> List(IReadOnlyList<float[]?> rows, ArrowTypeId element = ArrowTypeId.Float)
    {
        return (first, count) =>
        {
            var builder = new ListArray.Builder(ElementType(element));
            for (int r = first; r < first + count; r++)
            {
                if (rows[r] is not float[] row)
                {
                    builder.AppendNull();
                    continue;
                }
                builder.Append();
                AppendValues(builder.ValueBuilder, element, row);
            }
            return builder.Build();
        };
    }

    /// <summary>A LargeList (64-bit offsets) column of float32.</summary>
    public static Func<int, int, IArrowArray> LargeList(IReadOnlyList<float[]?> rows)
    {
        return (first, count) =>
        {
            var builder = new LargeListArray.Builder(FloatType.Default);
            var values = (FloatArray.Builder)builder.ValueBuilder;
            for (int r = first; r < first + count; r++)
            {
                if (rows[r] is not float[] row)
                {
                    builder.AppendNull();
                    continue;
                }
                builder.Append();
                values.AppendRange(row);
            }
            return builder.Build();
        };
    }

    public static Func<int, int, IArrowArray> Strings() =>
        (first, count) => new StringArray.Builder().AppendRange(Enumerable.Range(first, count).Select(i => $"row {i}")).Build();

    public static Func<int, int, IArrowArray> Int32s() =>
        (first, count) => new Int32Array.Builder().AppendRange(Enumerable.Range(first, count)).Build();

    private static IArrowType ElementType(ArrowTypeId element) => element switch
    {
        ArrowTypeId.HalfFloat => HalfFloatType.Default,
        ArrowTypeId.Double => DoubleType.Default,
        _ => FloatType.Default,
    };

    private static void AppendValues(IArrowArrayBuilder valueBuilder, ArrowTypeId element, float[] row, double offset = 0)
    {
        switch (valueBuilder)
        {
            case HalfFloatArray.Builder halves when element == ArrowTypeId.HalfFloat:
                halves.AppendRange(row.Select(v => (Half)v));
                break;
            case DoubleArray.Builder doubles when element == ArrowTypeId.Double:
                doubles.AppendRange(row.Select(v => v + offset));
                break;
            case FloatArray.Builder floats:
                floats.AppendRange(row);
                break;
            default:
                throw new ArgumentException($"No builder for {element}.");
        }
    }
}
