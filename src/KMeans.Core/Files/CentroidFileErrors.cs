namespace KMeans.Core.Files;

/// <summary>The one wording for a centroid file that cannot be read, so every reader names the file the same way.</summary>
internal static class CentroidFileErrors
{
    public static KMeansException Invalid(string path, string problem, Exception? inner = null) =>
        new(KMeansErrorKind.InvalidFile, $"Cannot read centroids from '{path}': {problem}", path, inner);
}
