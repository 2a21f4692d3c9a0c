namespace KMeans.Core.Files;

/// <summary>The file formats centroids can be written to and read from.</summary>
public enum CentroidFileFormat
{
    /// <summary>
    /// Arrow IPC file: <c>cluster_id</c> (int32), <c>size</c> (int64) and <c>centroid</c> (FixedSizeList&lt;float32&gt;)
    /// columns, training parameters in the schema metadata. Readable by pyarrow and usable as Lance <c>ivf_centroids</c>.
    /// </summary>
    Arrow,

    /// <summary>NumPy <c>.npy</c> (version 1.0): a K × Dimension float32 array, as numpy.load and FAISS expect.</summary>
    Npy,

    /// <summary>CSV with the header <c>cluster_id,size,c0,…,c{d−1}</c>, invariant culture, round-trip numbers.</summary>
    Csv,

    /// <summary>JSON object with the training parameters and one entry per centroid.</summary>
    Json,
}
