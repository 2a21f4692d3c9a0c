namespace KMeans.Bench;

/// <summary>What a child of the larger-than-ram scenario measured: a training or one sequential read of the file.</summary>
/// <param name="Training">Set for the training cases.</param>
/// <param name="TrainReads">Storage reads during the Train call (initialisation, a first assignment, then the iterations).</param>
/// <param name="Phases">Set for the training cases: the update and assignment passes timed apart after training.</param>
/// <param name="ReadMs">Set for the read-once case: reading the whole file in 1 MiB reads after dropping its cached pages.</param>
/// <param name="Refused">Set when the trainer refused to start: its message (an in-memory sample larger than the memory available).</param>
internal sealed record CappedResult(string Case, TrainingMeasurement? Training, StorageCounters? TrainReads, PhaseProfile? Phases, double? ReadMs, long? ReadBytes, MemoryWindow Memory, string? Refused = null);
