using System.Buffers.Binary;

namespace KMeans.Core.Files;

/// <summary>
/// Walks the Thrift compact-protocol metadata at the end of a Parquet file before Parquet.Net parses it, and refuses a
/// footer whose structure cannot be whole: a list, map or binary longer than the bytes left, an unknown field type,
/// nesting deeper than any Parquet schema, or metadata that runs past its end. Parquet.Net trusts those lengths, and
/// a damaged one makes it skip fields for minutes; every element takes at least one byte, so a count larger than the
/// bytes left proves the damage without reading further.
/// </summary>
internal static class ParquetFooterCheck
{
    private const int TailLength = 8; // the metadata's length (int32, little-endian), then "PAR1"
    private const int MaxDepth = 64;

    public static void Validate(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        if (file.Length < 4 + TailLength)
            throw VectorFileErrors.Invalid(path, $"it has {file.Length} bytes, too few for a Parquet file.");
        Span<byte> tail = stackalloc byte[TailLength];
        file.Seek(-TailLength, SeekOrigin.End);
        file.ReadExactly(tail);
        if (!tail[4..].SequenceEqual("PAR1"u8))
            throw VectorFileErrors.Invalid(path, "it does not end with the Parquet magic bytes 'PAR1'.");
        int length = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (length <= 0 || length > file.Length - 4 - TailLength)
            throw VectorFileErrors.Invalid(path,
                $"its footer claims {length} bytes of metadata, but the file holds {file.Length - 4 - TailLength} bytes before it.");
        var metadata = new byte[length];
        file.Seek(-TailLength - length, SeekOrigin.End);
        file.ReadExactly(metadata);
        var walker = new Walker(metadata);
        if (!walker.TryStruct(0, out string? problem) || (problem = walker.Remainder()) is not null)
            throw VectorFileErrors.Invalid(path, $"its metadata (footer) is damaged: {problem}");
    }

    private ref struct Walker(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public readonly string? Remainder() => _position == _bytes.Length ? null
            : $"{_bytes.Length - _position} bytes follow the end of the metadata.";

        public bool TryStruct(int depth, out string? problem)
        {
            if (depth > MaxDepth)
            {
                problem = $"structures nest deeper than {MaxDepth} levels.";
                return false;
            }
            while (true)
            {
                if (!TryByte(out byte header, out problem))
                    return false;
                if (header == 0)
                    return true;
                int type = header & 0x0F;
                if (header >> 4 == 0 && !TryVarint(out _, out problem)) // a field id given in full
                    return false;
                if (!TryValue(type, depth, out problem))
                    return false;
            }
        }

        private bool TryValue(int type, int depth, out string? problem)
        {
            problem = null;
            switch (type)
            {
                case 1 or 2: // boolean true / false, held in the type itself
                    return true;
                case 3: // byte
                    return TrySkip(1, out problem);
                case 4 or 5 or 6: // i16, i32, i64
                    return TryVarint(out _, out problem);
                case 7: // double
                    return TrySkip(8, out problem);
                case 8: // binary
                    return TryVarint(out ulong size, out problem) && TrySkip(size, out problem);
                case 9 or 10: // list, set
                    return TryList(depth, out problem);
                case 11: // map
                    return TryMap(depth, out problem);
                case 12: // struct
                    return TryStruct(depth + 1, out problem);
                default:
                    problem = $"byte {_position - 1} names field type {type}, which Thrift does not have.";
                    return false;
            }
        }

        private bool TryList(int depth, out string? problem)
        {
            if (!TryByte(out byte header, out problem))
                return false;
            ulong count = (ulong)(header >> 4);
            if (count == 15 && !TryVarint(out count, out problem))
                return false;
            int elementType = header & 0x0F;
            // In a list a boolean is one byte (type 1).
            if (!TryCount(count, out problem))
                return false;
            for (ulong i = 0; i < count; i++)
            {
                if (elementType is 1 or 2 ? !TrySkip(1, out problem) : !TryValue(elementType, depth, out problem))
                    return false;
            }
            return true;
        }

        private bool TryMap(int depth, out string? problem)
        {
            if (!TryVarint(out ulong count, out problem))
                return false;
            if (count == 0)
                return true;
            if (!TryByte(out byte types, out problem) || !TryCount(count, out problem))
                return false;
            for (ulong i = 0; i < count; i++)
            {
                if (!TryValue(types >> 4, depth, out problem) || !TryValue(types & 0x0F, depth, out problem))
                    return false;
            }
            return true;
        }

        private readonly bool TryCount(ulong count, out string? problem)
        {
            problem = count > (ulong)(_bytes.Length - _position)
                ? $"a list or map at byte {_position} claims {count} elements, but only {_bytes.Length - _position} bytes remain."
                : null;
            return problem is null;
        }

        private bool TrySkip(ulong size, out string? problem)
        {
            if (size > (ulong)(_bytes.Length - _position))
            {
                problem = $"a value at byte {_position} claims {size} bytes, but only {_bytes.Length - _position} remain.";
                return false;
            }
            _position += (int)size;
            problem = null;
            return true;
        }

        private bool TryByte(out byte value, out string? problem)
        {
            if (_position >= _bytes.Length)
            {
                value = 0;
                problem = "the metadata ends in the middle of a structure.";
                return false;
            }
            value = _bytes[_position++];
            problem = null;
            return true;
        }

        private bool TryVarint(out ulong value, out string? problem)
        {
            value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (!TryByte(out byte next, out problem))
                    return false;
                value |= (ulong)(next & 0x7F) << shift;
                if ((next & 0x80) == 0)
                    return true;
            }
            problem = $"a number at byte {_position} is longer than 10 bytes.";
            return false;
        }
    }
}
