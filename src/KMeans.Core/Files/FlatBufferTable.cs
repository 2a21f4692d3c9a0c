using System.Buffers.Binary;

namespace KMeans.Core.Files;

/// <summary>
/// Just enough of the FlatBuffers wire format to read scalar, table and struct-vector fields of Arrow's footer and
/// message headers. Every offset is bounds-checked, so a damaged buffer raises <see cref="FormatException"/>, never
/// reads out of range.
/// </summary>
internal readonly ref struct FlatBufferTable
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _position;
    private readonly int _vtable;
    private readonly int _vtableLength;

    private FlatBufferTable(ReadOnlySpan<byte> buffer, int position)
    {
        _buffer = buffer;
        _position = position;
        _vtable = checked(position - ReadInt32(buffer, position));
        _vtableLength = ReadUInt16(buffer, _vtable);
        if (_vtableLength < 4 || _vtable + _vtableLength > buffer.Length)
            throw new FormatException($"A FlatBuffers vtable at {_vtable} has an impossible length {_vtableLength}.");
    }

    /// <summary>The root table, whose position the buffer's first four bytes hold.</summary>
    public static FlatBufferTable Root(ReadOnlySpan<byte> buffer) => new(buffer, ReadOffset(buffer, 0));

    public long GetInt64(int field, long defaultValue = 0) =>
        FieldPosition(field) is int at ? BinaryPrimitives.ReadInt64LittleEndian(Slice(_buffer, at, 8)) : defaultValue;

    public byte GetByte(int field, byte defaultValue = 0) =>
        FieldPosition(field) is int at ? Slice(_buffer, at, 1)[0] : defaultValue;

    /// <summary>The sub-table a field points to; false when the field is absent.</summary>
    public bool TryGetTable(int field, out FlatBufferTable table)
    {
        table = FieldPosition(field) is int at ? new FlatBufferTable(_buffer, ReadOffset(_buffer, at)) : default;
        return table._vtableLength != 0;
    }

    /// <summary>The bytes of a vector of fixed-size structs (<paramref name="structSize"/> bytes each), empty when absent.</summary>
    public ReadOnlySpan<byte> GetStructVector(int field, int structSize, out int count)
    {
        count = 0;
        if (FieldPosition(field) is not int at)
            return default;
        int vector = ReadOffset(_buffer, at);
        count = ReadInt32(_buffer, vector);
        if (count < 0)
            throw new FormatException($"A FlatBuffers vector at {vector} has a negative length.");
        return Slice(_buffer, vector + 4, InBuffer((long)count * structSize));
    }

    private int? FieldPosition(int field)
    {
        int entry = 4 + 2 * field;
        if (entry + 2 > _vtableLength)
            return null;
        int offset = ReadUInt16(_buffer, _vtable + entry);
        return offset == 0 ? null : InBuffer((long)_position + offset);
    }

    private static int ReadOffset(ReadOnlySpan<byte> buffer, int at) =>
        InBuffer(at + (long)BinaryPrimitives.ReadUInt32LittleEndian(Slice(buffer, at, 4)));

    /// <summary>A position or length computed from damaged offsets can exceed any buffer; say so instead of overflowing.</summary>
    private static int InBuffer(long value) =>
        value is >= 0 and <= int.MaxValue
            ? (int)value
            : throw new FormatException($"A FlatBuffers offset or length ({value}) lies outside any buffer.");

    private static int ReadInt32(ReadOnlySpan<byte> buffer, int at) => BinaryPrimitives.ReadInt32LittleEndian(Slice(buffer, at, 4));

    private static int ReadUInt16(ReadOnlySpan<byte> buffer, int at) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(buffer, at, 2));

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> buffer, int at, int length)
    {
        if (at < 0 || length < 0 || at > buffer.Length - length)
            throw new FormatException($"A FlatBuffers field at {at} ({length} bytes) lies outside the {buffer.Length}-byte buffer.");
        return buffer.Slice(at, length);
    }
}
