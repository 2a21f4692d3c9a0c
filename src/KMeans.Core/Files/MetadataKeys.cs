namespace KMeans.Core.Files;

/// <summary>
/// Names of the training parameters in Arrow schema metadata. They are reserved: <see cref="CentroidSet.Metadata"/>
/// may not use them, so that reading a file back cannot mistake an extra entry for a parameter.
/// </summary>
internal static class MetadataKeys
{
    public const string K = "k";
    public const string Dimension = "dimension";
    public const string Distance = "distance";
    public const string Loss = "loss";
    public const string Iterations = "iterations";
    public const string Seed = "seed";
    public const string ModuleVersion = "module_version";

    public static readonly IReadOnlyList<string> Reserved = [K, Dimension, Distance, Loss, Iterations, Seed, ModuleVersion];

    public static bool IsReserved(string key) => Reserved.Contains(key, StringComparer.Ordinal);
}
