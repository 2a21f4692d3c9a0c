using KMeans.Core.Buffers;

namespace KMeans.Core.Training;

/// <summary>
/// Feeds one assignment pass's labels to the next update while the rows are still cached: the sample is cut into
/// ranges of whole blocks, and as soon as every row of the next range in order has its final label, whichever worker
/// finished it adds the range's rows to the sums (one adder at a time, ranges strictly in row order, so every sum is
/// taken in row order and results stay bit-identical). Nobody waits: a worker that finishes a range while another is
/// adding leaves it to that adder, who checks for finished ranges before it stops. The adder also counts the cluster
/// sizes and, where the pass's row losses are final with the labels, sums the loss in row order, so the pass ends
/// without a serial loop over every row; with <see cref="RangeLosses"/>, it computes the rows' L2 losses too.
/// </summary>
internal sealed class OrderedRangeUpdate
{
    private readonly TrainingBuffer _sample;
    private readonly RowBlocks _blocks;
    private readonly int[] _labels;
    private readonly CentroidUpdate _update;
    private readonly RangeLosses? _losses;
    private readonly long[] _sizes;
    private readonly float[]? _rowLoss;
    private readonly CancellationToken _cancellation;
    private readonly long _blocksPerRange;
    private readonly long[] _rowsLeft;
    private readonly object _gate = new();
    private long _nextRange;
    private bool _adding;

    public OrderedRangeUpdate(TrainingBuffer sample, RowBlocks blocks, long blocksPerRange, int[] labels, CentroidUpdate update,
        CancellationToken cancellation, long[] sizes, float[]? rowLoss, RangeLosses? losses = null)
    {
        _losses = losses;
        _sizes = sizes;
        _rowLoss = rowLoss;
        Array.Clear(sizes);
        _sample = sample;
        _blocks = blocks;
        _blocksPerRange = blocksPerRange;
        _labels = labels;
        _update = update;
        _cancellation = cancellation;
        long ranges = (blocks.Count + blocksPerRange - 1) / blocksPerRange;
        _rowsLeft = new long[ranges];
        for (long range = 0; range < ranges; range++)
            _rowsLeft[range] = RowsIn(range);
        update.Clear();
    }

    /// <summary>Whether every range was added (false only after a cancellation).</summary>
    public bool Complete => _nextRange == _rowsLeft.Length;

    /// <summary>
    /// With a row loss array, the sum of its values in row order, taken range after range once a range is added (so
    /// its losses must be final by then); the same double as one loop over every row after the pass.
    /// </summary>
    public double Loss { get; private set; }

    private long RowsPerRange => _blocksPerRange * _blocks.RowsPerBlock;

    /// <summary>Records that <paramref name="count"/> rows from <paramref name="firstRow"/> on, all in one range, have their final labels.</summary>
    public void Finished(long firstRow, long count)
    {
        if (count > 0 && Interlocked.Add(ref _rowsLeft[firstRow / RowsPerRange], -count) == 0)
            AddFinishedRanges();
    }

    /// <summary>Records final labels for rows given by increasing index (a worker's batch, possibly spanning ranges).</summary>
    public void Finished(ReadOnlySpan<long> rows)
    {
        int start = 0;
        for (int i = 1; i <= rows.Length; i++)
        {
            if (i == rows.Length || rows[i] / RowsPerRange != rows[start] / RowsPerRange)
            {
                Finished(rows[start], i - start);
                start = i;
            }
        }
    }

    private void AddFinishedRanges()
    {
        lock (_gate)
        {
            if (_adding)
                return;
            _adding = true;
        }
        while (true)
        {
            long range;
            lock (_gate)
            {
                if (_nextRange == _rowsLeft.Length || Volatile.Read(ref _rowsLeft[_nextRange]) != 0 || _cancellation.IsCancellationRequested)
                {
                    _adding = false;
                    return;
                }
                range = _nextRange;
            }
            long firstBlock = range * _blocksPerRange;
            _update.Add(_sample, _blocks, firstBlock, Math.Min(_blocks.Count, firstBlock + _blocksPerRange), _labels, _losses);
            CountAndSum(range);
            lock (_gate)
                _nextRange++;
        }
    }

    /// <summary>The range's labels into the sizes and, with row losses, its losses into <see cref="Loss"/>, in row order.</summary>
    private void CountAndSum(long range)
    {
        long first = range * RowsPerRange;
        long end = first + RowsIn(range);
        for (long row = first; row < end; row++)
            _sizes[_labels[row]]++;
        if (_rowLoss is null)
            return;
        double loss = Loss;
        for (long row = first; row < end; row++)
            loss += _rowLoss[row];
        Loss = loss;
    }

    private long RowsIn(long range) => Math.Min(RowsPerRange, _blocks.RowCount - range * RowsPerRange);
}
