namespace KMeans.Bench;

/// <summary>One sample built from the ~1 GiB file in its own process: how long it took and the memory it used.</summary>
internal sealed record SamplingResult(string Case, long SampleRows, long RowsRead, double BuildMs, MemoryWindow Memory);
