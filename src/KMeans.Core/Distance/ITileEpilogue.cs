using System.Runtime.Intrinsics;

namespace KMeans.Core.Distance;

/// <summary>
/// What <see cref="RegisterTiles"/> does with the scores (‖c‖² − 2·x·c) of one row against the centroids of a tile,
/// once their dot products have left the accumulators: keep the nearest (training), keep the n nearest (search,
/// balancing). Implementations are structs, so that the JIT compiles the loop once per epilogue and inlines it.
/// Scores of padding centroids are +∞. For each row, calls come in ascending centroid order.
/// </summary>
internal interface ITileEpilogue
{
    /// <summary>Row <paramref name="row"/> against 64 centroids from <paramref name="firstCentroid"/>, 16 per vector.</summary>
    void Take64(int row, Vector512<float> scores0, Vector512<float> scores1, Vector512<float> scores2,
        Vector512<float> scores3, int firstCentroid);

    /// <summary>Row <paramref name="row"/> against 16 centroids from <paramref name="firstCentroid"/> (AVX-512).</summary>
    void Take16(int row, Vector512<float> scores, int firstCentroid);

    /// <summary>Row <paramref name="row"/> against 16 centroids from <paramref name="firstCentroid"/>, as two 8-lane halves (AVX2).</summary>
    void Take16(int row, Vector256<float> low, Vector256<float> high, int firstCentroid);
}
