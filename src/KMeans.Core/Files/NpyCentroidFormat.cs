using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace KMeans.Core.Files;

/// <summary>
/// Centroids as a NumPy <c>.npy</c> array of shape (K, Dimension): written as version 1.0, float32 little-endian,
/// C order, which numpy.load (and so FAISS) reads directly. The format has no room for sizes or parameters, so reading
/// gives zero sizes and default metadata; it accepts float32 and float64 of either byte order, C or Fortran order, and
/// format versions 1.0 to 3.0.
/// </summary>
internal static partial class NpyCentroidFormat
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // numpy aligns the start of the data to 64 bytes so that it can be memory-mapped.
    private const int HeaderAlignment = 64;
    private const int RowsPerChunk = 256;

    public static void Write(Stream stream, CentroidSet set, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        stream.Write(Header(set.K, set.Dimension));
        int rowBytes = set.Dimension * sizeof(float);
        byte[] chunk = new byte[Math.Min(set.K, RowsPerChunk) * rowBytes];
        for (int first = 0; first < set.K; first += RowsPerChunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(RowsPerChunk, set.K - first);
            ReadOnlySpan<float> values = set.Values.AsSpan(first * set.Dimension, rows * set.Dimension);
            for (int i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(chunk.AsSpan(i * sizeof(float)), values[i]);
            stream.Write(chunk, 0, rows * rowBytes);
        }
    }

    public static CentroidSet Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        NpyHeader header = ReadHeader(path, stream);
        long expectedBytes = (long)header.Rows * header.Columns * header.ItemSize;
        long actualBytes = stream.Length - stream.Position;
        if (actualBytes < expectedBytes)
            throw CentroidFileErrors.Invalid(path,
                $"its header promises a {header.Rows} × {header.Columns} array ({expectedBytes} bytes of data), but only {actualBytes} bytes follow; the file is truncated.");
        if (actualBytes > expectedBytes)
            throw CentroidFileErrors.Invalid(path,
                $"{actualBytes - expectedBytes} bytes follow the {header.Rows} × {header.Columns} array its header describes.");

        var values = new float[header.Rows * header.Columns];
        byte[] chunk = new byte[64 * 1024 - 64 * 1024 % header.ItemSize];
        long next = 0;
        while (next < values.Length)
        {
            int items = (int)Math.Min(chunk.Length / header.ItemSize, values.Length - next);
            stream.ReadExactly(chunk, 0, items * header.ItemSize);
            for (int i = 0; i < items; i++, next++)
            {
                // Fortran order stores column after column: the next item belongs to the next row.
                long index = header.FortranOrder
                    ? next % header.Rows * header.Columns + next / header.Rows
                    : next;
                values[index] = header.Decode(chunk.AsSpan(i * header.ItemSize, header.ItemSize));
            }
        }

        return new CentroidSet(header.Rows, header.Columns, values, new long[header.Rows]);
    }

    private static byte[] Header(int rows, int columns)
    {
        string dictionary = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        int prefix = Magic.Length + 2 + sizeof(ushort);
        int padded = (prefix + dictionary.Length + 1 + HeaderAlignment - 1) / HeaderAlignment * HeaderAlignment;
        string text = dictionary.PadRight(padded - prefix - 1) + "\n";
        byte[] header = new byte[padded];
        Magic.CopyTo(header, 0);
        header[Magic.Length] = 1;
        header[Magic.Length + 1] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(Magic.Length + 2), (ushort)text.Length);
        Encoding.ASCII.GetBytes(text, header.AsSpan(prefix));
        return header;
    }

    private static NpyHeader ReadHeader(string path, Stream stream)
    {
        Span<byte> start = stackalloc byte[Magic.Length + 2];
        if (stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) < start.Length
            || !start[..Magic.Length].SequenceEqual(Magic))
            throw CentroidFileErrors.Invalid(path, "it does not start with the NumPy magic string \\x93NUMPY: it is not a .npy file.");
        byte major = start[Magic.Length];
        if (major is < 1 or > 3)
            throw CentroidFileErrors.Invalid(path, $"it is .npy format version {major}.{start[Magic.Length + 1]}; versions 1.0 to 3.0 are supported.");

        // Version 1.0 stores the header length in 2 bytes, later versions in 4.
        Span<byte> lengthBytes = stackalloc byte[major == 1 ? 2 : 4];
        if (stream.ReadAtLeast(lengthBytes, lengthBytes.Length, throwOnEndOfStream: false) < lengthBytes.Length)
            throw CentroidFileErrors.Invalid(path, "the file ends inside its .npy header; it is truncated.");
        long headerLength = major == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes)
            : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (headerLength > stream.Length - stream.Position)
            throw CentroidFileErrors.Invalid(path, "the file ends inside its .npy header; it is truncated.");
        byte[] headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        return ParseHeader(path, header);
    }

    private static NpyHeader ParseHeader(string path, string header)
    {
        Match descr = DescrPattern().Match(header);
        Match fortran = FortranOrderPattern().Match(header);
        Match shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw CentroidFileErrors.Invalid(path,
                $"its .npy header '{header.Trim()}' lacks 'descr', 'fortran_order' or 'shape'.");

        string dtype = descr.Groups[1].Value;
        int itemSize = dtype switch
        {
            "<f4" or ">f4" => sizeof(float),
            "<f8" or ">f8" => sizeof(double),
            _ => throw CentroidFileErrors.Invalid(path,
                $"its data type is '{dtype}'; centroids must be float32 ('<f4') or float64 ('<f8')."),
        };

        string[] dimensions = shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (dimensions.Length != 2)
            throw CentroidFileErrors.Invalid(path,
                $"its array has shape ({shape.Groups[1].Value}); centroids must be a 2-D array of shape (K, dimension).");
        int rows = ParseExtent(path, dimensions[0], "K");
        int columns = ParseExtent(path, dimensions[1], "dimension");
        if ((long)rows * columns > Array.MaxLength)
            throw CentroidFileErrors.Invalid(path, $"its {rows} × {columns} array has more values than one array can hold ({Array.MaxLength}).");
        return new NpyHeader(rows, columns, itemSize, dtype[0] == '>', fortran.Groups[1].Value == "True");
    }

    private static int ParseExtent(string path, string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int extent) && extent >= 1
            ? extent
            : throw CentroidFileErrors.Invalid(path, $"its shape gives {name} = {text}; it must be a whole number of at least 1.");

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranOrderPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();

    private readonly record struct NpyHeader(int Rows, int Columns, int ItemSize, bool BigEndian, bool FortranOrder)
    {
        public float Decode(ReadOnlySpan<byte> item) => (ItemSize, BigEndian) switch
        {
            (sizeof(float), false) => BinaryPrimitives.ReadSingleLittleEndian(item),
            (sizeof(float), true) => BinaryPrimitives.ReadSingleBigEndian(item),
            (_, false) => (float)BinaryPrimitives.ReadDoubleLittleEndian(item),
            (_, true) => (float)BinaryPrimitives.ReadDoubleBigEndian(item),
        };
    }
}
