using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace KMeans.Bench;

/// <summary>
/// The comparison's quality metric (bench/compare/inertia.py): every row of the data file against its globally
/// nearest centroid, summed in float64. Flat and hierarchical centroids are scored by the same code, so that the
/// hierarchical trainer's own loss (each row scored only within its tree node, an upper bound) is not compared with
/// flat Lloyd's.
/// </summary>
internal static class AnchorInertia
{
    /// <summary>Inertia / n of <paramref name="centroids"/> (K × d, row-major) over the data file.</summary>
    public static double PerRow(DatasetFile data, float[] centroids, string label)
    {
        string script = ComparisonScripts.Inertia;
        string directory = Directory.CreateTempSubdirectory("scale-inertia-").FullName;
        try
        {
            string path = Path.Combine(directory, label + ".f32");
            File.WriteAllBytes(path, MemoryMarshal.AsBytes(centroids.AsSpan()).ToArray());
            var start = new ProcessStartInfo(ComparisonScripts.Python) { RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(data.DataPath);
            start.ArgumentList.Add(path);
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + ComparisonScripts.Python + ".");
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{script} {data.DataPath} {path} exited with code {process.ExitCode}: {output}");
            using JsonDocument result = JsonDocument.Parse(output);
            return result.RootElement.GetProperty("inertia_per_n").GetDouble();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
