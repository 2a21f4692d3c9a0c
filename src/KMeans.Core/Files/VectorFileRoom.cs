using System.Globalization;

namespace KMeans.Core.Files;

/// <summary>
/// Whether a vector file of a known shape can fit where it is to be written: the fewest bytes its format can take for
/// those rows against the free space there, so that a file that cannot fit is refused before it fills the disk (a
/// mistyped -Rows wrote 8 GB of a shared disk in two minutes before the write failed).
/// </summary>
public static class VectorFileRoom
{
    public static void Check(string path, VectorFileFormat format, long rows, int dimension)
    {
        Int128 least = LeastBytes(format, rows, dimension);
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        long free = new DriveInfo(directory).AvailableFreeSpace;
        if (least > free)
            throw new KMeansException(KMeansErrorKind.InsufficientDiskSpace, string.Create(CultureInfo.InvariantCulture,
                $"{rows:N0} vectors of dimension {dimension} take at least {least:N0} bytes as {format}, but '{directory}' has only {free:N0} bytes free. Write fewer rows, or write them elsewhere."),
                path);
    }

    /// <summary>
    /// The values alone at the format's width, and .fvecs and .bvecs rows' 4-byte dimension: headers only add to it.
    /// Parquet counts one byte a value, as its pages may be compressed (float32 noise shrinks far less than that).
    /// </summary>
    internal static Int128 LeastBytes(VectorFileFormat format, long rows, int dimension) => format switch
    {
        VectorFileFormat.Bvecs => (Int128)rows * (dimension + 4L),
        VectorFileFormat.Fvecs => (Int128)rows * (4L * dimension + 4),
        VectorFileFormat.Parquet => (Int128)rows * dimension,
        _ => (Int128)rows * dimension * sizeof(float),
    };
}
