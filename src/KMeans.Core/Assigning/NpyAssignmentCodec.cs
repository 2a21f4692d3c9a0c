using System.Runtime.InteropServices;
using KMeans.Core.Files;

namespace KMeans.Core.Assigning;

/// <summary>Labels as a C-order int32 .npy, −1 for rows not assigned; the header is rewritten once the count is known.</summary>
internal sealed class NpyAssignmentCodec : IAssignmentCodec
{
    private readonly Stream _output;
    private readonly int _nearest;
    private long _rows;

    public NpyAssignmentCodec(Stream output, int nearest, long? rowCount)
    {
        _output = output;
        _nearest = nearest;
        _output.Write(Header(rowCount ?? 0));
    }

    public void Write(AssignedRows chunk)
    {
        _output.Write(MemoryMarshal.AsBytes(chunk.ClusterIds.Span[..(chunk.RowCount * _nearest)]));
        _rows += chunk.RowCount;
    }

    public void Finish()
    {
        _output.Position = 0;
        _output.Write(Header(_rows));
    }

    private byte[] Header(long rows) => NpyHeader.Format("<i4", rows, _nearest == 1 ? null : _nearest);
}
