using System.Buffers.Binary;
using System.Text;

namespace KMeans.Core.Tests.Files.Vectors;

/// <summary>Writes .npy and .fvecs files byte by byte, in layouts our own writer never produces.</summary>
internal static class RawTestFiles
{
    /// <summary>
    /// A .npy file with any dtype string and order; float64 data when the dtype ends in 8 (each value plus
    /// <paramref name="offset"/>, added in double), float32 otherwise.
    /// </summary>
    public static void Npy(string path, IReadOnlyList<float[]> rows, string descr = "<f4", bool fortran = false, int version = 1,
        long? declaredRows = null, double offset = 0)
    {
        int d = rows[0].Length;
        string dictionary = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': ({declaredRows ?? rows.Count}, {d}), }}";
        int lengthBytes = version == 1 ? 2 : 4;
        int unpadded = 8 + lengthBytes + dictionary.Length + 1;
        string text = dictionary.PadRight(dictionary.Length + (64 - unpadded % 64) % 64) + "\n";
        using var stream = File.Create(path);
        stream.WriteByte(0x93);
        stream.Write("NUMPY"u8);
        stream.WriteByte((byte)version);
        stream.WriteByte(0);
        var length = new byte[lengthBytes];
        if (version == 1)
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)text.Length);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)text.Length);
        stream.Write(length);
        stream.Write((version == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(text));
        bool bigEndian = descr[0] == '>';
        bool doubles = descr.EndsWith('8');
        IEnumerable<float> ordered = fortran
            ? Enumerable.Range(0, d).SelectMany(j => rows.Select(r => r[j]))
            : rows.SelectMany(r => r);
        foreach (float value in ordered)
        {
            var bytes = doubles ? BitConverter.GetBytes(value + offset) : BitConverter.GetBytes(value);
            if (bigEndian)
                System.Array.Reverse(bytes);
            stream.Write(bytes);
        }
    }

    public static void Fvecs(string path, IEnumerable<float[]> rows)
    {
        using var stream = File.Create(path);
        foreach (float[] row in rows)
        {
            stream.Write(BitConverter.GetBytes(row.Length));
            foreach (float value in row)
                stream.Write(BitConverter.GetBytes(value));
        }
    }
}
