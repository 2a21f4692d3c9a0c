using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace KMeans.Core.Training.Checkpoints;

/// <summary>Little-endian fields into a stream through one buffer, hashing every byte it writes.</summary>
internal sealed class CheckpointWriter(Stream output)
{
    private readonly byte[] _buffer = new byte[1 << 16];
    private readonly XxHash3 _hash = new();
    private int _used;

    public long Written { get; private set; }

    public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    public void UInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    public void Double(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    public void Boolean(bool value) => Reserve(1)[0] = value ? (byte)1 : (byte)0;

    public void String(string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        Int32(bytes.Length);
        Bytes(bytes);
    }

    public void Floats(ReadOnlySpan<float> values)
    {
        Int64(values.Length);
        Bytes(MemoryMarshal.AsBytes(values));
    }

    public void Int64s(ReadOnlySpan<long> values)
    {
        Int64(values.Length);
        Bytes(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Writes what is buffered and returns the hash of everything written.</summary>
    public ulong Finish()
    {
        Drain();
        return _hash.GetCurrentHashAsUInt64();
    }

    // Arrays go out in the machine's byte order: CheckpointFile refuses big-endian machines, so the file is
    // little-endian throughout.
    private void Bytes(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            int room = _buffer.Length - _used;
            if (room == 0)
            {
                Drain();
                room = _buffer.Length;
            }
            int take = Math.Min(room, bytes.Length);
            bytes[..take].CopyTo(_buffer.AsSpan(_used));
            _used += take;
            bytes = bytes[take..];
        }
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _used < count)
            Drain();
        Span<byte> span = _buffer.AsSpan(_used, count);
        _used += count;
        return span;
    }

    private void Drain()
    {
        _hash.Append(_buffer.AsSpan(0, _used));
        output.Write(_buffer, 0, _used);
        Written += _used;
        _used = 0;
    }
}
