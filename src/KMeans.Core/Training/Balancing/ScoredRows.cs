using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Planning;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// The nearest centroids under the prices of the moment for rows that the price steps and the searches of
/// <see cref="AugmentingPaths"/> score again and again, from each row's scores kept without their norm terms. The
/// kernel's score is −2·x·c + (‖c‖² + price), one fused multiply-add; −2·x·c alone is exact in float (a product by 2),
/// so the kept value plus the norm term of the moment, rounded once, is the kernel's score bit for bit under any prices
/// (and +∞ where a partition is priced out). A kept row then costs an addition per centroid and the choice of its
/// lowest (<see cref="LowestScores"/>) instead of the kernel's arithmetic, and the lists are exactly the kernel's.
/// </summary>
/// <remarks>
/// Why: the searches keep returning to the full partitions around a dense region while their prices rise (the skewed
/// mixture at MaxSizeRatio 1.2: 95,145 rows scanned in 265 searches, 6,101 of them distinct), and the price steps
/// before them to the rows of least gap in the same partitions. The centroids do not move meanwhile. At most
/// <paramref name="capacity"/> rows are kept (<see cref="BalancingMemory.ScoredRowsCapacity"/> in training); beyond,
/// the row kept longest makes room. What is kept never changes a list, only its cost. The store is native memory,
/// touched only as rows are kept and freed when the balancing ends.
/// </remarks>
internal sealed unsafe class ScoredRows(BalancingRun run, PackedCentroids packed, KernelPath path, int capacity) : IDisposable
{
    private readonly int _stride = NearestKernel.ScoreStride(packed.K);
    private readonly int _capacity = Math.Max(1, capacity);

    /// <summary>The norm terms as they were when <see cref="Nearest"/> was called, while the kernel runs without them.</summary>
    private readonly float[] _normTerms = new float[NearestKernel.ScoreStride(packed.K)];

    /// <summary>
    /// Rows scored by the kernel at a time: a block, or fewer where their scores would pass 1 MiB (16 rows at
    /// K = 16,384), so that a call for thousands of rows holds a few MiB of scores at a time.
    /// </summary>
    private readonly int _rowsScoredAtOnce = Math.Clamp((1 << 20) / (NearestKernel.ScoreStride(packed.K) * sizeof(float)), 1,
        NearestCentroidSearch.RowsPerBlock);

    private readonly Dictionary<int, int> _slotOf = [];

    /// <summary>A call's rows by whether they are kept, reused: a call of the production run's price steps had thousands.</summary>
    private readonly List<(int At, int Slot)> _kept = [];
    private readonly List<int> _missing = [];
    private int[] _keepIn = [];
    private readonly List<int> _rowIn = [];
    private int _oldest;
    private float* _store;

    /// <summary>
    /// For each of <paramref name="rows"/>, its <paramref name="n"/> nearest packed centroids under their current norm
    /// terms, ascending, ties to the lower index, at <c>i · <paramref name="listed"/></c> of the arrays returned
    /// (−1 and +∞ beyond n, or where fewer centroids score below +∞): what <see cref="NearestKernel.Assign"/> gives.
    /// The kept rows first, then the others by the kernel, a few at a time on all threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (int[] Ids, float[] Scores) Nearest(int[] rows, int n, int listed)
    {
        var ids = new int[rows.Length * listed];
        var scores = new float[rows.Length * listed];
        ids.AsSpan().Fill(-1);
        scores.AsSpan().Fill(float.PositiveInfinity);
        float[] normTerms = _normTerms;
        new ReadOnlySpan<float>(packed.Norms, _stride).CopyTo(normTerms);
        List<(int At, int Slot)> kept = _kept;
        List<int> missing = _missing;
        kept.Clear();
        missing.Clear();
        for (int i = 0; i < rows.Length; i++)
        {
            if (_slotOf.TryGetValue(rows[i], out int slot))
                kept.Add((i, slot));
            else
                missing.Add(i);
        }
        ForBlocks(kept.Count, NearestCentroidSearch.RowsPerBlock, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (int first, int count) =>
        {
            WorkArea work = TakeWorkArea();
            for (int i = first; i < first + count; i++)
                Choose(Slot(kept[i].Slot), normTerms, work.Scratch, kept[i].At, n, listed, ids, scores);
            _workAreas.Add(work);
        });
        int[] keepIn = SlotsFor(rows, missing);
        new Span<float>(packed.Norms, packed.K).Clear();
        try
        {
            ForBlocks(missing.Count, _rowsScoredAtOnce, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (int first, int count) =>
            {
                int[] blockRows = missing.GetRange(first, count).Select(at => rows[at]).ToArray();
                WorkArea work = TakeWorkArea();
                using (var gathered = GatheredRows.Of(run.Sample, blockRows))
                    NearestKernel.ScoreAll(gathered.Values, count, packed, work.Computed, path);
                fixed (float* unpriced = work.Computed)
                {
                    for (int i = 0; i < count; i++)
                    {
                        Choose(unpriced + (long)i * _stride, normTerms, work.Scratch, missing[first + i], n, listed, ids, scores);
                        if (keepIn[first + i] >= 0)
                            new ReadOnlySpan<float>(unpriced + (long)i * _stride, _stride).CopyTo(new Span<float>(Slot(keepIn[first + i]), _stride));
                    }
                }
                _workAreas.Add(work);
            });
        }
        finally
        {
            normTerms.AsSpan(0, packed.K).CopyTo(new Span<float>(packed.Norms, packed.K));
        }
        return (ids, scores);
    }

