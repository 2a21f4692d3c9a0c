using System.Diagnostics;
using System.Management.Automation;
using KMeans.Core;
using KMeans.Core.Assigning;
using KMeans.Core.Distance;
using KMeans.Core.IO;
using KMeans.PowerShell.Internal;

namespace KMeans.PowerShell;

/// <summary>
/// Assigns each input vector (from the pipeline or from vector files) to its nearest centroid, streaming one
/// KMeansAssignment per vector in input order, or with -Summary one KMeansAssignmentSummary per cluster at the end.
/// File rows are read on a worker and assigned in chunks through the training kernel on up to -ThrottleLimit threads;
/// this thread takes the results in input order and makes every Write* call, and StopProcessing cancels the workers.
/// Pipeline items are gathered into chunks of <see cref="PipelineChunkRows"/> and assigned the same way.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KMeansAssignment", DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(KMeansAssignment), typeof(KMeansAssignmentSummary))]
public sealed class GetKMeansAssignmentCommand : PSCmdlet, IDisposable
{
    private const string InputObjectSet = "InputObject";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const int ProgressActivityId = 1;
    private const int PipelineChunkRows = 1024;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Stopwatch _sinceProgress = new();
    private readonly List<PendingItem> _pending = [];
    private NearestCentroidSearch? _nearest;
    private NearestCentroidSearch.Workspace[]? _workspaces;
    private KMeansDistance _distance;
    private long _nextIndex;
    private long[]? _counts;
    private double[]? _distanceSums;

    /// <summary>Vectors, objects holding one in -VectorProperty, or vector files (FileInfo objects, path strings).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public PSObject? InputObject { get; set; }

    [Parameter(ParameterSetName = InputObjectSet)]
    [ValidateNotNullOrEmpty]
    public string VectorProperty { get; set; } = "Vector";

    /// <summary>Vector files whose rows are assigned, in order; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string[]? Path { get; set; }

    /// <summary>Vector files taken as written. Piped FileInfo objects and path strings arrive through -InputObject.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    public string? Column { get; set; }

    /// <summary>
    /// KMeansCentroid objects, a KMeansModel, a centroid file, or vectors. The first positional parameter with piped
    /// input (as before -Path existed at position 0); with -Path named or given first, name it: data.npy -Centroid c.npy.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = InputObjectSet)]
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public object[]? Centroid { get; set; }

