namespace KMeans.PowerShell;

/// <summary>Where the training sample lives: in RAM, or in a memory-mapped temporary file (-OnDisk).</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum KMeansStorage
{
    InMemory,
    OnDisk,
}
