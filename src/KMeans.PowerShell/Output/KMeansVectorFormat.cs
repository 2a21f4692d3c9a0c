namespace KMeans.PowerShell;

/// <summary>File formats for vectors.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum KMeansVectorFormat
{
    /// <summary>Arrow IPC file (.arrow, .feather, .ipc): a FixedSizeList&lt;float32&gt; column "vector".</summary>
    Arrow,

    /// <summary>Arrow IPC stream (.arrows).</summary>
    ArrowStream,

    /// <summary>Parquet (.parquet): a list&lt;float&gt; column "vector".</summary>
    Parquet,

    /// <summary>NumPy .npy: a rows × dimension float32 array.</summary>
    Npy,

    /// <summary>TEXMEX .fvecs: per row an int32 dimension and that many float32 values.</summary>
    Fvecs,

    /// <summary>TEXMEX .bvecs: per row an int32 dimension and that many bytes (values 0 to 255).</summary>
    Bvecs,
}