    /// <summary>The metric; by default the model's or the file's, else L2.</summary>
    [Parameter]
    public KMeansDistance? Distance { get; set; }

    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>Threads assigning rows at once; by default one per processor.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    protected override void BeginProcessing()
    {
        CentroidInput? centroids = CentroidInput.Read(this, Centroid!, out ErrorRecord? error);
        if (error is not null)
            ThrowTerminatingError(error);
        IReadOnlyList<float[]> vectors = centroids!.Vectors;
        for (int c = 1; c < vectors.Count; c++)
        {
            if (vectors[c].Length != vectors[0].Length)
                ThrowTerminatingError(KMeansErrors.InvalidCentroid(c, vectors[c],
                    $"it has {vectors[c].Length} values, but centroid 0 has {vectors[0].Length}."));
        }
        _distance = Distance ?? centroids.Distance ?? KMeansDistance.L2;
        for (int c = 0; c < vectors.Count; c++)
        {
            if (_distance == KMeansDistance.Cosine && vectors[c].All(x => x == 0))
                ThrowTerminatingError(KMeansErrors.InvalidCentroid(c, vectors[c],
                    "it is the zero vector, which has no direction under Cosine distance."));
        }
        _nearest = new NearestCentroidSearch(vectors, _distance.ToCore());
        _counts = new long[vectors.Count];
        _distanceSums = new double[vectors.Count];
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName != InputObjectSet)
        {
            bool literal = ParameterSetName == LiteralPathSet;
            AssignFiles((literal ? LiteralPath : Path)!, literal);
            return;
        }
        if (PipedFile.TryGetPath(InputObject, VectorProperty, out string file, out bool literalFile))
        {
            // Vectors piped before the file come first in the output, as their indices do.
            AssignPending();
            AssignFiles([file], literalFile);
            return;
        }
        object? item = VectorConverter.Unwrap(InputObject);
        if (item is System.Collections.IList items && !VectorConverter.IsNumberList(item) && item is not System.Collections.IDictionary)
        {
            foreach (object? element in items)
                Gather(element);
        }
        else
        {
            Gather(InputObject);
        }
    }

    protected override void EndProcessing()
    {
        AssignPending();
        if (!Summary)
            return;
        long[] counts = _counts!;
        long total = counts.Sum();
        for (int c = 0; c < counts.Length; c++)
        {
            long count = counts[c];
            WriteObject(new KMeansAssignmentSummary(c, count, total == 0 ? 0 : (double)count / total,
                count == 0 ? double.NaN : _distanceSums![c] / count));
        }
    }

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        _nearest?.Dispose();
    }

    /// <summary>Converts and checks one pipeline item now, so that its error names it; assigns once a chunk is full.</summary>
    private void Gather(object? item)
    {
        long index = _nextIndex++;
        if (!VectorConverter.TryConvert(item, VectorProperty, out float[]? vector, out string? notAVector))
        {
            _pending.Add(new PendingItem(index, null, KMeansErrors.NotAVector(index, item, notAVector)));
        }
        else if (vector.Length != _nearest!.Dimension)
        {
            _pending.Add(new PendingItem(index, null, KMeansErrors.FromException(new KMeansException(KMeansErrorKind.DimensionMismatch,
                $"Input item {index} has {vector.Length} values, but the centroids have {_nearest.Dimension}.", index))));
        }
        else if (RowProblem.Of(vector, _nearest.Metric, index, sourceRow: null, description: null) is { } problem)
        {
            _pending.Add(new PendingItem(index, null, KMeansErrors.FromException(problem)));
        }
        else
        {
            _pending.Add(new PendingItem(index, vector, null));
        }
        if (_pending.Count == PipelineChunkRows)
            AssignPending();
    }

    /// <summary>Assigns the gathered items on up to -ThrottleLimit threads, then writes results and errors in input order.</summary>
    private void AssignPending()
    {
        if (_pending.Count == 0)
            return;
        NearestCentroidSearch nearest = _nearest!;
        int d = nearest.Dimension;
        PendingItem[] vectors = _pending.Where(p => p.Vector is not null).ToArray();
        var rows = new float[vectors.Length * d];
        for (int v = 0; v < vectors.Length; v++)
            vectors[v].Vector!.CopyTo(rows, v * d);
        var clusterIds = new int[vectors.Length];
        var distances = new float[vectors.Length];
        int blocks = (vectors.Length + NearestCentroidSearch.RowsPerBlock - 1) / NearestCentroidSearch.RowsPerBlock;
        int threads = Math.Max(1, Math.Min(ThrottleLimit, blocks));
        _workspaces ??= [];
        if (_workspaces.Length < threads)
            _workspaces = Enumerable.Range(0, threads).Select(_ => nearest.CreateWorkspace()).ToArray();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, thread =>
        {
            for (int block = thread; block < blocks; block += threads)
            {
                int first = block * NearestCentroidSearch.RowsPerBlock;
                int count = Math.Min(NearestCentroidSearch.RowsPerBlock, vectors.Length - first);
                nearest.Assign(rows.AsSpan(first * d, count * d), clusterIds.AsSpan(first, count),
                    distances.AsSpan(first, count), _workspaces[thread]);
            }
        });
        int next = 0;
        foreach (PendingItem item in _pending)
        {
            if (item.Error is not null)
            {
                WriteError(item.Error);
                continue;
            }
            Record(item.Index, clusterIds[next], distances[next]);
            next++;
        }
        _pending.Clear();
    }

    private void AssignFiles(string[] paths, bool literal)
    {
        foreach (string file in ProviderPaths.ExistingFilesReportingMisses(this, paths, literal))
        {
            using IVectorSource? source = VectorFiles.Open([file], Column, out ErrorRecord? error);
            if (error is not null)
                WriteError(error);
            else
                AssignSource(source!);
        }
    }

    private void AssignSource(IVectorSource source)
    {
        string activity = $"Assigning the rows of {source.Description}";
        var elapsed = Stopwatch.StartNew();
        _sinceProgress.Restart();
        long rowsDone = 0;
        try
        {
            var assignment = new StreamingAssignment(_nearest!, ThrottleLimit);
            foreach (AssignedRows chunk in assignment.Run(source, _nextIndex, _stopping.Token))
            {
                WriteChunk(chunk);
                rowsDone = chunk.FirstSourceRow + chunk.RowCount;
                WriteFileProgress(activity, rowsDone, source.RowCount, elapsed.Elapsed);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (KMeansException e)
        {
            WriteError(KMeansErrors.FromException(e));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(KMeansErrors.FileUnreadable(source.Description, e));
        }
        finally
        {
            _nextIndex += rowsDone;
            WriteProgress(new ProgressRecord(ProgressActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    /// <summary>Writes one chunk's rows in order: errors for rows that could not be assigned, assignments for the rest.</summary>
    private void WriteChunk(AssignedRows chunk)
    {
        ReadOnlySpan<int> clusterIds = chunk.ClusterIds.Span;
        for (int i = 0; i < chunk.RowCount; i++)
        {
            if (chunk.IsAssigned(i))
                Record(chunk.FirstIndex + i, clusterIds[i], chunk.Distances.Span[i]);
            else if (chunk.Problem(i) is { } problem)
                WriteError(KMeansErrors.FromException(problem));
        }
    }

    private void Record(long index, int clusterId, double distance)
    {
        _counts![clusterId]++;
        _distanceSums![clusterId] += distance;
        if (!Summary)
            WriteObject(new KMeansAssignment(index, clusterId, distance));
    }

    private void WriteFileProgress(string activity, long rowsDone, long? total, TimeSpan elapsed)
    {
        if (_sinceProgress.Elapsed < ProgressInterval)
            return;
        _sinceProgress.Restart();
        var record = new ProgressRecord(ProgressActivityId, activity, total is long known ? $"{rowsDone:N0} of {known:N0} rows" : $"{rowsDone:N0} rows");
        if (total is long rows && rows > 0 && rowsDone > 0)
        {
            record.PercentComplete = (int)Math.Min(100, 100 * rowsDone / rows);
            record.SecondsRemaining = (int)Math.Ceiling(elapsed.TotalSeconds * (rows - rowsDone) / rowsDone);
        }
        WriteProgress(record);
    }

    /// <param name="Vector">The checked vector, or null when <paramref name="Error"/> says why the item is not assigned.</param>
    private readonly record struct PendingItem(long Index, float[]? Vector, ErrorRecord? Error);
}
