namespace KMeans.Core.Training.Balancing;

/// <summary>
/// One pass of partition balancing (a capacity-constrained assignment, then the centroids moved to their rows' mean).
/// </summary>
/// <param name="Pass">1 for the assignment to the trained centroids.</param>
/// <param name="Loss">Loss of the balanced assignment to this pass's centroids.</param>
/// <param name="Displaced">Rows not in their nearest centroid's partition.</param>
/// <param name="Reassigned">Rows whose partition differs from the previous pass (all rows in the first).</param>
/// <param name="Sizes">Partition sizes after this pass's assignment.</param>
public sealed record BalanceReport(int Pass, double Loss, long Displaced, long Reassigned, PartitionSizeStatistics Sizes,
    TimeSpan Elapsed) : TrainingProgress;
