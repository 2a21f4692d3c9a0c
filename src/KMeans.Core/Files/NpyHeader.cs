using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace KMeans.Core.Files;

/// <summary>
/// The header of a NumPy <c>.npy</c> file (format versions 1, 2 and 3): element type, memory order, shape and where
/// the data starts. Only little-endian 2-D float16/32/64 arrays are accepted.
/// </summary>
internal sealed record NpyHeader(int ElementSize, bool FortranOrder, long Rows, int Columns, long DataOffset)
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int HeaderAlignment = 64;

    /// <summary>NumPy itself writes headers of a few hundred bytes; anything near this is a damaged length field.</summary>
    private const int MaxHeaderLength = 1 << 20;

    public static NpyHeader Read(SafeFileHandle file, string path)
    {
        Dictionary<string, object> header = ReadDictionary(file, path, out long fileLength, out long dataOffset);
        int elementSize = ParseDescr(Require(header, "descr", path), path);
        bool fortran = Require(header, "fortran_order", path) as bool? ?? throw BadHeader(path, "'fortran_order' is not True or False");
        (long rows, int columns) = ParseShape(Require(header, "shape", path), path);
        if (rows > (fileLength - dataOffset) / columns / elementSize)
            throw VectorFileErrors.Invalid(path,
                $"its header promises a {rows} × {columns} array of {elementSize}-byte values, but only {fileLength - dataOffset} bytes follow the header; it is probably truncated.");
        return new NpyHeader(elementSize, fortran, rows, columns, dataOffset);
    }

    /// <summary>
    /// The rows of the 2-D array the header declares, its element type, order and data left unchecked: what a reader
    /// that refuses the file can still count.
    /// </summary>
    public static long DeclaredRows(SafeFileHandle file, string path) =>
        ParseShape(Require(ReadDictionary(file, path, out _, out _), "shape", path), path).Rows;

    private static Dictionary<string, object> ReadDictionary(SafeFileHandle file, string path, out long fileLength, out long dataOffset)
    {
        fileLength = RandomAccess.GetLength(file);
        Span<byte> prelude = stackalloc byte[12];
        int read = RandomAccess.Read(file, prelude, 0);
        if (read < 10 || !prelude[..6].SequenceEqual(Magic))
            throw VectorFileErrors.Invalid(path, "it does not start with the NumPy magic '\\x93NUMPY'.");
        int major = prelude[6];
        (int lengthBytes, Encoding encoding) = major switch
        {
            1 => (2, Encoding.Latin1),
            2 => (4, Encoding.Latin1),
            3 => (4, Encoding.UTF8),
            _ => throw VectorFileErrors.Unsupported(path, $".npy format version {major}.{prelude[7]} is not supported (only 1.x, 2.x and 3.x)."),
        };
        if (read < 8 + lengthBytes)
            throw VectorFileErrors.Truncated(path, 8 + lengthBytes, fileLength);
        long headerLength = lengthBytes == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(prelude[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(prelude[8..]);
        dataOffset = 8 + lengthBytes + headerLength;
        if (headerLength > MaxHeaderLength)
            throw VectorFileErrors.Invalid(path, $"its header claims {headerLength} bytes, far more than any NumPy header; the length field is damaged.");
        if (dataOffset > fileLength)
            throw VectorFileErrors.Invalid(path, $"its header claims {headerLength} bytes, but the file ends after {fileLength - 8 - lengthBytes}; it is probably truncated.");
        var text = new byte[headerLength];
        RandomAccess.Read(file, text, 8 + lengthBytes);
        return ParseDictionary(encoding.GetString(text), path);
    }

    /// <summary>
    /// A version 1.0 header for a C-order float32 array. Its length does not depend on <paramref name="rows"/>, so a
    /// writer that learns the row count only at the end can write a placeholder first and overwrite it in place.
    /// </summary>
    public static byte[] FormatFloat32(long rows, int columns) => Format("<f4", rows, columns);

    /// <summary>
    /// A header for a C-order array of <paramref name="descr"/> values, <paramref name="rows"/> × <paramref name="columns"/>
    /// (one-dimensional when <paramref name="columns"/> is null), padded so that any row count fits the same length.
    /// </summary>
    public static byte[] Format(string descr, long rows, int? columns)
    {
        string shape = columns is int c ? $"({rows}, {c})" : $"({rows},)";
        string dictionary = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int unpadded = Magic.Length + 2 + 2 + dictionary.Length + 1;
        int maxUnpadded = unpadded - rows.ToString(CultureInfo.InvariantCulture).Length + long.MaxValue.ToString(CultureInfo.InvariantCulture).Length;
        int total = (maxUnpadded + HeaderAlignment - 1) / HeaderAlignment * HeaderAlignment;
        string text = dictionary.PadRight(total - Magic.Length - 4 - 1) + "\n";
        var bytes = new byte[total];
        Magic.CopyTo(bytes);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)text.Length);
        Encoding.Latin1.GetBytes(text, bytes.AsSpan(10));
        return bytes;
    }

    private static int ParseDescr(object descr, string path)
    {
        if (descr is not string dtype)
            throw VectorFileErrors.Unsupported(path, "it holds a structured array (its 'descr' is a list of fields); only plain float arrays are supported.");
        if (dtype.Length >= 2 && dtype[0] == '>' && dtype[1..] is "f2" or "f4" or "f8")
            throw VectorFileErrors.Unsupported(path, $"its dtype '{dtype}' is big-endian; only little-endian ('<f2', '<f4', '<f8') arrays are supported. Convert it with array.astype('<f4').");
        // '=' and '|' (byte order not applicable), or no prefix, are the writer's native order, which numpy reads as this
        // machine's: little-endian on every platform the module runs on.
        string littleEndian = dtype switch
        {
            ['=' or '|', .. var type] => "<" + type,
            ['f', ..] => "<" + dtype,
            _ => dtype,
        };
        return littleEndian switch
        {
            "<f2" => 2,
            "<f4" => 4,
            "<f8" => 8,
            _ => throw VectorFileErrors.Unsupported(path, $"its dtype '{dtype}' is not supported; vectors must be float16, float32 or float64 ('<f2', '<f4', '<f8')."),
        };
    }

    private static (long Rows, int Columns) ParseShape(object shape, string path)
    {
        if (shape is not List<object> dimensions || dimensions.Any(d => d is not long))
            throw BadHeader(path, "'shape' is not a tuple of integers");
        string shown = "(" + string.Join(", ", dimensions) + (dimensions.Count == 1 ? ",)" : ")");
        if (dimensions.Count != 2)
            throw VectorFileErrors.Unsupported(path, $"its array has shape {shown}; a vector file must hold a 2-D array (rows, dimension).");
        long rows = (long)dimensions[0], columns = (long)dimensions[1];
        if (columns < 1 || columns > int.MaxValue || rows < 0)
            throw VectorFileErrors.Unsupported(path, $"its array has shape {shown}; the dimension must be between 1 and {int.MaxValue}.");
        return (rows, (int)columns);
    }

    private static object Require(Dictionary<string, object> header, string key, string path) =>
        header.TryGetValue(key, out object? value) ? value : throw BadHeader(path, $"the key '{key}' is missing");

    private static KMeansException BadHeader(string path, string problem) =>
        VectorFileErrors.Invalid(path, $"its .npy header is malformed: {problem}.");

    /// <summary>Parses the Python literal dictionary NumPy writes (strings, integers, booleans, None, tuples, lists).</summary>
    private static Dictionary<string, object> ParseDictionary(string text, string path)
    {
        int position = 0;
        object? value = ParseValue(text, ref position, path);
        SkipSpace(text, ref position);
        if (value is not Dictionary<string, object> dictionary || position != text.Length)
            throw BadHeader(path, "it is not a single Python dictionary literal");
        return dictionary;
    }

    private static object? ParseValue(string text, ref int position, string path)
    {
        SkipSpace(text, ref position);
        if (position >= text.Length)
            throw BadHeader(path, "it ends unexpectedly");
        char c = text[position];
        switch (c)
        {
            case '{':
                position++;
                return ParseDictionaryBody(text, ref position, path);
            case '(':
            case '[':
                position++;
                return ParseListBody(text, ref position, c == '(' ? ')' : ']', path);
            case '\'':
            case '"':
                int end = text.IndexOf(c, position + 1);
                if (end < 0)
                    throw BadHeader(path, "a string is not terminated");
                string s = text[(position + 1)..end];
                position = end + 1;
                return s;
            default:
                int start = position;
                while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] is '_' or '-' or '+'))
                    position++;
                string token = text[start..position];
                if (token == "True")
                    return true;
                if (token == "False")
                    return false;
                if (token == "None")
                    return null;
                if (long.TryParse(token.TrimEnd('L'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
                    return number;
                throw BadHeader(path, $"'{(token.Length > 0 ? token : c.ToString())}' at character {start} is not a value");
        }
    }

    private static Dictionary<string, object> ParseDictionaryBody(string text, ref int position, string path)
    {
        var dictionary = new Dictionary<string, object>(StringComparer.Ordinal);
        while (!AtClose(text, ref position, '}'))
        {
            if (ParseValue(text, ref position, path) is not string key)
                throw BadHeader(path, "a dictionary key is not a string");
            SkipSpace(text, ref position);
            if (position >= text.Length || text[position] != ':')
                throw BadHeader(path, $"':' is missing after the key '{key}'");
            position++;
            dictionary[key] = ParseValue(text, ref position, path)!;
            SkipSeparator(text, ref position, '}', path);
        }
        return dictionary;
    }

    private static List<object> ParseListBody(string text, ref int position, char close, string path)
    {
        var items = new List<object>();
        while (!AtClose(text, ref position, close))
        {
            items.Add(ParseValue(text, ref position, path)!);
            SkipSeparator(text, ref position, close, path);
        }
        return items;
    }

    private static bool AtClose(string text, ref int position, char close)
    {
        SkipSpace(text, ref position);
        if (position >= text.Length || text[position] != close)
            return false;
        position++;
        return true;
    }

    private static void SkipSeparator(string text, ref int position, char close, string path)
    {
        SkipSpace(text, ref position);
        if (position < text.Length && text[position] == ',')
            position++;
        else if (position >= text.Length || text[position] != close)
            throw BadHeader(path, $"'{close}' or ',' expected at character {position}");
    }

    private static void SkipSpace(string text, ref int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
            position++;
    }
}
