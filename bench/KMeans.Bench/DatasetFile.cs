using System.Text.Json;

namespace KMeans.Bench;

/// <summary>
/// A workload's raw float32 file (<c>NAME.f32</c>, n × d little-endian, row-major, no header) and its sidecar
/// (<c>NAME.json</c>), checked against the workload's shape before anything is timed.
/// </summary>
internal sealed record DatasetFile(Workload Workload, string DataPath, string Sha256)
{
    public const string DefaultDirectory = "/tmp/kmeans-bench";

    public static DatasetFile Locate(Workload workload, string directory)
    {
        string data = Path.Combine(directory, workload.DatasetName + ".f32");
        string sidecar = Path.Combine(directory, workload.DatasetName + ".json");
        if (!File.Exists(data) || !File.Exists(sidecar))
            throw new BenchUsageException(MissingMessage(workload, directory, data));

        JsonElement meta;
        try
        {
            meta = JsonDocument.Parse(File.ReadAllBytes(sidecar)).RootElement;
        }
        catch (JsonException e)
        {
            throw new BenchUsageException($"{sidecar} is not valid JSON ({e.Message}). Regenerate it: {ComparisonScripts.GenerateCommand} --force {workload.DatasetName}");
        }
        long rows = ReadLong(meta, "n", sidecar);
        long dimension = ReadLong(meta, "d", sidecar);
        long k = ReadLong(meta, "k", sidecar);
        if (rows != workload.Rows || dimension != workload.Dimension || k != workload.K)
            throw new BenchUsageException(
                $"{sidecar} describes n={rows} d={dimension} k={k}, but {workload.Id} needs n={workload.Rows} " +
                $"d={workload.Dimension} k={workload.K}. Regenerate it: {ComparisonScripts.GenerateCommand} --force {workload.DatasetName}");
        long expectedBytes = workload.Rows * workload.Dimension * sizeof(float);
        long actualBytes = new FileInfo(data).Length;
        if (actualBytes != expectedBytes)
            throw new BenchUsageException(
                $"{data} holds {actualBytes:N0} bytes, but {workload.Rows:N0} rows × {workload.Dimension} float32 need " +
                $"{expectedBytes:N0}. Regenerate it: {ComparisonScripts.GenerateCommand} --force {workload.DatasetName}");
        string sha = meta.TryGetProperty("sha256", out JsonElement hash) ? hash.GetString() ?? "" : "";
        return new DatasetFile(workload, data, sha);
    }

    private static string MissingMessage(Workload workload, string directory, string data)
    {
        string dirOption = Path.GetFullPath(directory) == DefaultDirectory ? "" : $" --dir {directory}";
        return $"{data} (or its .json sidecar) is missing. Generate the workloads once with:{Environment.NewLine}" +
               $"  apt-get update && apt-get install -y python3-numpy python3-sklearn python3-faiss{Environment.NewLine}" +
               $"  {ComparisonScripts.GenerateCommand}{dirOption} {workload.DatasetName}{Environment.NewLine}" +
               "(without names it writes all four workloads, about 900 MiB).";
    }

    private static long ReadLong(JsonElement meta, string name, string sidecar) =>
        meta.TryGetProperty(name, out JsonElement value) && value.TryGetInt64(out long number)
            ? number
            : throw new BenchUsageException($"{sidecar} has no integer '{name}'. Regenerate it: {ComparisonScripts.GenerateCommand} --force");
}
