using System.Numerics.Tensors;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Numerics;

namespace KMeans.Core.Training;

/// <summary>
/// k-means‖ (Bahmani et al., "Scalable k-means++"): from one uniform row, each of <see cref="Rounds"/> rounds keeps
/// every row independently with probability ℓ·D²/φ (ℓ = K/2 oversampling, φ = Σ D²), and the new candidates update
/// D² through the assignment kernel, so a round costs about ℓ/K of a Lloyd iteration. Each candidate is weighted by
/// the rows nearest to it, and weighted greedy k-means++ picks the K centroids among the ~2.5·K candidates.
/// Draws are made row by row from one stream, so the choice does not depend on threads.
/// </summary>
internal static class KMeansParallelInitializer
{
    public const int Rounds = 5;

    public static float[] Choose(TrainingBuffer sample, int k, SeededRandom random, RowBlocks blocks,
        ParallelOptions parallel, Action<int> reportChosen)
    {
        long n = sample.RowCount;
        int d = sample.Dimension;
        double oversampling = Math.Max(1.0, k / 2.0);
        var nearest = new float[n];
        var owner = new int[n];
        var rowNorms = new float[n];
        var candidateRows = new List<long> { random.NextInt64(n) };
        // Distances come from the kernel's scores plus each row's term, computed once: so every round's candidates are
        // packed relative to one offset, the sample's, and the term is the row's squared distance to it.
        float[] offset = SampleOffset.Of(sample);
        bool shifted = offset.AsSpan().ContainsAnyExcept(0f);
        blocks.ForEach(parallel, block =>
        {
            long first = blocks.First(block);
            ReadOnlySpan<float> rows = sample.Rows(first, blocks.Length(block));
            for (int i = 0; i < blocks.Length(block); i++)
            {
                ReadOnlySpan<float> row = rows.Slice(i * d, d);
                rowNorms[first + i] = shifted ? SquaredDistance.Of(row, offset) : TensorPrimitives.SumOfSquares(row);
            }
        });
        Array.Fill(nearest, float.PositiveInfinity);
        ImproveNearest(sample, blocks, parallel, candidateRows, 0, 1, nearest, owner, rowNorms, offset);

        for (int round = 0; round < Rounds; round++)
        {
            double potential = 0;
            foreach (float distance in nearest)
                potential += distance;
            if (potential == 0)
                break;
            int firstNew = candidateRows.Count;
            for (long i = 0; i < n; i++)
            {
                if (random.NextDouble() * potential < oversampling * nearest[i])
                    candidateRows.Add(i);
            }
            ImproveNearest(sample, blocks, parallel, candidateRows, firstNew, candidateRows.Count - firstNew, nearest, owner, rowNorms, offset);
        }

        if (candidateRows.Count <= k)
            return KMeansPlusPlusInitializer.Choose(sample, k, random, blocks, parallel, reportChosen);

        var weights = new float[candidateRows.Count];
        foreach (int candidate in owner)
            weights[candidate]++;
        using var candidates = new InMemoryBuffer(candidateRows.Count, d);
        for (int c = 0; c < candidateRows.Count; c++)
            candidates.WriteRows(c, sample.Rows(candidateRows[c], 1));
        candidates.Seal(candidateRows.Count);
        return KMeansPlusPlusInitializer.Choose(candidates, k, random,
            new RowBlocks(candidates.RowCount, blocks.RowsPerBlock), parallel, reportChosen, weights);
    }

    /// <summary>Lowers each row's D² (and its nearest candidate) with candidates first .. first + count − 1.</summary>
    private static void ImproveNearest(TrainingBuffer sample, RowBlocks blocks, ParallelOptions parallel,
        List<long> candidateRows, int first, int count, float[] nearest, int[] owner, float[] rowNorms, float[] offset)
    {
        if (count == 0)
            return;
        int d = sample.Dimension;
        var values = new float[(long)count * d];
        for (int c = 0; c < count; c++)
            sample.Rows(candidateRows[first + c], 1).CopyTo(values.AsSpan(c * d, d));
        using var packed = new PackedCentroids(count, d);
        packed.PackRelativeTo(offset, values, DistanceMetric.L2);
        Parallel.For(0L, blocks.Count, parallel,
            () => (Labels: new int[blocks.RowsPerBlock], Scores: new float[blocks.RowsPerBlock], Kernel: new AssignmentKernel.Scratch(blocks.RowsPerBlock)),
            (block, state, scratch) =>
            {
                if (parallel.CancellationToken.IsCancellationRequested)
                {
                    state.Stop();
                    return scratch;
                }
                long start = blocks.First(block);
                int rows = blocks.Length(block);
                AssignmentKernel.Assign(sample.Rows(start, rows), rows, packed, scratch.Labels, scratch.Scores, scratch.Kernel);
                for (int i = 0; i < rows; i++)
                {
                    float distance = Math.Max(0f, rowNorms[start + i] + scratch.Scores[i]);
                    if (distance < nearest[start + i])
                    {
                        nearest[start + i] = distance;
                        owner[start + i] = first + scratch.Labels[i];
                    }
                }
                return scratch;
            },
            _ => { });
        parallel.CancellationToken.ThrowIfCancellationRequested();
    }
}
