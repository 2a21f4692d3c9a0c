namespace KMeans.Core.Assigning;

/// <summary>
/// Formats assignments are written in: Arrow IPC file or stream and Parquet hold the columns row_index (uint64),
/// rank (int32, only with several nearest centroids per row), cluster_id (int32) and distance (float32); .npy holds
/// the labels alone, int32, one per input row (rows × n with several).
/// </summary>
public enum AssignmentFileFormat
{
    Arrow,
    ArrowStream,
    Parquet,
    Npy,
}

public static class AssignmentFileFormats
{
    /// <summary>The format an extension names: .arrow/.feather/.ipc, .arrows, .parquet, .npy.</summary>
    public static AssignmentFileFormat FromPath(string path) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".arrow" or ".feather" or ".ipc" => AssignmentFileFormat.Arrow,
            ".arrows" => AssignmentFileFormat.ArrowStream,
            ".parquet" => AssignmentFileFormat.Parquet,
            ".npy" => AssignmentFileFormat.Npy,
            _ => throw new KMeansException(KMeansErrorKind.UnsupportedFile,
                $"Cannot write assignments to '{path}': the extension must be .arrow, .feather, .ipc, .arrows, .parquet or .npy.", path),
        };
}
