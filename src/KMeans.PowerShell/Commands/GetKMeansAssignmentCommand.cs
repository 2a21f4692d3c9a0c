using System.Diagnostics;
using System.Management.Automation;
using KMeans.Core;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Numerics;
using KMeans.Core.Training;
using KMeans.PowerShell.Internal;

namespace KMeans.PowerShell;

/// <summary>
/// Assigns each input vector (from the pipeline or from vector files) to its nearest centroid, streaming one
/// KMeansAssignment per vector in input order, or with -Summary one KMeansAssignmentSummary per cluster at the end.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KMeansAssignment", DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(KMeansAssignment), typeof(KMeansAssignmentSummary))]
public sealed class GetKMeansAssignmentCommand : PSCmdlet, IDisposable
{
    private const string InputObjectSet = "InputObject";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const int ProgressActivityId = 1;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Stopwatch _sinceProgress = new();
    private NearestCentroidSearch? _nearest;
    private KMeansDistance _distance;
    private float _valueLimit;
    private long _nextIndex;
    private long[]? _counts;
    private double[]? _distanceSums;

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public PSObject? InputObject { get; set; }

    [Parameter(ParameterSetName = InputObjectSet)]
    [ValidateNotNullOrEmpty]
    public string VectorProperty { get; set; } = "Vector";

    /// <summary>Vector files whose rows are assigned, in order; wildcards allowed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string[]? Path { get; set; }

    // Not bound from the pipeline by property name: piped objects are vectors (-InputObject) here.
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ArgumentCompleter(typeof(VectorColumnCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Column { get; set; }

    /// <summary>KMeansCentroid objects, a KMeansModel, a centroid file, or vectors.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public object[]? Centroid { get; set; }

    /// <summary>The metric; by default the model's or the file's, else L2.</summary>
    [Parameter]
    public KMeansDistance? Distance { get; set; }

    [Parameter]
    public SwitchParameter Summary { get; set; }

    protected override void BeginProcessing()
    {
        CentroidInput? centroids = CentroidInput.Read(this, Centroid!, out ErrorRecord? error);
        if (error is not null)
            ThrowTerminatingError(error);
        IReadOnlyList<float[]> vectors = centroids!.Vectors;
        _distance = Distance ?? centroids.Distance ?? KMeansDistance.L2;
        try
        {
            CentroidValidation.Validate(vectors, _distance.ToCore());
        }
        catch (KMeansException e)
        {
            ThrowTerminatingError(KMeansErrors.FromException(e, e.Target is int c ? vectors[c] : null));
        }
        _valueLimit = ValueRange.Limit(_distance.ToCore(), vectors[0].Length);
        _nearest = new NearestCentroidSearch(vectors, _distance.ToCore());
        _counts = new long[vectors.Count];
        _distanceSums = new double[vectors.Count];
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName != InputObjectSet)
        {
            AssignFiles();
            return;
        }
        object? item = VectorConverter.Unwrap(InputObject);
        if (item is System.Collections.IList items && !VectorConverter.IsNumberList(item) && item is not System.Collections.IDictionary)
        {
            foreach (object? element in items)
                AssignItem(element);
        }
        else
        {
            AssignItem(InputObject);
        }
    }

    protected override void EndProcessing()
    {
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

    private void AssignItem(object? item)
    {
        long index = _nextIndex++;
        if (!VectorConverter.TryConvert(item, VectorProperty, out float[]? vector, out string? notAVector))
        {
            WriteError(KMeansErrors.NotAVector(index, item, notAVector));
            return;
        }
        if (vector.Length != _nearest!.Dimension)
        {
            WriteError(KMeansErrors.FromException(new KMeansException(KMeansErrorKind.DimensionMismatch,
                $"Input item {index} has {vector.Length} values, but the centroids have {_nearest.Dimension}.", index)));
            return;
        }
        Assign(index, vector, source: null, fileRow: 0);
    }

    private void AssignFiles()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (string file in ProviderPaths.ExistingFilesReportingMisses(this, (literal ? LiteralPath : Path)!, literal))
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
        if (source.Dimension != _nearest!.Dimension)
        {
            WriteError(KMeansErrors.FromException(new KMeansException(KMeansErrorKind.DimensionMismatch,
                $"{source.Description} has {source.Dimension} dimensions, but the centroids have {_nearest.Dimension}.",
                source.Description)));
            return;
        }
        string activity = $"Assigning the rows of {source.Description}";
        _sinceProgress.Restart();
        long rowsRead = 0;
        try
        {
            foreach (VectorBatch batch in source.ReadBatches(_stopping.Token))
            {
                ReadOnlySpan<float> values = batch.Values.Span;
                int d = source.Dimension;
                for (int i = 0; i < batch.RowCount; i++)
                {
                    if (!batch.IsNull(i))
                        Assign(_nextIndex + batch.FirstRow + i, values.Slice(i * d, d), source, batch.FirstRow + i);
                }
                rowsRead = batch.FirstRow + batch.RowCount;
                WriteFileProgress(activity, rowsRead, source.RowCount);
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
            _nextIndex += rowsRead;
        }
        WriteProgress(new ProgressRecord(ProgressActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
    }

    /// <param name="source">The file the vector comes from, with its row there, or null for a pipeline item.</param>
    private void Assign(long index, ReadOnlySpan<float> vector, IVectorSource? source, long fileRow)
    {
        string What() => source is null ? $"Input item {index}" : $"Row {fileRow} of {source.Description} (Index {index})";

        int column = ValueRange.FirstOutside(vector, _valueLimit);
        if (column >= 0)
        {
            (KMeansErrorKind kind, string problem) = ValueRange.Describe(vector, column, _distance.ToCore());
            WriteError(KMeansErrors.FromException(new KMeansException(kind, $"{What()} {problem}.", index)));
            return;
        }
        if (_distance == KMeansDistance.Cosine && VectorNorm.IsZero(vector))
        {
            WriteError(KMeansErrors.FromException(new KMeansException(KMeansErrorKind.ZeroVector,
                $"{What()} is the zero vector (every value is 0), which has no direction under Cosine distance.", index)));
            return;
        }
        (int clusterId, double distance) = _nearest!.Assign(vector);
        _counts![clusterId]++;
        _distanceSums![clusterId] += distance;
        if (!Summary)
            WriteObject(new KMeansAssignment(index, clusterId, distance));
    }

    private void WriteFileProgress(string activity, long rowsRead, long? total)
    {
        if (_sinceProgress.Elapsed < ProgressInterval)
            return;
        _sinceProgress.Restart();
        var record = new ProgressRecord(ProgressActivityId, activity, total is long known ? $"{rowsRead:N0} of {known:N0} rows" : $"{rowsRead:N0} rows");
        if (total is long rows && rows > 0)
            record.PercentComplete = (int)Math.Min(100, 100 * rowsRead / rows);
        WriteProgress(record);
    }
}
