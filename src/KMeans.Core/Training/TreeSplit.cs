namespace KMeans.Core.Training;

/// <summary>
/// How the root of a hierarchical training split its sample: a row belongs to the node of its nearest top-level
/// centroid (a node left without centroids hands its rows to <see cref="NodeOf"/>), and node n trained the final
/// centroids [<see cref="Offsets"/>[n], <see cref="Offsets"/>[n] + <see cref="Shares"/>[n]). A row's leaf is then its
/// nearest centroid among its node's, as the tree trained it, at the cost of FanOut + K / FanOut distances instead of
/// K.
/// </summary>
internal sealed record TreeSplit(float[] TopCentroids, int[] NodeOf, int[] Offsets, int[] Shares)
{
    public int FanOut => NodeOf.Length;
}
