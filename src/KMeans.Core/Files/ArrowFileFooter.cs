using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace KMeans.Core.Files;

/// <summary>
/// Counts the rows of an Arrow IPC file from its footer and the record batch message headers alone, without reading
/// any column data: the footer lists every record batch block, and each block's header records its row count. The
/// Arrow library does not expose these, so this reads the few FlatBuffers fields it needs itself.
/// </summary>
internal static class ArrowFileFooter
{
    private static ReadOnlySpan<byte> Magic => "ARROW1"u8;
    private const int BlockSize = 24;
    private const int RecordBatchBlocksField = 3;
    private const int MessageHeaderTypeField = 1;
    private const int MessageHeaderField = 2;
    private const byte RecordBatchHeaderType = 3;
    private const int RecordBatchLengthField = 0;
    private const uint ContinuationMarker = 0xFFFFFFFF;

    /// <summary>
    /// Throws <see cref="FormatException"/> describing what is wrong when the file is not a well-formed Arrow file, and
    /// <see cref="NotSupportedException"/> for the legacy Feather version 1 format.
    /// </summary>
    public static long CountRows(SafeFileHandle file)
    {
        long fileLength = RandomAccess.GetLength(file);
        Span<byte> start = stackalloc byte[8];
        ReadExactly(file, start, 0, "the file magic");
        if (start[..4].SequenceEqual("FEA1"u8))
            throw new NotSupportedException("it is a Feather version 1 file; only Feather version 2 (Arrow IPC) is supported. Re-save it with a current Arrow library.");
        if (!start[..6].SequenceEqual(Magic))
        {
            throw new FormatException(BinaryPrimitives.ReadUInt32LittleEndian(start) == ContinuationMarker
                ? "it starts like an Arrow IPC stream, not an Arrow IPC file; give stream files the extension .arrows."
                : "it does not start with the Arrow file magic 'ARROW1'.");
        }
        if (fileLength < 8 + 4 + 6)
            throw new FormatException($"it is only {fileLength} bytes long, too short to hold an Arrow footer; it is probably truncated.");
        Span<byte> tail = stackalloc byte[10];
        ReadExactly(file, tail, fileLength - 10, "the footer length");
        if (!tail[4..].SequenceEqual(Magic))
            throw new FormatException("it does not end with the Arrow file magic 'ARROW1'; it is probably truncated.");
        int footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > fileLength - 8 - 10)
            throw new FormatException($"its footer length {footerLength} does not fit in the file.");
        var footer = new byte[footerLength];
        ReadExactly(file, footer, fileLength - 10 - footerLength, "the footer");

        ReadOnlySpan<byte> blocks;
        int count;
        try
        {
            blocks = FlatBufferTable.Root(footer).GetStructVector(RecordBatchBlocksField, BlockSize, out count);
        }
        catch (FormatException e)
        {
            throw new FormatException($"its footer is damaged ({e.Message})", e);
        }
        long rows = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> block = blocks.Slice(i * BlockSize, BlockSize);
            long offset = BinaryPrimitives.ReadInt64LittleEndian(block);
            int metadataLength = BinaryPrimitives.ReadInt32LittleEndian(block[8..]);
            long bodyLength = BinaryPrimitives.ReadInt64LittleEndian(block[16..]);
            if (offset < 8 || metadataLength < 8 || bodyLength < 0 || offset > fileLength - metadataLength
                || bodyLength > fileLength - offset - metadataLength)
                throw new FormatException($"record batch {i} lies outside the file (offset {offset}, {metadataLength} + {bodyLength} bytes).");
            rows += ReadBatchLength(file, offset, metadataLength, i);
        }
        return rows;
    }

    private static long ReadBatchLength(SafeFileHandle file, long offset, int metadataLength, int index)
    {
        var metadata = new byte[metadataLength];
        ReadExactly(file, metadata, offset, $"the header of record batch {index}");
        int prefix = BinaryPrimitives.ReadUInt32LittleEndian(metadata) == ContinuationMarker ? 8 : 4;
        long length;
        try
        {
            length = RecordBatchRows(FlatBufferTable.Root(metadata.AsSpan(prefix)))
                ?? throw new FormatException($"the footer's block {index} does not point at a record batch.");
        }
        catch (FormatException e)
        {
            throw new FormatException($"the header of record batch {index} is damaged ({e.Message})", e);
        }
        if (length < 0)
            throw new FormatException($"record batch {index} claims {length} rows.");
        return length;
    }

    /// <summary>The rows of a record batch message; null for another message (a schema or a dictionary batch).</summary>
    internal static long? RecordBatchRows(FlatBufferTable message) =>
        message.GetByte(MessageHeaderTypeField) == RecordBatchHeaderType && message.TryGetTable(MessageHeaderField, out FlatBufferTable header)
            ? header.GetInt64(RecordBatchLengthField)
            : null;

    private static void ReadExactly(SafeFileHandle file, Span<byte> destination, long offset, string what)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = RandomAccess.Read(file, destination[total..], offset + total);
            if (read == 0)
                throw new FormatException($"the file ends inside {what}; it is probably truncated.");
            total += read;
        }
    }
}
