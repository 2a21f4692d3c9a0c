using System.Runtime.CompilerServices;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// One step of the partition prices towards the size bounds, from an exact assignment of the whole sample under the
/// current prices: a partition above the maximum raises its price just past the gap (distance + price to the row's
/// second choice, less that to this partition, from the kernel's two nearest) of its h-th most indifferent row, where h
/// is half its excess, so that that many rows would leave if no other price moved. Half, because every partition moves
/// at once (a Jacobi form of Bertsekas's auction): the rows one partition sheds land in its neighbours, which shed in
/// turn, and halving keeps a group of full neighbours from overshooting each other. Prices only rise.
/// </summary>
/// <remarks>
/// The gaps come from the kernel over all centroids, not from a list of candidates: in high dimension the distances to
/// a row's nearest centroids are close together, so a price rise sends rows to centroids beyond any short list, and
/// predictions from such a list went wrong by 2× in the sizes they gave.
/// </remarks>
internal static class PriceUpdate
{
    /// <summary>The share of a partition's excess its price step sheds.</summary>
    public const double ShedFraction = 0.5;

    /// <summary>
    /// The target maximum keeps a margin of 1 % below the bound: the rows a step moves cannot be counted exactly when
    /// all partitions move together.
    /// </summary>
    public static long TargetMax(SizeBounds bounds, long rows, int k) =>
        Math.Max((rows + k - 1) / k, bounds.Max - bounds.Max / 100);

    /// <param name="normTerms">The centroids' <see cref="NormTerms"/>, for each partition's least step (<see cref="Resolution"/>).</param>
    /// <returns>Whether any price moved.</returns>
    // Fully optimized from the first call, as every pass of balancing marked so (per-block bodies too): each runs a few
    // times per training, too few for the tiered JIT to promote it in time (see PartitionBalancer's remarks).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Raise(PartitionMembers members, float[] gaps, long[] sizes, long max, float[] prices,
        double[] normTerms, Distance.DistanceMetric metric)
    {
        int k = sizes.Length;
        var start = new long[k + 1];
        for (int c = 0; c < k; c++)
            start[c + 1] = start[c] + (sizes[c] > max ? sizes[c] : 0);
        if (start[k] == 0)
            return false;
        var values = new float[start[k]];
        for (int c = 0; c < k; c++)
        {
            if (sizes[c] <= max)
                continue;
            long at = start[c];
            foreach (int row in members.Of(c))
                values[at++] = gaps[row];
        }
        double nudge = Nudge(values);
        bool moved = false;
        for (int c = 0; c < k; c++)
        {
            if (sizes[c] <= max)
                continue;
            Span<float> segment = values.AsSpan((int)start[c], (int)(start[c + 1] - start[c]));
            long shed = Shed(sizes[c], max);
            float gap = LeastValues.Gather(segment, (int)Math.Min(segment.Length, shed));
            if (!float.IsFinite(gap))
                continue;
            double least = Math.Max(nudge, Resolution(normTerms[c], prices[c], metric));
            prices[c] = (float)(prices[c] + gap + Math.Max(least, gap * 1e-4));
            moved = true;
        }
        return moved;
    }

    /// <summary>How many rows a partition of <paramref name="size"/> rows above <paramref name="max"/> sheds in one step.</summary>
    public static long Shed(long size, long max) => Math.Max(1, (long)Math.Ceiling((size - max) * ShedFraction));

    /// <summary>
    /// The least price step the kernel resolves for one partition: its scores are ‖c‖² + price − 2·x·c in float32
    /// (twice the price under the inner-product metrics), and the price enters through ‖c‖² + price, so a step below a
    /// few units in the last place of that term is lost in rounding, and rows packed closer than that (a dense blob)
    /// would never move. Each partition's own term, not the largest of all: a helper's 1,900 rows within 0.1 of the
    /// origin beside 100 spread over ±300 (2-d, K = 40, MaxSizeRatio 2) had one far centroid's term at 1.1e5, and the
    /// step that set for every partition (0.105) was a hundred times the gaps between the blob's rows: the blob's prices
    /// swung past each other, 1,635 of the 2,000 rows were displaced, and assigning with the prices gave partitions of
    /// 0–1,027 rows, where the centroids alone gave 1–132. The <see cref="NormTerms"/> are taken once: the centroids do
    /// not move while the prices do.
    /// </summary>
    public static double Resolution(double normTerm, float price, Distance.DistanceMetric metric) =>
        8 * (normTerm + (metric == Distance.DistanceMetric.L2 ? 1 : 2) * Math.Abs(price)) * Math.Pow(2, -23);

    /// <summary>
    /// Each centroid's ‖c − m‖² under L2 (m their common offset, as assignment packs them: the term the kernel's
    /// rounding scales with), 1 under the inner-product metrics: the scores' norm term without a price.
    /// </summary>
    public static double[] NormTerms(float[] centroids, int dimension, Distance.DistanceMetric metric)
    {
        int k = centroids.Length / dimension;
        var terms = new double[k];
        float[] offset = metric == Distance.DistanceMetric.L2
            ? Distance.CommonOffset.Of(centroids, k, dimension)
            : new float[dimension];
        bool shifted = offset.AsSpan().ContainsAnyExcept(0f);
        var relative = new float[dimension];
        for (int c = 0; c < k; c++)
        {
            ReadOnlySpan<float> centroid = centroids.AsSpan(c * dimension, dimension);
            if (metric != Distance.DistanceMetric.L2)
            {
                terms[c] = 1;
                continue;
            }
            if (shifted)
                System.Numerics.Tensors.TensorPrimitives.Subtract(centroid, offset, relative);
            terms[c] = System.Numerics.Tensors.TensorPrimitives.SumOfSquares(shifted ? relative : centroid);
        }
        return terms;
    }

    /// <summary>The least step: a millionth of the mean finite gap, so that the h-th row itself leaves.</summary>
    private static double Nudge(float[] gaps)
    {
        double total = 0;
        int counted = 0;
        foreach (float gap in gaps)
        {
            if (float.IsFinite(gap))
            {
                total += gap;
                counted++;
            }
        }
        return Math.Max(1e-6 * total / Math.Max(1, counted), 1e-12);
    }
}