    public void Dispose()
    {
        if (_store == null)
            return;
        NativeMemory.Free(_store);
        _store = null;
    }

    private float* Slot(int slot) => _store + (long)slot * _stride;

    /// <summary>
    /// Runs <paramref name="body"/> on blocks of <paramref name="count"/> items: on this thread where they are one block
    /// (a scan's few dozen rows, see <see cref="AugmentingPaths"/>), else on all threads.
    /// </summary>
    private void ForBlocks(int count, int perBlock, Action<int, int> body)
    {
        var blocks = new RowBlocks(count, perBlock);
        if (blocks.Count == 1)
            body(0, count);
        else if (blocks.Count > 1)
            blocks.ForEach(run.Parallel, block => body((int)blocks.First(block), blocks.Length(block)));
    }

    /// <summary>
    /// Where each missing row's scores are to be kept (−1 for a row asked for twice, or beyond the room there is): a new
    /// slot while there is room, else the slot of the row kept longest. The kept rows were read before.
    /// </summary>
    private int[] SlotsFor(int[] rows, List<int> missing)
    {
        if (_keepIn.Length < missing.Count)
            _keepIn = new int[Math.Max(missing.Count, 2 * _keepIn.Length)];
        int[] keepIn = _keepIn;
        keepIn.AsSpan(0, missing.Count).Fill(-1);
        int taken = 0;
        for (int m = 0; m < missing.Count && taken < _capacity; m++)
        {
            int row = rows[missing[m]];
            if (_slotOf.ContainsKey(row))
                continue;
            _store = _store != null ? _store : (float*)NativeMemory.Alloc((nuint)_capacity * (nuint)_stride, sizeof(float));
            int slot;
            if (_rowIn.Count < _capacity)
            {
                slot = _rowIn.Count;
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
            keepIn[m] = slot;
            taken++;
        }
        return keepIn;
    }

    /// <summary>
    /// A thread's buffers for a block: the scores of the rows the kernel scores at once, and what
    /// <see cref="LowestScores"/> needs for a row. One per thread at work, kept for this object's life (from the
    /// shared array pool, the blocks' buffers had stayed in the pool after the training).
    /// </summary>
    private sealed class WorkArea(int stride, int rowsAtOnce)
    {
        public float[] Computed { get; } = new float[rowsAtOnce * stride];

        public float[] Scratch { get; } = new float[2 * LowestScores.ScratchLength(stride)];
    }

    private readonly System.Collections.Concurrent.ConcurrentBag<WorkArea> _workAreas = [];

    private WorkArea TakeWorkArea() => _workAreas.TryTake(out WorkArea? work) ? work : new WorkArea(_stride, _rowsScoredAtOnce);

    /// <summary>A row's kept scores plus the norm terms, and their n lowest, into its place in the lists.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Choose(float* unpriced, float[] normTerms, float[] scratch, int at, int n, int listed, int[] ids, float[] scores)
    {
        fixed (float* values = scratch)
        fixed (float* terms = normTerms)
        fixed (int* bestLabel = ids)
        fixed (float* best = scores)
        {
            LowestScores.Select(unpriced, terms, _stride / LowestScores.Lanes, n, best + (long)at * listed,
                bestLabel + (long)at * listed, values, (int*)(values + LowestScores.ScratchLength(_stride)));
        }
    }
}
