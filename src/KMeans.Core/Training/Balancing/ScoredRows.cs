using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Planning;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// The nearest centroids under the prices of the moment for rows that the price steps and the searches of
/// <see cref="AugmentingPaths"/> score again and again, from each row's scores kept without their norm terms. The kernel's score is
/// −2·x·c + (‖c‖² + price), one fused multiply-add; −2·x·c alone is exact in float (a product by 2), so the kept value
/// plus the norm term of the moment, rounded once, is the kernel's score bit for bit under any prices (and +∞ where
/// a partition is priced out). A kept row then costs an addition per centroid and the choice of its lowest
/// (<see cref="LowestScores"/>) instead of the kernel's arithmetic, and the lists are exactly what the kernel gives.
/// </summary>
/// <remarks>
/// Why: the searches keep returning to the full partitions around a dense region while their prices rise (the skewed
/// mixture at MaxSizeRatio 1.2: 95,145 rows scanned in 265 searches, 6,101 of them distinct), and the price steps
/// before them the rows of least gap in the same partitions. The centroids do not move meanwhile. At most
/// <paramref name="capacity"/> rows are kept (<see cref="BalancingMemory.ScoredRowsCapacity"/> in training); beyond,
/// the row kept longest makes room. What is kept never changes a list, only its cost.
/// </remarks>
internal sealed unsafe class ScoredRows(BalancingRun run, PackedCentroids packed, KernelPath path, int capacity)
{
    private readonly int _stride = NearestKernel.ScoreStride(packed.K);
    private readonly int _capacity = Math.Max(1, capacity);
    private readonly Dictionary<int, int> _slotOf = [];
    private readonly List<float[]> _slots = [];
    private readonly List<int> _rowIn = [];
    private int _oldest;

    /// <summary>
    /// For each of <paramref name="rows"/>, its <paramref name="n"/> nearest packed centroids under their current norm
    /// terms, ascending, ties to the lower index, at <c>i · <paramref name="listed"/></c> of the arrays returned
    /// (−1 and +∞ beyond n, or where fewer centroids score below +∞): what <see cref="NearestKernel.Assign"/> gives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (int[] Ids, float[] Scores) Nearest(int[] rows, int n, int listed)
    {
        var ids = new int[rows.Length * listed];
        var scores = new float[rows.Length * listed];
        ids.AsSpan().Fill(-1);
        scores.AsSpan().Fill(float.PositiveInfinity);
        var kept = new float[]?[rows.Length];
        var missing = new List<int>();
        for (int i = 0; i < rows.Length; i++)
        {
            if (_slotOf.TryGetValue(rows[i], out int slot))
                kept[i] = _slots[slot];
            else
                missing.Add(i);
        }
        float[] computed = ArrayPool<float>.Shared.Rent(Math.Max(1, missing.Count * _stride));
        try
        {
            ScoreMissing(rows, missing, computed);
            for (int m = 0; m < missing.Count; m++)
                kept[missing[m]] = computed;
            var offsets = new int[rows.Length];
            for (int m = 0; m < missing.Count; m++)
                offsets[missing[m]] = m * _stride;
            var rowBlocks = new RowBlocks(rows.Length, NearestCentroidSearch.RowsPerBlock);
            Action<long> choose = [MethodImpl(MethodImplOptions.AggressiveOptimization)] (long block) =>
                Choose(kept, offsets, (int)rowBlocks.First(block), rowBlocks.Length(block), n, listed, ids, scores);
            // A scan's few dozen rows are one block, chosen on this thread (see AugmentingPaths.PathSearch.Nearest).
            if (rowBlocks.Count == 1)
                choose(0);
            else
                rowBlocks.ForEach(run.Parallel, choose);
            Keep(rows, missing, computed);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(computed);
        }
        return (ids, scores);
    }

    /// <summary>The missing rows' −2·x·c by the kernel, with every real centroid's norm term 0 for the while.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScoreMissing(int[] rows, List<int> missing, float[] computed)
    {
        if (missing.Count == 0)
            return;
        int k = packed.K;
        var normTerms = new float[k];
        var terms = new Span<float>(packed.Norms, k);
        terms.CopyTo(normTerms);
        terms.Clear();
        try
        {
            var missingRows = new int[missing.Count];
            for (int m = 0; m < missing.Count; m++)
                missingRows[m] = rows[missing[m]];
            var rowBlocks = new RowBlocks(missingRows.Length, NearestCentroidSearch.RowsPerBlock);
            Action<long> score = [MethodImpl(MethodImplOptions.AggressiveOptimization)] (long block) =>
            {
                int first = (int)rowBlocks.First(block);
                int count = rowBlocks.Length(block);
                using var gathered = GatheredRows.Of(run.Sample, missingRows.AsSpan(first, count));
                NearestKernel.ScoreAll(gathered.Values, count, packed, computed.AsSpan(first * _stride, count * _stride), path);
            };
            if (rowBlocks.Count == 1)
                score(0);
            else
                rowBlocks.ForEach(run.Parallel, score);
        }
        finally
        {
            normTerms.CopyTo(new Span<float>(packed.Norms, k));
        }
    }

    /// <summary>Each row's kept scores plus the current norm terms, and their n lowest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Choose(float[]?[] kept, int[] offsets, int first, int count, int n, int listed, int[] ids, float[] scores)
    {
        int scratch = LowestScores.ScratchLength(_stride);
        float[] buffer = ArrayPool<float>.Shared.Rent(_stride + 2 * scratch);
        try
        {
            fixed (float* priced = buffer)
            fixed (int* bestLabel = ids)
            fixed (float* best = scores)
            {
                float* values = priced + _stride;
                int* candidates = (int*)(values + scratch);
                float* terms = packed.Norms;
                for (int i = first; i < first + count; i++)
                {
                    fixed (float* unpriced = kept[i])
                    {
                        float* row = unpriced + offsets[i];
                        for (int c = 0; c < _stride; c += LowestScores.Lanes / 2)
                            (Vector256.Load(row + c) + Vector256.Load(terms + c)).Store(priced + c);
                    }
                    LowestScores.Select(priced, _stride / LowestScores.Lanes, n, best + (long)i * listed,
                        bestLabel + (long)i * listed, values, candidates);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>The missing rows' scores kept, each in a new slot while there is room, else in the oldest's.</summary>
    private void Keep(int[] rows, List<int> missing, float[] computed)
    {
        for (int m = 0; m < missing.Count; m++)
        {
            int row = rows[missing[m]];
            if (_slotOf.ContainsKey(row))
                continue;
            int slot;
            if (_slots.Count < _capacity)
            {
                slot = _slots.Count;
                _slots.Add(new float[_stride]);
                _rowIn.Add(row);
            }
            else
            {
                slot = _oldest;
                _oldest = (_oldest + 1) % _capacity;
                _slotOf.Remove(_rowIn[slot]);
                _rowIn[slot] = row;
            }
            _slotOf[row] = slot;
            computed.AsSpan(m * _stride, _stride).CopyTo(_slots[slot]);
        }
    }
}
