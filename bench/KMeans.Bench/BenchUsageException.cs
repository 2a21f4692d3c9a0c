namespace KMeans.Bench;

/// <summary>A mistake in the command line or a missing prerequisite; the message says how to fix it.</summary>
internal sealed class BenchUsageException(string message) : Exception(message);
