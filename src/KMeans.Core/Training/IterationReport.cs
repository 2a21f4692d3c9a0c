namespace KMeans.Core.Training;

/// <summary>
/// Statistics of one Lloyd iteration (update, repair, then assignment to the new centroids), as data.
/// </summary>
/// <param name="Redo">Which run (0-based) of <see cref="KMeansOptions.Redos"/>.</param>
/// <param name="Loss">Loss of the assignment to this iteration's centroids.</param>
/// <param name="RelativeChange">|previous loss − loss| / |loss|; the convergence test compares it with the tolerance.</param>
/// <param name="RepairedClusters">Empty clusters re-seeded by splitting the largest cluster before the assignment.</param>
/// <param name="Reassigned">Rows whose centroid changed in the assignment.</param>
/// <param name="ImbalanceFactor">K·Σ size² / n²: 1 when every cluster has the same size.</param>
/// <param name="Elapsed">Time this iteration took.</param>
/// <param name="SkippedRows">
/// Rows whose label bounds proved unchanged, so they were not scored against every centroid (0 when
/// <see cref="KMeansOptions.SkipByBounds"/> is off); the results are the same either way.
/// </param>
public sealed record IterationReport(
    int Redo,
    int Iteration,
    int MaxIterations,
    double Loss,
    double RelativeChange,
    int RepairedClusters,
    long Reassigned,
    double ImbalanceFactor,
    TimeSpan Elapsed,
    long SkippedRows) : TrainingProgress;
