using System.Collections.Concurrent;
using KMeans.Core.Distance;
using KMeans.Core.Files;

namespace KMeans.Core.Assigning;

/// <summary>
/// Assigns every row of a vector source on several threads and hands the results back in input order with bounded
/// memory. One reader thread copies the source's rows into chunks; each chunk is assigned on one of
/// <see cref="Threads"/> worker threads; at most <see cref="ChunksInFlight"/> chunks are read ahead of the consumer, so a slow
/// consumer (objects written to the pipeline, a file writer) holds the reader back instead of letting rows pile up.
/// Labels are those of <see cref="NearestCentroidSearch"/>, which do not depend on the chunking or the thread count.
/// </summary>
public sealed class StreamingAssignment
{
    private const long ChunkBytes = 2L << 20;

    private readonly NearestCentroidSearch _search;
    private readonly ConcurrentBag<float[]> _spareChunks = [];
    private readonly ConcurrentBag<NearestCentroidSearch.Workspace> _spareWorkspaces = [];

    public StreamingAssignment(NearestCentroidSearch search, int threads, int nearest = 1)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (nearest < 1 || nearest > search.K)
            throw new KMeansException(KMeansErrorKind.InvalidOption,
                $"Cannot give the {nearest} nearest centroids of each row: there are {search.K} centroids.", nearest);
        _search = search;
        Threads = threads;
        Nearest = nearest;
        RowsPerChunk = (int)Math.Clamp(ChunkBytes / ((long)search.Dimension * sizeof(float)), NearestCentroidSearch.RowsPerBlock,
            64 * NearestCentroidSearch.RowsPerBlock);
    }

    public int Threads { get; }

    public int Nearest { get; }

    public int RowsPerChunk { get; }

    /// <summary>Chunks read but not yet consumed: enough to keep every worker busy while the consumer catches up.</summary>
    public int ChunksInFlight => 2 * Threads + 2;

    /// <summary>
    /// The assignments of <paramref name="source"/>'s rows, chunk by chunk in row order; the first row gets index
    /// <paramref name="firstIndex"/>. Stopping the enumeration early, or <paramref name="cancellationToken"/>, stops the
    /// reader and the workers before this returns; a read error is thrown after the rows read before it.
    /// </summary>
    public IEnumerable<AssignedRows> Run(IVectorSource source, long firstIndex, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Dimension != _search.Dimension)
            throw new KMeansException(KMeansErrorKind.DimensionMismatch,
                $"{source.Description} has {source.Dimension} dimensions, but the centroids have {_search.Dimension}.",
                source.Description);
        return RunChecked(source, firstIndex, cancellationToken);
    }

    private IEnumerable<AssignedRows> RunChecked(IVectorSource source, long firstIndex, CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CancellationToken token = stopping.Token;
        using var inFlight = new BlockingCollection<PendingChunk>(ChunksInFlight);
        using var work = new BlockingCollection<PendingChunk>(ChunksInFlight);
        // Dedicated threads, not the thread pool: a consumer that blocks on a pool thread would otherwise leave the
        // workers waiting for the pool to grow, which on a small machine takes about a second.
        Task reader = Task.Factory.StartNew(() => Read(source, firstIndex, inFlight, work, token), token,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Task[] workers = Enumerable.Range(0, Threads)
            .Select(_ => Task.Factory.StartNew(() => Work(work, source.Description, token), token,
                TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        try
        {
            foreach (PendingChunk chunk in inFlight.GetConsumingEnumerable(token))
            {
                WaitQuietly(chunk.Result.Task, token);
                yield return chunk.Result.Task.GetAwaiter().GetResult();
            }
            reader.GetAwaiter().GetResult();
        }
        finally
        {
            stopping.Cancel();
            WaitQuietly(reader);
            foreach (Task worker in workers)
                WaitQuietly(worker);
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void Read(IVectorSource source, long firstIndex, BlockingCollection<PendingChunk> inFlight,
        BlockingCollection<PendingChunk> work, CancellationToken token)
    {
        try
        {
            int d = _search.Dimension;
            Chunk? chunk = null;
            foreach (VectorBatch batch in source.ReadBatches(token))
            {
                ReadOnlySpan<float> values = batch.Values.Span;
                for (int taken = 0; taken < batch.RowCount;)
                {
                    chunk ??= new Chunk(firstIndex + batch.FirstRow + taken, batch.FirstRow + taken, TakeBuffer(), RowsPerChunk);
                    int rows = Math.Min(batch.RowCount - taken, RowsPerChunk - chunk.Count);
                    values.Slice(taken * d, rows * d).CopyTo(chunk.Values.AsSpan(chunk.Count * d));
                    for (int i = 0; i < rows; i++)
                        chunk.Nulls[chunk.Count + i] = batch.IsNull(taken + i);
                    chunk.Count += rows;
                    taken += rows;
                    if (chunk.Count == RowsPerChunk)
                    {
                        Submit(chunk, inFlight, work, token);
                        chunk = null;
                    }
                }
            }
            if (chunk is not null)
                Submit(chunk, inFlight, work, token);
        }
        finally
        {
            inFlight.CompleteAdding();
            work.CompleteAdding();
        }
    }

    /// <summary>Queues the chunk for the consumer first, so that results leave in reading order, then for a worker.</summary>
    private static void Submit(Chunk chunk, BlockingCollection<PendingChunk> inFlight, BlockingCollection<PendingChunk> work,
        CancellationToken token)
    {
        var pending = new PendingChunk(chunk, new TaskCompletionSource<AssignedRows>(TaskCreationOptions.RunContinuationsAsynchronously));
        inFlight.Add(pending, token);
        work.Add(pending, token);
    }

    private void Work(BlockingCollection<PendingChunk> work, string description, CancellationToken token)
    {
        foreach (PendingChunk pending in work.GetConsumingEnumerable(token))
        {
            try
            {
                pending.Result.SetResult(Assign(pending.Chunk, description));
            }
            catch (Exception e)
            {
                pending.Result.SetException(e);
            }
        }
    }

    private float[] TakeBuffer() =>
        _spareChunks.TryTake(out float[]? buffer) ? buffer : new float[RowsPerChunk * _search.Dimension];

    /// <summary>
    /// Checks every row, moves the rows that can be assigned to the front of the chunk (their order kept), assigns
    /// them, and puts the results back at their rows.
    /// </summary>
    private AssignedRows Assign(Chunk chunk, string description)
    {
        int d = _search.Dimension;
        int n = Nearest;
        KMeansException?[]? problems = null;
        var rowOf = new int[chunk.Count];
        int valid = 0;
        for (int i = 0; i < chunk.Count; i++)
        {
            if (chunk.Nulls[i])
                continue;
            ReadOnlySpan<float> row = chunk.Values.AsSpan(i * d, d);
            if (RowProblem.Of(row, _search.Metric, chunk.FirstIndex + i, chunk.FirstSourceRow + i, description) is { } problem)
            {
                (problems ??= new KMeansException?[chunk.Count])[i] = problem;
                continue;
            }
            if (valid != i)
                row.CopyTo(chunk.Values.AsSpan(valid * d, d));
            rowOf[valid++] = i;
        }

        var compactIds = new int[valid * n];
        var compactDistances = new float[valid * n];
        NearestCentroidSearch.Workspace workspace = _spareWorkspaces.TryTake(out var spare) ? spare : _search.CreateWorkspace();
        ReadOnlySpan<float> rows = chunk.Values.AsSpan(0, valid * d);
        if (n == 1)
            _search.Assign(rows, compactIds, compactDistances, workspace);
        else
            _search.AssignNearest(rows, n, compactIds, compactDistances, workspace);
        _spareWorkspaces.Add(workspace);
        _spareChunks.Add(chunk.Values);

        int[] clusterIds;
        float[] distances;
        if (valid == chunk.Count)
        {
            clusterIds = compactIds;
            distances = compactDistances;
        }
        else
        {
            clusterIds = new int[chunk.Count * n];
            distances = new float[chunk.Count * n];
            clusterIds.AsSpan().Fill(-1);
            for (int v = 0; v < valid; v++)
            {
                compactIds.AsSpan(v * n, n).CopyTo(clusterIds.AsSpan(rowOf[v] * n));
                compactDistances.AsSpan(v * n, n).CopyTo(distances.AsSpan(rowOf[v] * n));
            }
        }
        return new AssignedRows(chunk.FirstIndex, chunk.FirstSourceRow, chunk.Count, n, clusterIds, distances, problems);
    }

    /// <summary>Waits for <paramref name="task"/> without rethrowing its failure; cancelling the wait throws.</summary>
    private static void WaitQuietly(Task task, CancellationToken token)
    {
        try
        {
            task.Wait(token);
        }
        catch (AggregateException)
        {
            // The caller takes the task's own exception from it next.
        }
    }

    private static void WaitQuietly(Task task)
    {
        try
        {
            task.Wait();
        }
        catch (AggregateException)
        {
            // Cancelled or failed after the consumer stopped: the consumer's own outcome is what the caller sees.
        }
    }

    private sealed record PendingChunk(Chunk Chunk, TaskCompletionSource<AssignedRows> Result);

    private sealed class Chunk(long firstIndex, long firstSourceRow, float[] values, int capacity)
    {
        public long FirstIndex { get; } = firstIndex;

        public long FirstSourceRow { get; } = firstSourceRow;

        public float[] Values { get; } = values;

        public bool[] Nulls { get; } = new bool[capacity];

        public int Count { get; set; }
    }
}
