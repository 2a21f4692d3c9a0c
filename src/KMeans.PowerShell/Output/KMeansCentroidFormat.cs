namespace KMeans.PowerShell;

/// <summary>File formats for centroids.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum KMeansCentroidFormat
{
    /// <summary>Arrow IPC file: cluster_id, size and centroid columns, training parameters in the schema metadata.</summary>
    Arrow,

    /// <summary>NumPy .npy: a K × Dimension float32 array.</summary>
    Npy,

    /// <summary>CSV: cluster_id, size, then one column per dimension.</summary>
    Csv,

    /// <summary>JSON: the training parameters and one entry per centroid.</summary>
    Json,

    /// <summary>Arrow IPC stream (.arrows): the same columns and metadata as Arrow, written as a stream.</summary>
    ArrowStream,
}
