using System.Buffers;
using System.Runtime.InteropServices;

namespace KMeans.Core.Assigning;

/// <summary>
/// The first values of a typed array seen as bytes without a copy, for Arrow buffers (which take bytes) over the
/// columns that Parquet takes typed.
/// </summary>
internal sealed class ColumnBytes<T>(T[] values, int length) : MemoryManager<byte> where T : unmanaged
{
    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(values.AsSpan(0, length));

    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        GCHandle handle = GCHandle.Alloc(values, GCHandleType.Pinned);
        return new MemoryHandle((byte*)handle.AddrOfPinnedObject() + elementIndex, handle, this);
    }

    public override void Unpin()
    {
        // The handle that Pin returned frees itself when disposed.
    }

    protected override void Dispose(bool disposing)
    {
        // Nothing to release: the array belongs to the columns.
    }
}
