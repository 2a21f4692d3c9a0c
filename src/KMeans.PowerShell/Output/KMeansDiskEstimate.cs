using System.Globalization;

namespace KMeans.PowerShell;

/// <summary>
/// What a training run of a given shape needs: the size of the on-disk sample file, the memory of an in-memory run,
/// the free space where the file would go, and which storage to choose; with -Calibrate also how long training takes,
/// flat and hierarchical, as predicted from a measurement of this machine (the times are null without it).
/// </summary>
public sealed class KMeansDiskEstimate
{
    /// <summary>
    /// The vector file the shape was read from; null for an estimate from -Dimension and -Rows, and for several files
    /// (<see cref="Input"/> lists them).
    /// </summary>
    public string? Path { get; init; }

    /// <summary>
    /// Every file whose rows make the estimated sample, in the order training reads them (their rows add up in
    /// <see cref="Rows"/>); empty for an estimate from -Dimension and -Rows.
    /// </summary>
    public string[] Input { get; init; } = [];

    public int K { get; init; }

    public int Dimension { get; init; }

    /// <summary>Rows in the input, or null when unknown (the sample is then the full -SampleRate × K rows).</summary>
    public long? Rows { get; init; }

    public int SampleRate { get; init; }

    /// <summary>Rows in the training sample: min(Rows, SampleRate × K).</summary>
    public long SampleRows { get; init; }

    /// <summary>The planned -TrainDimension, or null when training runs in the full dimension.</summary>
    public int? TrainDimension { get; init; }

    /// <summary>
    /// Whether the final pass of the -TrainDimension run reads the sampled rows again from the input files, so that the
    /// sample holds only the projected rows; false without -TrainDimension, with size bounds, and for pipeline input.
    /// </summary>
    public bool FinalPassReadsInput { get; init; }

    /// <summary>The planned -MaxSizeRatio, or null; with either ratio the memory counts balancing.</summary>
    public double? MaxSizeRatio { get; init; }

    /// <summary>The planned -MinSizeRatio, or null.</summary>
    public double? MinSizeRatio { get; init; }

    /// <summary>
    /// Size of the on-disk sample files in bytes: with a TrainDimension, the projected rows only where the final pass
    /// reads the input again (<see cref="FinalPassReadsInput"/>), else the full rows and the projected ones.
    /// </summary>
    public long Bytes { get; init; }

    /// <summary><see cref="Bytes"/> in binary units, such as "1.5 GiB".</summary>
    public string Size => ByteSize.Format(Bytes);

    /// <summary>Memory an in-memory run holds: the sample plus the trainer's working set (and balancing's, when planned).</summary>
    public long InMemoryBytes { get; init; }

    /// <summary>Memory the system reports as available now.</summary>
    public long AvailableMemoryBytes { get; init; }

    public string TempDirectory { get; init; } = "";

    /// <summary>Free bytes on the volume of <see cref="TempDirectory"/> for the current user.</summary>
    public long FreeBytes { get; init; }

    /// <summary>
    /// True when an on-disk run can start: the input has at least K rows (or an unknown count), and the sample file
    /// can be created in <see cref="TempDirectory"/> and fits in <see cref="FreeBytes"/>.
    /// </summary>
    public bool Fits { get; init; }

    /// <summary>Why <see cref="Fits"/> is false (no rows, fewer rows than K, no room, no write access); null when it is true.</summary>
    public string? FitsReason { get; init; }

    /// <summary>InMemory when an in-memory run fits comfortably in available memory, otherwise OnDisk.</summary>
    public KMeansStorage Recommendation { get; init; }

    /// <summary>The iteration count the training times are for; null without -Calibrate.</summary>
    public int? MaxIterations { get; init; }

    /// <summary>One flat Lloyd iteration (update and assignment to all K centroids) over the sample.</summary>
    public double? FlatIterationSeconds { get; init; }

    /// <summary>
    /// Flat training: seeding, then MaxIterations iterations (convergence often stops it earlier), and balancing when
    /// planned.
    /// </summary>
    public double? FlatTrainingSeconds { get; init; }

    /// <summary>One iteration at every level of the tree -Hierarchical Auto trains; null when Auto trains this K flat.</summary>
    public double? HierarchicalIterationSeconds { get; init; }

    /// <summary>
    /// Hierarchical training, every node running MaxIterations iterations, and balancing when planned; null when Auto
    /// trains this K flat.
    /// </summary>
    public double? HierarchicalTrainingSeconds { get; init; }

    /// <summary>
    /// Balancing after the training (-MaxSizeRatio, -MinSizeRatio), included in both training times: the balancer's
    /// first candidate lists and one whole assignment of the sample under the prices; null without -Calibrate or
    /// without balancing.
    /// </summary>
    public double? BalancingSeconds { get; init; }

    /// <summary>The assignment speed measured on this machine, in 10⁹ flops per second.</summary>
    public double? KernelGflops { get; init; }

    /// <summary>The predicted times in words, such as "flat 7 d 04 h/iteration, 358 d 02 h in all; hierarchical ...".</summary>
    public string? TrainingTimeSummary => FlatIterationSeconds is not { } flatIteration || FlatTrainingSeconds is not { } flatTraining
        ? null
        : $"flat {DurationText.Format(flatIteration)}/iteration, {DurationText.Format(flatTraining)} in all"
          + (HierarchicalIterationSeconds is { } treeIteration && HierarchicalTrainingSeconds is { } treeTraining
              ? $"; hierarchical {DurationText.Format(treeIteration)}/iteration, {DurationText.Format(treeTraining)} in all"
              : "; hierarchical: Auto trains this K flat")
          + (BalancingSeconds is { } balancing ? $"; balancing {DurationText.Format(balancing)} of each" : "");
}
