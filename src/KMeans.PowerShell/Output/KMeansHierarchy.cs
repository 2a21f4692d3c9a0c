namespace KMeans.PowerShell;

/// <summary>Whether a large K is trained as a tree of small k-means problems instead of one flat problem.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum KMeansHierarchy
{
    /// <summary>Hierarchical above K = 256, flat below.</summary>
    Auto,

    On,

    Off,
}
