using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace KMeans.Core.Files;

/// <summary>
/// Walks the messages of an Arrow IPC stream by their length prefixes and checks that every metadata and body length
/// fits in the file, before the Arrow library allocates buffers of those sizes: a damaged length such as 0x7FFFFFFF
/// would otherwise cost a 2 GB allocation (or an OutOfMemoryException) instead of a clear error. The same walk sums
/// the rows of its record batches: with the count known, a stream is sampled as a file of the same rows is (selection
/// sampling), not by a reservoir, so the same seed picks the same rows in every format.
/// </summary>
internal static class ArrowStreamFraming
{
    private const uint ContinuationMarker = 0xFFFFFFFF;
    private const int MessageBodyLengthField = 3;

    /// <summary>Checks the stream's framing and returns its rows.</summary>
    public static long CheckAndCountRows(string path)
    {
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = RandomAccess.GetLength(file);
        long offset = 0;
        long rows = 0;
        Span<byte> prefix = stackalloc byte[8];
        if (RandomAccess.Read(file, prefix, 0) >= 6 && prefix[..6].SequenceEqual("ARROW1"u8))
            throw Damaged(path, "it is an Arrow IPC file, not an Arrow IPC stream; give it the extension .arrow.");
        for (int message = 0; offset < length; message++)
        {
            if (RandomAccess.Read(file, prefix, offset) < 4)
                throw Damaged(path, $"the stream ends inside the length of message {message}; it is truncated.");
            uint first = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
            // Streams written before Arrow 0.15 have no continuation marker: the length comes first.
            long metadataLength = first == ContinuationMarker ? BinaryPrimitives.ReadInt32LittleEndian(prefix[4..]) : (int)first;
            offset += first == ContinuationMarker ? 8 : 4;
            if (metadataLength == 0)
                return rows;
            if (metadataLength < 0 || metadataLength > length - offset)
                throw Damaged(path, $"message {message} claims {metadataLength} bytes of metadata, but only {Math.Max(0, length - offset)} bytes remain.");
            var metadata = new byte[metadataLength];
            if (RandomAccess.Read(file, metadata, offset) < metadataLength)
                throw Damaged(path, $"the stream ends inside the metadata of message {message}; it is truncated.");
            long bodyLength;
            long? batchRows;
            try
            {
                FlatBufferTable root = FlatBufferTable.Root(metadata);
                bodyLength = root.GetInt64(MessageBodyLengthField);
                batchRows = ArrowFileFooter.RecordBatchRows(root);
            }
            catch (FormatException e)
            {
                throw VectorFileErrors.Invalid(path, $"the metadata of message {message} is damaged ({e.Message}).", e);
            }
            offset += metadataLength;
            if (bodyLength < 0 || bodyLength > length - offset)
                throw Damaged(path, $"message {message} claims a body of {bodyLength} bytes, but only {length - offset} bytes remain.");
            if (batchRows < 0)
                throw Damaged(path, $"message {message} claims {batchRows} rows.");
            rows += batchRows ?? 0;
            offset += bodyLength;
        }
        return rows;
    }

    private static KMeansException Damaged(string path, string problem) => VectorFileErrors.Invalid(path, problem);
}
