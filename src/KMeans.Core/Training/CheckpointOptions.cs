namespace KMeans.Core.Training;

/// <summary>
/// Where and how often training saves its state, and whether it continues from a saved state. A resumed training
/// gives the same centroids, loss, iterations, sizes and per-iteration statistics (all but their durations) as one
/// that was never interrupted.
/// </summary>
public sealed record CheckpointOptions
{
    /// <summary>The checkpoint file (.kmc by convention). Written atomically: it is always a whole checkpoint.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// The least time between two writes; a write happens after the first iteration (or finished tree node) once it
    /// has passed, and always at the end. Zero writes after every iteration. Default 5 minutes.
    /// </summary>
    public TimeSpan Interval { get; init; } = DefaultInterval;

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(5);

    /// <summary>Continue from the checkpoint at <see cref="Path"/> when it exists; without it an existing file is refused.</summary>
    public bool Resume { get; init; }

    /// <summary>The input files, fingerprinted by path, size and modification time so that a changed input is refused.</summary>
    public IReadOnlyList<string> InputFiles { get; init; } = [];

    /// <summary>Throws a <see cref="KMeansException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
            throw new KMeansException(KMeansErrorKind.InvalidOption, "The checkpoint path is empty.", Path);
        if (Interval < TimeSpan.Zero)
            throw new KMeansException(KMeansErrorKind.InvalidOption,
                $"The checkpoint interval must be zero or positive, but was {Interval}.", Interval);
    }
}
