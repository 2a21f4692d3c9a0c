using System.Buffers.Binary;
using System.IO.Compression;

namespace KMeans.Bench;

/// <summary>
/// The Fashion-MNIST training images (60,000 × 784 pixels, 0–255) from Debian's dataset-fashion-mnist package, as
/// float rows: the real, non-uniform 784-d data the reduced-dimension targets are set on.
/// </summary>
internal static class FashionMnist
{
    public const string DefaultPath = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";

    public static float[][] Load(string path)
    {
        if (!File.Exists(path))
            throw new BenchUsageException($"{path} is missing. Install it: apt-get install -y dataset-fashion-mnist");
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new BinaryReader(gzip);
        Span<byte> header = stackalloc byte[16];
        reader.BaseStream.ReadExactly(header);
        // IDX3: magic 0x00000803, then image count, rows and columns, big-endian.
        if (BinaryPrimitives.ReadInt32BigEndian(header) != 0x803)
            throw new BenchUsageException($"{path} is not an IDX3 image file.");
        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        int pixels = BinaryPrimitives.ReadInt32BigEndian(header[8..]) * BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        var rows = new float[count][];
        var image = new byte[pixels];
        for (int i = 0; i < count; i++)
        {
            reader.BaseStream.ReadExactly(image);
            rows[i] = Array.ConvertAll(image, value => (float)value);
        }
        return rows;
    }
}
