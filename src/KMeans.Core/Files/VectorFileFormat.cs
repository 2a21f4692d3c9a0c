namespace KMeans.Core.Files;

/// <summary>
/// The file formats of the module, one per extension (<see cref="VectorFile.FormatFromPath"/>): every format holds a
/// column of vectors; centroid files add cluster ids, sizes and the training parameters where the format has room.
/// </summary>
public enum VectorFileFormat
{
    /// <summary>Arrow IPC file (<c>.arrow</c>, <c>.feather</c> v2, <c>.ipc</c>): random access, row count in the footer.</summary>
    Arrow,

    /// <summary>Arrow IPC stream (<c>.arrows</c>): batches one after another, no footer (the row count is in the batch headers).</summary>
    ArrowStream,

    Parquet,

    /// <summary>NumPy <c>.npy</c>: one 2-D float32 or float64 array.</summary>
    Npy,

    /// <summary>TEXMEX <c>.fvecs</c>: each row is an int32 dimension followed by that many float32.</summary>
    Fvecs,

    /// <summary>TEXMEX <c>.bvecs</c>: each row is an int32 dimension followed by that many bytes.</summary>
    Bvecs,

    /// <summary>CSV of numbers, with or without a header; optional <c>cluster_id</c> and <c>size</c> columns (centroids only).</summary>
    Csv,

    /// <summary>JSON: the module's centroid object or a plain array of arrays (centroids only).</summary>
    Json,
}
