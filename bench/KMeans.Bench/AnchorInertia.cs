using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace KMeans.Bench;

/// <summary>
/// The anchors' quality metric (/work/shared/anchors/inertia.py): every row of the data file against its globally
/// nearest centroid, summed in float64. Flat and hierarchical centroids are scored by the same code, so that the
/// hierarchical trainer's own loss (each row scored only within its tree node, an upper bound) is not compared with
/// flat Lloyd's.
/// </summary>
internal static class AnchorInertia
{
    public const string Script = "/work/shared/anchors/inertia.py";

    /// <summary>Inertia / n of <paramref name="centroids"/> (K × d, row-major) over the data file.</summary>
    public static double PerRow(DatasetFile data, float[] centroids, string label)
    {
        if (!File.Exists(Script))
            throw new BenchUsageException($"{Script} is missing: the hierarchical scenario scores centroids with the anchors' inertia.");
        string directory = Directory.CreateTempSubdirectory("scale-inertia-").FullName;
        try
        {
            string path = Path.Combine(directory, label + ".f32");
            File.WriteAllBytes(path, MemoryMarshal.AsBytes(centroids.AsSpan()).ToArray());
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(Script);
            start.ArgumentList.Add(data.DataPath);
            start.ArgumentList.Add(path);
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start /usr/bin/python3.");
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{Script} {data.DataPath} {path} exited with code {process.ExitCode}: {output}");
            using JsonDocument result = JsonDocument.Parse(output);
            return result.RootElement.GetProperty("inertia_per_n").GetDouble();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
