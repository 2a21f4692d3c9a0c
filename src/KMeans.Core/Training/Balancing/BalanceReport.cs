namespace KMeans.Core.Training.Balancing;

/// <summary>
/// One pass of partition balancing: the sample assigned under the pass's partition prices (then the prices adjusted and,
/// in early passes, the centroids moved to their rows' mean).
/// </summary>
/// <param name="Pass">1 for the assignment to the trained centroids without prices.</param>
/// <param name="Loss">Loss of this pass's assignment to its centroids.</param>
/// <param name="Displaced">Rows the last pass's repair moved away from the partition the prices give them (exact
/// duplicates, which prices cannot split); 0 in every other pass.</param>
/// <param name="Reassigned">Rows whose partition differs from the previous pass (all rows in the first).</param>
/// <param name="Sizes">Partition sizes after this pass's assignment.</param>
public sealed record BalanceReport(int Pass, double Loss, long Displaced, long Reassigned, PartitionSizeStatistics Sizes,
    TimeSpan Elapsed) : TrainingProgress;
