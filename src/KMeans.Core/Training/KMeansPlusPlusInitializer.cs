using System.Runtime.CompilerServices;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
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
        var potentials = new Potentials(sample, blocks, weights);
        var candidates = new float[trials * d];
        var candidatePotential = new double[trials, blocks.Count];

        long firstRow = weights is null ? random.NextInt64(n) : DrawWeighted(random.NextDouble() * Sum(weights), weights);
        sample.Rows(firstRow, 1).CopyTo(centroids.AsSpan(0, d));
        potentials.Accept(centroids.AsSpan(0, d).ToArray(), parallel);
        reportChosen(1);

        for (int c = 1; c < k; c++)
        {
            double total = potentials.Total;
            for (int t = 0; t < trials; t++)
            {
                long row = total > 0 ? potentials.Draw(random.NextDouble() * total) : random.NextInt64(n);
                sample.Rows(row, 1).CopyTo(candidates.AsSpan(t * d, d));
            }
            blocks.ForEach(parallel, block =>
            {
                for (int t = 0; t < trials; t++)
                    candidatePotential[t, block] = potentials.OfBlockWith(block, candidates.AsSpan(t * d, d), keep: false);
            });
            int best = Lowest(candidatePotential);
            candidates.AsSpan(best * d, d).CopyTo(centroids.AsSpan(c * d, d));
            potentials.Accept(centroids.AsSpan(c * d, d).ToArray(), parallel);
            reportChosen(c + 1);
        }
        return centroids;
    }

    /// <summary>
    /// Each row's D² (weighted squared distance to its nearest chosen centroid; +∞ before the first) and its sum per
    /// block, the potential. Sums run over rows in order within a block and over blocks in order, so they do not
    /// depend on the thread count.
    /// </summary>
    private sealed class Potentials(TrainingBuffer sample, RowBlocks blocks, float[]? weights)
    {
        private readonly float[] _nearest = CreateNearest(sample.RowCount);
        private readonly double[] _blockPotential = new double[blocks.Count];

        public double Total
        {
            get
            {
                double total = 0;
                foreach (double potential in _blockPotential)
                    total += potential;
                return total;
            }
        }

        /// <summary>Makes <paramref name="centroid"/> one of the chosen: every row's D² becomes its new minimum.</summary>
        public void Accept(float[] centroid, ParallelOptions parallel) =>
            blocks.ForEach(parallel, block => _blockPotential[block] = OfBlockWith(block, centroid, keep: true));

        /// <summary>
        /// The block's potential if <paramref name="centroid"/> were chosen too: Σ min(D², weight·‖row − centroid‖²);
        /// with <paramref name="keep"/> the minima are stored as the rows' D².
        /// </summary>
        // Fully optimized from the first call, so that the distance is inlined: seeding calls this a few hundred times
        // per training, most of them before the tiered JIT would promote it.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double OfBlockWith(long block, ReadOnlySpan<float> centroid, bool keep)
        {
            int d = sample.Dimension;
            long first = blocks.First(block);
            ReadOnlySpan<float> rows = sample.Rows(first, blocks.Length(block));
            double potential = 0;
            for (int i = 0; i * d < rows.Length; i++)
            {
                // Not TensorPrimitives.Distance, which ran unoptimized (tier 0) through most of a fresh process's seeding.
                float distance = Math.Min(_nearest[first + i], Weight(weights, first + i) * SquaredDistance.Of(rows.Slice(i * d, d), centroid));
                if (keep)
                    _nearest[first + i] = distance;
                potential += distance;
            }
            return potential;
        }

        /// <summary>The row where the running sum of D² over blocks, then rows, first exceeds <paramref name="target"/>.</summary>
        public long Draw(double target)
        {
            long block = 0;
            while (block < blocks.Count - 1 && target >= _blockPotential[block])
            {
                target -= _blockPotential[block];
                block++;
            }
            long first = blocks.First(block);
            int count = blocks.Length(block);
            long lastPositive = -1;
            for (int i = 0; i < count; i++)
            {
                if (_nearest[first + i] <= 0)
                    continue;
                lastPositive = first + i;
                target -= _nearest[first + i];
                if (target < 0)
                    return first + i;
            }
            // Rounding can leave a sliver of target after the block's last row: that row is the draw.
            return lastPositive >= 0 ? lastPositive : first;
        }

        private static float[] CreateNearest(long rows)
        {
            var nearest = new float[rows];
            Array.Fill(nearest, float.PositiveInfinity);
            return nearest;
        }
    }

    /// <summary>The candidate whose potential, summed over the blocks in order, is lowest (the first on a tie).</summary>
    private static int Lowest(double[,] candidatePotential)
    {
        int best = 0;
        double bestPotential = double.PositiveInfinity;
        for (int t = 0; t < candidatePotential.GetLength(0); t++)
        {
            double potential = 0;
            for (int block = 0; block < candidatePotential.GetLength(1); block++)
                potential += candidatePotential[t, block];
            if (potential < bestPotential)
            {
                bestPotential = potential;
                best = t;
            }
        }
        return best;
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
}
