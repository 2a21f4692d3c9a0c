using System.Runtime.InteropServices;

namespace KMeans.Core.Files;

/// <summary>
/// Writes vectors as a C-order little-endian float32 <c>.npy</c>. The header is written first with the row count the
/// source announces (or a placeholder) and rewritten in place once every row is out, since its length is fixed.
/// </summary>
internal static class NpyVectorWriter
{
    public static void Write(IVectorSource source, Stream output, CancellationToken cancellationToken)
    {
        int d = source.Dimension;
        output.Write(NpyHeader.FormatFloat32(source.RowCount ?? 0, d));
        long rows = 0;
        foreach (VectorBatch batch in source.ReadBatches(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int i = 0; i < batch.RowCount; i++)
            {
                if (batch.IsNull(i))
                    throw VectorFileWriter.NullRow(source, batch.FirstRow + i, ".npy");
            }
            output.Write(MemoryMarshal.AsBytes(batch.Values.Span[..(batch.RowCount * d)]));
            rows += batch.RowCount;
        }
        output.Position = 0;
        output.Write(NpyHeader.FormatFloat32(rows, d));
    }
}
