using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace KMeans.Core.Training.Checkpoints;

/// <summary>
/// Reads the fields <see cref="CheckpointWriter"/> wrote, checking every length against the bytes left before it
/// allocates, so a damaged length fails with a clear message instead of a huge allocation or a read past the end.
/// </summary>
internal sealed class CheckpointReader(Stream input, long length, Func<string, Exception> damaged)
{
    private readonly byte[] _scalar = new byte[8];

    public long Remaining { get; private set; } = length;

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Scalar(4));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Scalar(8));

    public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Scalar(8));

    public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Scalar(8));

    public bool Boolean() => Scalar(1)[0] switch
    {
        0 => false,
        1 => true,
        var other => throw damaged($"a flag holds {other}, not 0 or 1"),
    };

    public string String()
    {
        int count = Count(Int32(), 1, "text");
        var bytes = new byte[count];
        Fill(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    public float[] Floats(long expected, string what)
    {
        long count = Int64();
        if (count != expected)
            throw damaged($"{what} holds {count} values, not {expected}");
        var values = new float[Count(count, sizeof(float), what)];
        Fill(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    public long[] Int64s(long expected, string what)
    {
        long count = Int64();
        if (count != expected)
            throw damaged($"{what} holds {count} values, not {expected}");
        var values = new long[Count(count, sizeof(long), what)];
        Fill(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>A count read from the file, checked to be ≥ 0 and to fit the bytes that are left.</summary>
    public int Count(long count, int bytesEach, string what)
    {
        if (count < 0 || count > Remaining / bytesEach || count > Array.MaxLength)
            throw damaged($"{what} claims {count} entries of {bytesEach} bytes, but {Remaining} bytes are left");
        return (int)count;
    }

    private ReadOnlySpan<byte> Scalar(int count)
    {
        Span<byte> span = _scalar.AsSpan(0, count);
        Fill(span);
        return span;
    }

    private void Fill(Span<byte> target)
    {
        if (target.Length > Remaining)
            throw damaged($"it ends {target.Length - Remaining} bytes early");
        input.ReadExactly(target);
        Remaining -= target.Length;
    }
}
