namespace KMeans.Bench;

/// <summary>
/// One benchmark shape and the anchors' data file that holds it (written by bench/compare/datasets.py), so
/// that KMeans, scikit-learn and FAISS train the same bytes.
/// </summary>
internal sealed record Workload(string Id, string DatasetName, long Rows, int Dimension, int K, string Kind)
{
    public static readonly Workload W1 = new("W1", "lance-pr", 131_072, 128, 512, "uniform");
    public static readonly Workload W2 = new("W2", "lance-1024d", 65_536, 1_024, 256, "uniform");
    public static readonly Workload W3 = new("W3", "blobs", 131_072, 128, 512, "blobs");
    public static readonly Workload W4 = new("W4", "large", 1_048_576, 128, 4_096, "uniform");

    public static IReadOnlyList<Workload> All { get; } = [W1, W2, W3, W4];

    /// <summary>Floating-point operations of one assignment step: a multiply and an add per row, centroid and dimension.</summary>
    public double FlopsPerIteration => 2.0 * Rows * K * Dimension;

    public static Workload Parse(string id) =>
        All.FirstOrDefault(w => string.Equals(w.Id, id, StringComparison.OrdinalIgnoreCase)
                                || string.Equals(w.DatasetName, id, StringComparison.OrdinalIgnoreCase))
        ?? throw new BenchUsageException($"Unknown workload '{id}': expected one of {string.Join(", ", All.Select(w => w.Id))}.");
}
