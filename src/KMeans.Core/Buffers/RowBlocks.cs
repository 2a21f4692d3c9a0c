namespace KMeans.Core.Buffers;

/// <summary>
/// The fixed partition of the sample into blocks of consecutive rows. It depends only on the row count and block size,
/// never on the thread count, which is what keeps per-block results reproducible.
/// </summary>
internal readonly record struct RowBlocks(long RowCount, int RowsPerBlock)
{
    public long Count => (RowCount + RowsPerBlock - 1) / RowsPerBlock;

    public long First(long block) => block * RowsPerBlock;

    public int Length(long block) => (int)Math.Min(RowsPerBlock, RowCount - block * RowsPerBlock);

    /// <summary>How far ahead of the block being read a pass asks the storage to read: about 16 MiB.</summary>
    public long ReadAheadBlocks(int dimension) =>
        Math.Max(1, (16L << 20) / ((long)RowsPerBlock * dimension * sizeof(float)));

    /// <summary>
    /// Asks <paramref name="sample"/> to start reading the block <see cref="ReadAheadBlocks"/> after
    /// <paramref name="block"/>, so that an on-disk sample streams while the current block is computed on.
    /// </summary>
    public void ReadAhead(TrainingBuffer sample, long block)
    {
        long ahead = block + ReadAheadBlocks(sample.Dimension);
        if (ahead < Count)
            sample.PrefetchRows(First(ahead), Length(ahead));
    }

    /// <summary>Runs <paramref name="body"/> for every block in parallel; stops between blocks when cancelled.</summary>
    public void ForEach(ParallelOptions parallel, Action<long> body)
    {
        Parallel.For(0L, Count, parallel, (block, state) =>
        {
            if (parallel.CancellationToken.IsCancellationRequested)
            {
                state.Stop();
                return;
            }
            body(block);
        });
        parallel.CancellationToken.ThrowIfCancellationRequested();
    }
}
