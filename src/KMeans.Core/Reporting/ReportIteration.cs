namespace KMeans.Core.Reporting;

/// <summary>One Lloyd iteration as the training report shows it.</summary>
/// <param name="Iteration">1-based iteration number.</param>
/// <param name="Loss">Loss after the iteration's assignment.</param>
/// <param name="RelativeChange">|previous loss − loss| / |loss|, compared with the tolerance.</param>
/// <param name="RepairedClusters">Empty clusters re-seeded in the iteration.</param>
/// <param name="Reassigned">Sample rows whose centroid changed.</param>
/// <param name="ImbalanceFactor">K·Σ size² / n²: 1 when every cluster has the same size.</param>
/// <param name="Elapsed">Time the iteration took.</param>
public sealed record ReportIteration(int Iteration, double Loss, double RelativeChange, int RepairedClusters,
    long Reassigned, double ImbalanceFactor, TimeSpan Elapsed);
