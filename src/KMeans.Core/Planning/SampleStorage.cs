namespace KMeans.Core.Planning;

/// <summary>Where a training sample lives: native memory, or a memory-mapped temporary file.</summary>
public enum SampleStorage
{
    InMemory,
    OnDisk,
}
