using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace KMeans.Core.Files;

/// <summary>
/// Writes vectors as TEXMEX <c>.fvecs</c> (float32) or <c>.bvecs</c> (bytes). A value that a byte cannot hold
/// exactly (not a whole number from 0 to 255) fails the <c>.bvecs</c> write rather than being rounded.
/// </summary>
internal static class VecsVectorWriter
{
    public static void Write(IVectorSource source, Stream output, VecsElement element, CancellationToken cancellationToken)
    {
        int d = source.Dimension;
        string extension = element == VecsElement.Float32 ? ".fvecs" : ".bvecs";
        var row = new byte[sizeof(int) + d * (element == VecsElement.Float32 ? sizeof(float) : 1)];
        BinaryPrimitives.WriteInt32LittleEndian(row, d);
        foreach (VectorBatch batch in source.ReadBatches(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int i = 0; i < batch.RowCount; i++)
            {
                long rowIndex = batch.FirstRow + i;
                if (batch.IsNull(i))
                    throw VectorFileWriter.NullRow(source, rowIndex, extension);
                ReadOnlySpan<float> values = batch.Values.Span.Slice(i * d, d);
                if (element == VecsElement.Float32)
                    MemoryMarshal.AsBytes(values).CopyTo(row.AsSpan(sizeof(int)));
                else
                    EncodeBytes(source, rowIndex, values, row.AsSpan(sizeof(int)));
                output.Write(row);
            }
        }
    }

    private static void EncodeBytes(IVectorSource source, long rowIndex, ReadOnlySpan<float> values, Span<byte> target)
    {
        for (int j = 0; j < values.Length; j++)
        {
            float value = values[j];
            if (!(value >= 0 && value <= byte.MaxValue && value == MathF.Floor(value)))
                throw new KMeansException(KMeansErrorKind.InvalidOption,
                    $"Row {rowIndex} of {source.Description} holds {value.ToString(CultureInfo.InvariantCulture)} at column {j}, which a .bvecs file cannot store " +
                    "(only whole numbers from 0 to 255); write .fvecs, .npy, Arrow or Parquet instead.", value);
            target[j] = (byte)value;
        }
    }
}
