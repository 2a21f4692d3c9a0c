using KMeans.Core.Distance;

namespace KMeans.Core.Training;

/// <summary>
/// Where the update's range adds also write each row's L2 loss (<see cref="KMeans.Core.Distance.RowLoss"/>, the same
/// arithmetic as the assignment's): <see cref="Centroids"/> hold the plain centroids the rows were assigned to,
/// <see cref="RowLoss"/> the assignment's per-row losses. The assignment hands this over on passes without bounds,
/// where it would otherwise read every row and its centroid once more to compute the loss.
/// </summary>
internal sealed record RangeLosses(PackedCentroids Centroids, float[] RowLoss);
