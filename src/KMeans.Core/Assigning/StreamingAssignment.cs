using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using KMeans.Core.Distance;
using KMeans.Core.Files;

namespace KMeans.Core.Assigning;

/// <summary>
/// Assigns every row of a vector source on several threads and hands the results back in input order with bounded
/// memory. Each of <see cref="Threads"/> workers takes the source in turn to copy the next chunk of rows into a buffer
/// of its own, then checks and assigns that chunk while the others read or assign theirs: there is no reader thread
/// to share the cores with, and a chunk is assigned on the core that has just copied it into its cache. At most
/// <see cref="ChunksInFlight"/> chunks are read ahead of the consumer, so a slow consumer (objects written to the
/// pipeline, a file writer) holds the workers back instead of letting rows pile up. Labels are those of
/// <see cref="NearestCentroidSearch"/>, which do not depend on the chunking or the thread count.
/// </summary>
public sealed class StreamingAssignment
{
    /// <summary>
    /// About 1 MiB of rows: the last chunk leaves the other workers idle only briefly, and a chunk is still in the
    /// cache when it is checked and assigned after its copy (on W1's shape from .npy: 0.97× the time of 2 MiB chunks).
    /// </summary>
    private const long ChunkBytes = 1L << 20;

    private readonly NearestCentroidSearch _search;
    private readonly ConcurrentBag<float[]> _spareChunks = [];
    private readonly ConcurrentBag<NearestCentroidSearch.Workspace> _spareWorkspaces = [];

    public StreamingAssignment(NearestCentroidSearch search, int threads, int nearest = 1)
        : this(search, threads, nearest, rowsPerChunk: null)
    {
    }

