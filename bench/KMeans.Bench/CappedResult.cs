namespace KMeans.Bench;

/// <summary>What a child of the larger-than-ram scenario measured: a training or one sequential read of the file.</summary>
/// <param name="Training">Set for the training cases.</param>
/// <param name="ReadMs">Set for the read-once case: reading the whole file in 1 MiB reads after dropping its cached pages.</param>
internal sealed record CappedResult(string Case, TrainingMeasurement? Training, double? ReadMs, long? ReadBytes, MemoryWindow Memory);
