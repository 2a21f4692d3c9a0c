using KMeans.Core.Files;
using KMeans.Core.SampleData;

namespace KMeans.Bench;

/// <summary>
/// A uniform float32 .npy file of a given shape in the data directory, written once by the core's own generator and
/// writer (streaming, atomic) and reused by later runs: <c>uniform-ROWSxDIMENSION.npy</c>.
/// </summary>
internal static class ScaleDataFile
{
    public const int Seed = 20_261_124;

    public static string PathFor(string directory, long rows, int dimension) =>
        Path.GetFullPath(Path.Combine(directory, $"uniform-{rows}x{dimension}.npy"));

    public static string Ensure(string directory, long rows, int dimension)
    {
        Directory.CreateDirectory(directory);
        string path = PathFor(directory, rows, dimension);
        long payload = rows * dimension * sizeof(float);
        if (File.Exists(path) && new FileInfo(path).Length > payload)
            return path;
        Console.Error.WriteLine($"  writing {path} ({payload / (1024.0 * 1024 * 1024):F1} GiB, once; later runs reuse it)");
        using var source = new UniformVectorSource(rows, dimension, Seed);
        VectorFileWriter.Write(source, path, VectorFileFormat.Npy, CancellationToken.None);
        return path;
    }
}
