namespace KMeans.PowerShell;

/// <summary>
/// What a training run of a given shape needs: the size of the on-disk sample file, the memory of an in-memory run,
/// the free space where the file would go, and which storage to choose.
/// </summary>
public sealed class KMeansDiskEstimate
{
    /// <summary>The vector file the shape was read from, or null for an estimate from -Dimension and -Rows.</summary>
    public string? Path { get; init; }

    public int K { get; init; }

    public int Dimension { get; init; }

    /// <summary>Rows in the input, or null when unknown (the sample is then the full -SampleRate × K rows).</summary>
    public long? Rows { get; init; }

    public int SampleRate { get; init; }

    /// <summary>Rows in the training sample: min(Rows, SampleRate × K).</summary>
    public long SampleRows { get; init; }

    /// <summary>Size of the on-disk sample file in bytes.</summary>
    public long Bytes { get; init; }

    /// <summary><see cref="Bytes"/> in binary units, such as "1.5 GiB".</summary>
    public string Size => ByteSize.Format(Bytes);

    /// <summary>Memory an in-memory run holds: the sample plus the trainer's working set.</summary>
    public long InMemoryBytes { get; init; }

    /// <summary>Memory the system reports as available now.</summary>
    public long AvailableMemoryBytes { get; init; }

    public string TempDirectory { get; init; } = "";

    /// <summary>Free bytes on the volume of <see cref="TempDirectory"/> for the current user.</summary>
    public long FreeBytes { get; init; }

    /// <summary>True when the sample file fits in <see cref="FreeBytes"/>.</summary>
    public bool Fits { get; init; }

    /// <summary>InMemory when an in-memory run fits comfortably in available memory, otherwise OnDisk.</summary>
    public KMeansStorage Recommendation { get; init; }
}
