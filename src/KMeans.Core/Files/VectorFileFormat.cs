namespace KMeans.Core.Files;

/// <summary>The vector file formats <see cref="VectorFile"/> reads and <see cref="VectorFileWriter"/> writes.</summary>
public enum VectorFileFormat
{
    /// <summary>Arrow IPC file (<c>.arrow</c>, <c>.feather</c> v2, <c>.ipc</c>): random access, row count in the footer.</summary>
    Arrow,

    /// <summary>Arrow IPC stream (<c>.arrows</c>): batches one after another, row count unknown until the end.</summary>
    ArrowStream,

    Parquet,

    /// <summary>NumPy <c>.npy</c>: one 2-D float32 or float64 array.</summary>
    Npy,

    /// <summary>TEXMEX <c>.fvecs</c>: each row is an int32 dimension followed by that many float32.</summary>
    Fvecs,

    /// <summary>TEXMEX <c>.bvecs</c>: each row is an int32 dimension followed by that many bytes.</summary>
    Bvecs,
}
