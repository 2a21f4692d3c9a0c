namespace KMeans.Core.Training;

/// <summary>
/// The fixed partition of the sample into blocks of consecutive rows. It depends only on the row count and block size,
/// never on the thread count, which is what keeps per-block results reproducible.
/// </summary>
internal readonly record struct RowBlocks(long RowCount, int RowsPerBlock)
{
    public long Count => (RowCount + RowsPerBlock - 1) / RowsPerBlock;

    public long First(long block) => block * RowsPerBlock;

    public int Length(long block) => (int)Math.Min(RowsPerBlock, RowCount - block * RowsPerBlock);

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
