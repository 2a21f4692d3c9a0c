using System.Numerics.Tensors;
using KMeans.Core.Buffers;
using KMeans.Core.Numerics;

namespace KMeans.Core.Training;

/// <summary>
/// Greedy k-means++ (as scikit-learn): the first centroid is a row drawn ∝ weight; each next one is the best of
/// 2 + ⌊ln K⌋ candidates drawn with probability ∝ weight·D² (squared distance to the nearest chosen centroid), best
/// meaning the lowest resulting potential Σ weight·D². Per-block partial sums over the fixed block partition keep it
/// deterministic. Weights (null: all 1) let k-means‖ recluster its weighted candidates.
/// </summary>
internal static class KMeansPlusPlusInitializer
{
    public static float[] Choose(TrainingBuffer sample, int k, SeededRandom random, RowBlocks blocks,
        ParallelOptions parallel, Action<int> reportChosen, float[]? weights = null)
    {
        long n = sample.RowCount;
        int d = sample.Dimension;
        int trials = Trials(k);
        var centroids = new float[(long)k * d];
        var nearest = new float[n];
        var blockPotential = new double[blocks.Count];
        var candidatePotential = new double[trials, blocks.Count];
        var candidates = new float[trials * d];
        var candidateRows = new long[trials];

        long firstRow = weights is null ? random.NextInt64(n) : DrawWeighted(random.NextDouble() * Sum(weights), weights);
        sample.Rows(firstRow, 1).CopyTo(centroids.AsSpan(0, d));
        blocks.ForEach(parallel, block =>
        {
            long first = blocks.First(block);
            ReadOnlySpan<float> rows = sample.Rows(first, blocks.Length(block));
            ReadOnlySpan<float> centroid = centroids.AsSpan(0, d);
            double potential = 0;
            for (int i = 0; i < blocks.Length(block); i++)
            {
                float distance = Weight(weights, first + i) * SquaredDistance(rows.Slice(i * d, d), centroid);
                nearest[first + i] = distance;
                potential += distance;
            }
            blockPotential[block] = potential;
        });
        reportChosen(1);

        for (int c = 1; c < k; c++)
        {
            double total = 0;
            foreach (double potential in blockPotential)
                total += potential;
            for (int t = 0; t < trials; t++)
            {
                candidateRows[t] = total > 0 ? DrawProportional(random.NextDouble() * total, nearest, blockPotential, blocks) : random.NextInt64(n);
                sample.Rows(candidateRows[t], 1).CopyTo(candidates.AsSpan(t * d, d));
            }
            blocks.ForEach(parallel, block =>
            {
                long first = blocks.First(block);
                int count = blocks.Length(block);
                ReadOnlySpan<float> rows = sample.Rows(first, count);
                for (int t = 0; t < trials; t++)
                {
                    ReadOnlySpan<float> candidate = candidates.AsSpan(t * d, d);
                    double potential = 0;
                    for (int i = 0; i < count; i++)
                        potential += Math.Min(nearest[first + i], Weight(weights, first + i) * SquaredDistance(rows.Slice(i * d, d), candidate));
                    candidatePotential[t, block] = potential;
                }
            });
            int best = 0;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                double potential = 0;
                for (long block = 0; block < blocks.Count; block++)
                    potential += candidatePotential[t, block];
                if (potential < bestPotential)
                {
                    bestPotential = potential;
                    best = t;
                }
            }
            candidates.AsSpan(best * d, d).CopyTo(centroids.AsSpan(c * d, d));
            float[] chosen = centroids.AsSpan(c * d, d).ToArray();
            blocks.ForEach(parallel, block =>
            {
                long first = blocks.First(block);
                int count = blocks.Length(block);
                ReadOnlySpan<float> rows = sample.Rows(first, count);
                double potential = 0;
                for (int i = 0; i < count; i++)
                {
                    float distance = Math.Min(nearest[first + i], Weight(weights, first + i) * SquaredDistance(rows.Slice(i * d, d), chosen));
                    nearest[first + i] = distance;
                    potential += distance;
                }
                blockPotential[block] = potential;
            });
            reportChosen(c + 1);
        }
        return centroids;
    }

    /// <summary>Candidates drawn per centroid: 2 + ⌊ln K⌋, as scikit-learn does.</summary>
    public static int Trials(int k) => 2 + (int)Math.Log(k);

    private static float Weight(float[]? weights, long row) => weights is null ? 1f : weights[row];

    private static double Sum(float[] weights)
    {
        double sum = 0;
        foreach (float weight in weights)
            sum += weight;
        return sum;
    }

    private static long DrawWeighted(double target, float[] weights)
    {
        for (long i = 0; i < weights.Length; i++)
        {
            target -= weights[i];
            if (target < 0)
                return i;
        }
        return weights.Length - 1;
    }

    private static float SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float distance = TensorPrimitives.Distance(x, y);
        return distance * distance;
    }

    /// <summary>The row where the running sum of D² over blocks, then rows, first exceeds <paramref name="target"/>.</summary>
    private static long DrawProportional(double target, float[] nearest, double[] blockPotential, RowBlocks blocks)
    {
        long block = 0;
        while (block < blocks.Count - 1 && target >= blockPotential[block])
        {
            target -= blockPotential[block];
            block++;
        }
        long first = blocks.First(block);
        int count = blocks.Length(block);
        long lastPositive = -1;
        for (int i = 0; i < count; i++)
        {
            if (nearest[first + i] <= 0)
                continue;
            lastPositive = first + i;
            target -= nearest[first + i];
            if (target < 0)
                return first + i;
        }
        // Rounding can leave a sliver of target after the block's last row: that row is the draw.
        return lastPositive >= 0 ? lastPositive : first;
    }
}