    /// <param name="rowsPerChunk">Tests cut small inputs into many chunks; otherwise about <see cref="ChunkBytes"/> of rows.</param>
    internal StreamingAssignment(NearestCentroidSearch search, int threads, int nearest, int? rowsPerChunk)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (nearest < 1 || nearest > search.K)
            throw new KMeansException(KMeansErrorKind.InvalidOption,
                $"Cannot give the {nearest} nearest centroids of each row: there are {search.K} centroids.", nearest);
        _search = search;
        Threads = threads;
        Nearest = nearest;
        RowsPerChunk = rowsPerChunk ?? (int)Math.Clamp(ChunkBytes / ((long)search.Dimension * sizeof(float)),
            NearestCentroidSearch.RowsPerBlock, 64 * NearestCentroidSearch.RowsPerBlock);
    }

    public int Threads { get; }

    public int Nearest { get; }

    public int RowsPerChunk { get; }

    /// <summary>Chunks read but not yet consumed: enough to keep every worker busy while the consumer catches up.</summary>
    public int ChunksInFlight => 2 * Threads + 2;

    /// <summary>
    /// The assignments of <paramref name="source"/>'s rows, chunk by chunk in row order; the first row gets index
    /// <paramref name="firstIndex"/>. Stopping the enumeration early, or <paramref name="cancellationToken"/>, stops the
    /// workers before this returns; a read error is thrown after the rows read before it.
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
        using var inFlight = new BlockingCollection<PendingChunk>();
        using var room = new SemaphoreSlim(ChunksInFlight);
        var reader = new ChunkReader(this, source, firstIndex, inFlight, token);
        Task[] workers = Enumerable.Range(0, Threads)
            .Select(_ => ParkedWorkers.Run(() => Work(reader, room, source.Description, token)))
            .ToArray();
        try
        {
            foreach (PendingChunk chunk in inFlight.GetConsumingEnumerable(token))
            {
                chunk.Done.Wait(token);
                yield return chunk.Result.Task.GetAwaiter().GetResult();
                room.Release();
            }
        }
        finally
        {
            stopping.Cancel();
            foreach (Task worker in workers)
                WaitQuietly(worker);
            reader.Dispose();
            // Chunks that were queued but never assigned (a stop, an error) keep theirs, for the collector.
            while (_spareChunks.TryTake(out float[]? buffer))
                ArrayPool<float>.Shared.Return(buffer);
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Until the source ends: waits for room ahead of the consumer, reads the next chunk (in turn with the other
    /// workers), then assigns it. A read error is queued in the chunk's place, so that the consumer meets it in order.
    /// </summary>
    private void Work(ChunkReader reader, SemaphoreSlim room, string description, CancellationToken token)
    {
        try
        {
            while (true)
            {
                room.Wait(token);
                PendingChunk? pending = reader.Next();
                if (pending is null)
                    return;
                if (pending.Chunk is not { } chunk)
                    continue;
                try
                {
                    if (chunk.Unread)
                        reader.ReadRange(chunk);
                    pending.Complete(Assign(chunk, description));
                }
                catch (Exception e)
                {
                    pending.Fail(e);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopped by the consumer or the caller; the consumer's own outcome is what the caller sees.
        }
    }

    /// <summary>
    /// A chunk's buffer: a spare one of this run, else one from the shared pool, where <see cref="RunChecked"/> returns
    /// them at the end. New arrays cost every call 6 to 8 MiB of large-object allocation, zeroed by the worker that
    /// took the chunk, under the reader's lock.
    /// </summary>
    private float[] TakeBuffer() =>
        _spareChunks.TryTake(out float[]? buffer) ? buffer : ArrayPool<float>.Shared.Rent(RowsPerChunk * _search.Dimension);

    /// <summary>
    /// Checks every row, moves the rows that can be assigned to the front of the chunk (their order kept), assigns
    /// them, and puts the results back at their rows.
    /// </summary>
    // Fully optimized from the first call: a call runs it once per chunk, too few times for the tiered JIT to promote it
    // before a fresh process's first few assignments are over (and the promotion competes with them for the cores).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private AssignedRows Assign(Chunk chunk, string description)
    {
        int d = _search.Dimension;
        int n = Nearest;
        KMeansException?[]? problems = null;
        int valid = EveryRowIsValid(chunk) ? chunk.Count : 0;
        int[] rowOf = valid == chunk.Count ? [] : new int[chunk.Count];
        for (int i = valid; i < chunk.Count; i++)
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

    /// <summary>
    /// Whether no row of the chunk is null or has a problem, known from one pass over all its values where the metric
    /// checks magnitudes only; else each row is checked.
    /// </summary>
    private bool EveryRowIsValid(Chunk chunk)
    {
        if (_search.Metric == DistanceMetric.Cosine || chunk.Nulls.AsSpan(0, chunk.Count).Contains(true))
            return false;
        ReadOnlySpan<float> values = chunk.Values.AsSpan(0, chunk.Count * _search.Dimension);
        return ValueRange.AllWithin(values, ValueRange.Limit(_search.Metric, _search.Dimension));
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

    /// <summary>
    /// A chunk queued in reading order and its result to come; a read error has no chunk, only the error. The consumer
    /// waits on <see cref="Done"/>, which blocks at once: a Task's wait spins first, and on a machine whose cores all
    /// run workers those spins (about 250 sched_yield calls per W1 call) took 3 ms of a 46 ms assignment from them. Its
    /// wait handle is never asked for, so there is nothing to dispose.
    /// </summary>
    private sealed record PendingChunk(Chunk? Chunk, TaskCompletionSource<AssignedRows> Result)
    {
        public ManualResetEventSlim Done { get; } = new(initialState: false, spinCount: 0);

        public static PendingChunk For(Chunk? chunk) => new(chunk, new TaskCompletionSource<AssignedRows>());

        public void Complete(AssignedRows rows)
        {
            Result.SetResult(rows);
            Done.Set();
        }

        public void Fail(Exception exception)
        {
            Result.SetException(exception);
            Done.Set();
        }
    }

    /// <summary>
    /// The source's rows cut into chunks, one worker at a time: the worker that takes the next chunk copies it and
    /// queues it for the consumer under the same lock, so chunks leave in reading order whoever assigns them. A source
    /// that reads row ranges (<see cref="IRowRangeSource"/>) has only its next range taken under the lock: the worker
    /// reads it after, straight into the chunk, while the others read or assign theirs.
    /// </summary>
    private sealed class ChunkReader(StreamingAssignment owner, IVectorSource source, long firstIndex,
        BlockingCollection<PendingChunk> inFlight, CancellationToken token) : IDisposable
    {
        private readonly object _lock = new();
        private readonly IRowRangeSource? _ranges =
            source is IRowRangeSource { ReadsRowRanges: true } ranges && source.RowCount is not null ? ranges : null;
        private long _nextRow;
        private IEnumerator<VectorBatch>? _batches;
        private VectorBatch _batch;
        private int _taken;
        private Chunk? _filling;
        private bool _ended;

        /// <summary>
        /// The next chunk, already queued for the consumer; null once the source has ended. A read error ends the
        /// source: the rows copied before it are queued as a last chunk, then the error in its own place.
        /// </summary>
        public PendingChunk? Next()
        {
            lock (_lock)
            {
                if (_ended)
                    return null;
                if (_ranges is not null)
                    return TakeRange();
                bool more;
                try
                {
                    more = Fill();
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    PendingChunk? last = Queue(_filling);
                    var failed = PendingChunk.For(chunk: null);
                    failed.Fail(e);
                    inFlight.Add(failed);
                    End();
                    return last ?? failed;
                }
                PendingChunk? pending = Queue(_filling);
                if (!more)
                    End();
                return pending;
            }
        }

        /// <summary>
        /// Reads a chunk that <see cref="TakeRange"/> left unread. On failure no further chunk is taken, and the
        /// exception goes to the caller, to be queued in the chunk's place.
        /// </summary>
        public void ReadRange(Chunk chunk)
        {
            try
            {
                _ranges!.ReadRows(chunk.FirstSourceRow, chunk.Count, chunk.Values);
                chunk.Unread = false;
            }
            catch
            {
                lock (_lock)
                    End();
                throw;
            }
        }

        public void Dispose() => _batches?.Dispose();

        /// <summary>
        /// The next range of rows as a chunk to read, already queued; null once every row is taken. Near the end the
        /// ranges shrink (down to a kernel block), so that the workers finish together instead of one assigning a whole
        /// last chunk while the others wait.
        /// </summary>
        private PendingChunk? TakeRange()
        {
            long rows = source.RowCount!.Value;
            long shareOfRest = (rows - _nextRow + 2 * owner.Threads - 1) / (2 * owner.Threads);
            int count = (int)Math.Min(Math.Min(owner.RowsPerChunk, Math.Max(NearestCentroidSearch.RowsPerBlock, shareOfRest)),
                rows - _nextRow);
            if (count <= 0)
            {
                End();
                return null;
            }
            var chunk = new Chunk(firstIndex + _nextRow, _nextRow, owner.TakeBuffer(), owner.RowsPerChunk)
            {
                Count = count,
                Unread = true,
            };
            _nextRow += count;
            PendingChunk? pending = Queue(chunk);
            if (_nextRow == rows)
                End();
            return pending;
        }

        private PendingChunk? Queue(Chunk? chunk)
        {
            _filling = null;
            if (chunk is null || chunk.Count == 0)
                return null;
            var pending = PendingChunk.For(chunk);
            inFlight.Add(pending);
            return pending;
        }

        private void End()
        {
            _ended = true;
            inFlight.CompleteAdding();
        }

        /// <summary>Copies up to a chunk of rows into <see cref="_filling"/>; false when the source has no row left.</summary>
        // Fully optimized from the first call, as Assign is.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool Fill()
        {
            int d = source.Dimension;
            int capacity = owner.RowsPerChunk;
            while (_filling is null || _filling.Count < capacity)
            {
                if (_taken == _batch.RowCount)
                {
                    _batches ??= source.ReadBatches(token).GetEnumerator();
                    if (!_batches.MoveNext())
                        return false;
                    _batch = _batches.Current;
                    _taken = 0;
                    continue;
                }
                _filling ??= new Chunk(firstIndex + _batch.FirstRow + _taken, _batch.FirstRow + _taken, owner.TakeBuffer(), capacity);
                int rows = Math.Min(_batch.RowCount - _taken, capacity - _filling.Count);
                _batch.Values.Span.Slice(_taken * d, rows * d).CopyTo(_filling.Values.AsSpan(_filling.Count * d));
                Span<bool> nulls = _filling.Nulls.AsSpan(_filling.Count, rows);
                if (_batch.NullRows.IsEmpty)
                    nulls.Clear();
                else
                    _batch.NullRows.Span.Slice(_taken, rows).CopyTo(nulls);
                _filling.Count += rows;
                _taken += rows;
            }
            return true;
        }
    }

    private sealed class Chunk(long firstIndex, long firstSourceRow, float[] values, int capacity)
    {
        public long FirstIndex { get; } = firstIndex;

        public long FirstSourceRow { get; } = firstSourceRow;

        public float[] Values { get; } = values;

        public bool[] Nulls { get; } = new bool[capacity];

        public int Count { get; set; }

        /// <summary>Rows taken as a range and not yet read into <see cref="Values"/>.</summary>
        public bool Unread { get; set; }
    }
}
