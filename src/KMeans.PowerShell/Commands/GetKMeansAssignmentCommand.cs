using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using KMeans.Core.Assigning;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Sampling;
using KMeans.Core.Training;
using KMeans.Core;
using KMeans.PowerShell.Binding;
using KMeans.PowerShell.Errors;
using KMeans.PowerShell.Hosting;
using KMeans.PowerShell.Mapping;
using KMeans.PowerShell.Paths;

namespace KMeans.PowerShell;

/// <summary>
/// Assigns each input vector (from the pipeline or from vector files) to its nearest centroid, streaming one
/// KMeansAssignment per vector in input order, or with -Summary one KMeansAssignmentSummary per cluster at the end.
/// File rows are read and assigned in chunks through the training kernel by up to -ThrottleLimit worker threads;
/// this thread takes the results in input order and makes every Write* call, and StopProcessing cancels the workers.
/// Pipeline items are gathered into chunks of <see cref="PipelineChunkRows"/> and assigned the same way.
/// With -OutFile the assignments go to a file instead of the pipeline, as Invoke-WebRequest -OutFile does with a
/// response: the cmdlet that computes them writes them, so a billion rows never become objects, and no Export cmdlet
/// has to take back what the pipeline could not carry.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KMeansAssignment", DefaultParameterSetName = InputObjectSet, SupportsShouldProcess = true,
    ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(KMeansAssignment), typeof(KMeansAssignmentSummary), typeof(FileInfo))]
public sealed class GetKMeansAssignmentCommand : VectorInputCommand, IDisposable
{
    private const int ProgressActivityId = 1;
    private const int PipelineChunkRows = 1024;

    private readonly CancellationTokenSource _stopping = new();
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();
    private readonly List<PendingItem> _pending = [];
    private NearestCentroidSearch? _nearest;
    private NearestCentroidSearch.Workspace[]? _workspaces;
    private KMeansDistance _distance;
    private long _nextIndex;
    private long[]? _counts;
    private double[]? _distanceSums;
    private AssignmentFileWriter? _outFile;

    /// <summary>Where piped vectors' float64 values are noted as they are read as float32 (files keep their own).</summary>
    private Float64Narrowing? _pipedNarrowing;

    /// <summary>A file whose row count could not be read, so that it counted no rows in Index; said when another input follows.</summary>
    private string? _uncounted;
    private bool _declined;
    private bool _inputGiven;
    private bool _namedFilesAssigned;
    private bool _vectorsGathered;
    /// <summary>Strings that named no file, piped before any vector or file: see <see cref="ProcessRecord"/>.</summary>
    private readonly List<(PSObject Item, string Path, bool Literal)> _undecided = [];
    private bool _inputRead;

    /// <summary>
    /// The data files of <see cref="ReadPathGivenFirst"/>, each with whether it is literal (a FileInfo's) or a path
    /// whose wildcards expand; null when the input is read otherwise.
    /// </summary>
    private (string Path, bool Literal)[]? _pathsGivenFirst;

    /// <summary>
    /// KMeansCentroid objects, a KMeansModel, a centroid file, or vectors. The first positional parameter with piped
    /// input, the second after the data files: Get-KMeansAssignment data.npy c.npy (see <see cref="CentroidAfterPath"/>).
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = InputObjectSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = LiteralPathSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public object[]? Centroid { get; set; }

    /// <summary>
    /// Not for naming: the second of two positional arguments with nothing piped. The Path syntax reads
    /// Get-KMeansAssignment data.npy c.npy as -Path data.npy -Centroid c.npy, but PowerShell binds a first positional
    /// argument to the default (pipeline) set's -Centroid, and without a parameter at position 1 in that set it bound
    /// the second to -Centroid as well and prompted for the input. Bound here, both are read as the Path syntax says
    /// (<see cref="ReadPathGivenFirst"/>).
    /// </summary>
    [Parameter(Position = 1, ParameterSetName = InputObjectSet, DontShow = true)]
    [ValidateNotNullOrEmpty]
    public object[]? CentroidAfterPath { get; set; }

    /// <summary>The metric; by default the model's or the file's, else L2.</summary>
    [Parameter]
    public KMeansDistance? Distance { get; set; }

    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>The nearest centroids per row, nearest first: 2 or more for multi-probe search or spilled assignment.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    [WholeNumber]
    public int Count { get; set; } = 1;

    /// <summary>
    /// Writes the assignments to this file (.arrow, .feather, .ipc, .arrows, .parquet, or .npy for the labels alone)
    /// instead of the pipeline, atomically, and outputs the file as Get-Item gives it.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string? OutFile { get; set; }

    /// <summary>Replaces an existing -OutFile.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// Assigns each row to its nearest centroid even when the centroids carry the partition prices of a balanced
    /// training (which are applied by default, so that all rows get the balanced partitions).
    /// </summary>
    [Parameter]
    public SwitchParameter IgnorePrice { get; set; }

    /// <summary>Threads assigning rows at once; by default one per processor.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    [WholeNumber]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// -ThrottleLimit capped at the cores this process may use, as training caps it: each thread keeps its chunk of
    /// rows, so 10,000,000 threads took 64 s and 940 MB to assign 20,000 rows and int.MaxValue ran out of memory.
    /// </summary>
    private int Threads => Math.Min(ThrottleLimit, Environment.ProcessorCount);

    protected override void BeginProcessing()
    {
        ReadPathGivenFirst();
        if (_pathsGivenFirst is null)
            RequireInput(CentroidTakenForData());
        CentroidInput? centroids = CentroidInput.Read(this, Centroid!, out ErrorRecord? error);
        if (error is not null)
            ThrowTerminatingError(error);
        IReadOnlyList<float[]> vectors = centroids!.Vectors;
        _distance = Distance ?? centroids.Distance ?? KMeansDistance.L2;
        string chosen = Distance is not null ? "given by -Distance" : centroids.Distance is not null ? "recorded with the centroids" : "the default; the centroids record none";
        WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"Assigning to {vectors.Count:N0} centroids of dimension {vectors[0].Length:N0} by {_distance} distance ({chosen}), {Count} nearest per row, on up to {Threads} threads."));
        try
        {
            CentroidValidation.Validate(vectors, _distance.ToCore());
        }
        catch (KMeansException e)
        {
            ThrowTerminatingError(KMeansErrors.FromException(e, e.Target is int c ? vectors[c] : null));
        }
        if (Count > vectors.Count)
            ThrowTerminatingError(KMeansErrors.FromException(new KMeansException(KMeansErrorKind.InvalidOption,
                $"-Count {Count} asks for more nearest centroids than the {vectors.Count} there are.", Count)));
        _nearest = new NearestCentroidSearch(vectors, _distance.ToCore(), PricesToApply(centroids));
        _counts = new long[vectors.Count];
        _distanceSums = new double[vectors.Count];
        if (OutFile is not null)
            OpenOutFile(OutFile);
    }

    /// <summary>
    /// With <see cref="CentroidAfterPath"/> bound: takes what PowerShell bound to -Centroid as the data files (-Path,
    /// wildcards allowed) and the second argument as the centroids, or says why the two arguments cannot be read so.
    /// </summary>
    private void ReadPathGivenFirst()
    {
        if (!MyInvocation.BoundParameters.ContainsKey(nameof(CentroidAfterPath)))
            return;
        if (MyInvocation.ExpectingInput || MyInvocation.BoundParameters.ContainsKey(nameof(InputObject)))
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    "Get-KMeansAssignment in a pipeline (or with -InputObject) takes its input from there, and one positional argument, the centroids; a second one has no place, even when nothing comes down the pipeline. To read files named on the command line, name them first and pipe nothing: Get-KMeansAssignment data.npy c.npy."),
                "TooManyPositionalArguments", ErrorCategory.InvalidArgument, CentroidAfterPath));
        var paths = new List<(string, bool)>();
        foreach (object? item in Centroid!)
        {
            // What a file name on the command line can be: a path (wildcards expand) or a FileInfo (Get-Item).
            switch (VectorConverter.Unwrap(item))
            {
                case string text:
                    paths.Add((text, false));
                    break;
                case FileSystemInfo info:
                    paths.Add((info.FullName, true));
                    break;
                case var notAFile:
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                            $"Two positional arguments are the data files and then the centroids (Get-KMeansAssignment data.npy c.npy), but the first is {TypeWords.Of(notAFile)}, not a file. Pipe vectors (or give them to -InputObject) and give the centroids alone: $vectors | Get-KMeansAssignment $model."),
                        "TooManyPositionalArguments", ErrorCategory.InvalidArgument, notAFile));
                    break;
            }
        }
        _pathsGivenFirst = [.. paths];
        Centroid = CentroidAfterPath;
    }

    /// <summary>
    /// For <see cref="VectorInputCommand.RequireInput"/>: when the centroids are one file, the user may have meant it
    /// as the data (given alone, positionally); says it was taken as the centroids, and how to give both.
    /// </summary>
    private string? CentroidTakenForData()
    {
        string? name = Centroid is [var only]
            ? VectorConverter.Unwrap(only) switch { FileSystemInfo info => info.Name, string text => text, _ => null }
            : null;
        return name is null
            ? null
            : $"'{name}' was taken as the centroids; if it holds the rows to assign, name it first and the centroids second: Get-KMeansAssignment data.npy c.npy.";
    }

    /// <summary>
    /// The centroids' partition prices unless -IgnorePrice, or unless -Distance overrides the metric they were learned
    /// in (a price is in that metric's units, and means nothing in another's).
    /// </summary>
    private float[]? PricesToApply(CentroidInput centroids)
    {
        if (centroids.Prices is null || IgnorePrice)
            return null;
        if (centroids.Distance is KMeansDistance recorded && recorded != _distance)
        {
            WriteWarning($"The centroids' partition prices were learned with {recorded} distance; with -Distance {_distance} they are not applied and each row goes to its nearest centroid.");
            return null;
        }
        WriteVerbose("Assigning with the centroids' partition prices (a balanced model): each row goes to the centroid of least distance + price. -IgnorePrice assigns to the nearest centroid instead.");
        return centroids.Prices;
    }

    protected override void ProcessRecord()
    {
        if (_declined)
            return;
        RefusePipedInputBesideFiles();
        if (_pathsGivenFirst is not null || ReadsFiles)
        {
            AssignNamedFiles();
            return;
        }
        if (PipedFile.TryGetPath(InputObject, VectorProperty, out string file, out bool literalFile))
        {
            // A string that names no file is a stray item among vectors (a label, a header line), which keeps its index
            // as every other refused item does, so that the rows after it keep theirs ($rows[$_.Index]); among files
            // it is a missing file, which has no rows. Before any vector or file, the next item tells which.
            if (InputObject?.BaseObject is string && ProviderPaths.ResolveExisting(this, file, literalFile, out _) is [])
            {
                if (_vectorsGathered)
                    RefuseStray(InputObject, file);
                else
                    _undecided.Add((InputObject, file, literalFile));
                return;
            }
            ReportMissingFiles();
            // Vectors piped before the file come first in the output, as their indices do.
            AssignPending();
            AssignFiles([file], literalFile);
            return;
        }
        foreach ((PSObject item, string path, bool _) in _undecided)
            RefuseStray(item, path);
        _undecided.Clear();
        foreach (object? element in InputItems())
        {
            object? live = VectorConverter.UnwrapLive(element);
            if (live is KMeansModel || (CentroidsNamedByPath && live is KMeansCentroid))
                ThrowTerminatingError(KMeansErrors.CentroidsAsInput(element!, CentroidPath));
            Gather(element);
        }
    }

    /// <summary>
    /// Whether -Centroid is one path: then centroids piped as rows are the one-liner that bound the data file to
    /// -Centroid (Invoke-KMeansTraining data.npy ... | Get-KMeansAssignment data.npy). Piped centroids with centroid
    /// objects as -Centroid are a two-level mapping, assigned as rows; a piped model is never a row.
    /// </summary>
    private bool CentroidsNamedByPath => CentroidPath is not null;

    private string? CentroidPath => Centroid is [var only]
        ? VectorConverter.Unwrap(only) switch
        {
            string path => path,
            FileSystemInfo info => info.FullName,
            _ => null,
        }
        : null;

    /// <summary>Strings that named no file before any vector, of a pipeline of files after all: missing files.</summary>
    private void ReportMissingFiles()
    {
        foreach ((PSObject _, string path, bool literal) in _undecided)
            AssignFiles([path], literal);
        _undecided.Clear();
    }

    private void RefuseStray(PSObject item, string text)
    {
        _inputGiven = true;
        WarnOfUncountedInput(string.Create(CultureInfo.InvariantCulture, $"input item {_nextIndex}"));
        long index = _nextIndex++;
        _pending.Add(new PendingItem(index, null, KMeansErrors.NotAVector(index, item,
            $"it is the string '{text}', which names no file; pipe either vectors or vector files.")));
    }

    /// <summary>
    /// The files named on the command line, once. PowerShell calls ProcessRecord once when nothing is piped, and never
    /// when a pipeline delivers nothing (@() | Get-KMeansAssignment -Path ...), so EndProcessing calls this too.
    /// </summary>
    private void AssignNamedFiles()
    {
        if (_namedFilesAssigned)
            return;
        _namedFilesAssigned = true;
        if (_pathsGivenFirst is not null)
        {
            foreach ((string path, bool literal) in _pathsGivenFirst)
                AssignFiles([path], literal);
        }
        else
        {
            AssignFiles(RequestedPaths, IsLiteralPath);
        }
    }

    protected override void EndProcessing()
    {
        if (_declined)
            return;
        if (_pathsGivenFirst is not null || ReadsFiles)
            AssignNamedFiles();
        ReportMissingFiles();
        AssignPending();
        if (!_inputGiven)
        {
            // A pipeline that delivered nothing (a wildcard that matched no shard): an empty file or K empty clusters
            // would pass for an assignment.
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    $"{MyInvocation.MyCommand.Name} got no vectors: the pipeline delivered nothing{(_outFile is null ? "" : $", so '{_outFile.Target}' was not written")}."),
                "NoInput", ErrorCategory.InvalidArgument, null));
        }
        if (_inputGiven && !_inputRead)
        {
            // Every input failed, and said why: an empty file or K empty clusters would pass for an empty input.
            if (_outFile is not null)
                WriteWarning($"No input could be read, so '{_outFile.Target}' was not written.");
            return;
        }
        WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"Assigned {_counts!.Sum():N0} of {_nextIndex:N0} rows in {_sinceStart.Elapsed.TotalSeconds:F2} s."));
        if (_pipedNarrowing?.Worst() is { } blur)
            WriteWarning(blur.Describe());
        if (_outFile is not null)
        {
            try
            {
                _outFile.Commit();
            }
            catch (KMeansException e)
            {
                ThrowTerminatingError(KMeansErrors.FromException(e));
            }
            // One kind of object per call, so that the output formats as one table: with -Summary, the summaries.
            if (!Summary)
            {
                WriteObject(WrittenFile.Of(this, _outFile.Target));
                return;
            }
            WriteVerbose($"Wrote '{_outFile.Target}'.");
        }
        if (!Summary)
            return;
        long[] counts = _counts!;
        long total = counts.Sum();
        for (int c = 0; c < counts.Length; c++)
        {
            long count = counts[c];
            WriteObject(new KMeansAssignmentSummary(c, count, total == 0 ? 0 : (double)count / total,
                count == 0 ? null : _distanceSums![c] / count));
        }
    }

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Also runs after Ctrl+C or a terminating error: an -OutFile not committed leaves no file behind.</summary>
    public void Dispose()
    {
        _outFile?.Dispose();
        _stopping.Dispose();
        _nearest?.Dispose();
    }

    /// <summary>Resolves -OutFile, refuses an existing file without -Force, asks ShouldProcess, and opens the temporary file.</summary>
    private void OpenOutFile(string requested)
    {
        string? target = WriteTarget.Check(this, requested, literal: false, Force, out ErrorRecord? error);
        if (error is not null)
            ThrowTerminatingError(error);
        AssignmentFileFormat format = default;
        try
        {
            format = AssignmentFileFormats.FromPath(target!);
        }
        catch (KMeansException e)
        {
            ThrowTerminatingError(KMeansErrors.FromException(e));
        }
        RefuseNamedFilesAsTarget(target!);
        RefuseCentroidFileAsTarget(target!);
        string what = Count == 1 ? "Write each row's nearest centroid" : $"Write each row's {Count} nearest centroids";
        if (!ShouldProcess(target, $"{what} as {format}"))
        {
            _declined = true;
            return;
        }
        try
        {
            _outFile = new AssignmentFileWriter(target!, format, Count, overwrite: Force);
        }
        catch (KMeansException e)
        {
            ThrowTerminatingError(KMeansErrors.FromException(e));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "FileNotWritable", ErrorCategory.WriteError, target));
        }
    }

    /// <summary>Converts and checks one pipeline item now, so that its error names it; assigns once a chunk is full.</summary>
    private void Gather(object? item)
    {
        _inputGiven = true;
        _vectorsGathered = true;
        WarnOfUncountedInput(string.Create(CultureInfo.InvariantCulture, $"input item {_nextIndex}"));
        long index = _nextIndex++;
        _pipedNarrowing ??= new Float64Narrowing(_nearest!.Dimension, PipelineSample.Description, PipelineSample.NarrowedValues);
        if (!VectorConverter.TryConvert(item, VectorProperty, out float[]? vector, out string? notAVector, narrowing: _pipedNarrowing))
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
            // Only a usable vector makes the input read: piped items that were all refused, each with its error, must
            // not end as K empty clusters or a file of unassigned rows.
            _inputRead = true;
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
        int n = Count;
        int[] valid = Enumerable.Range(0, _pending.Count).Where(i => _pending[i].Vector is not null).ToArray();
        var rows = new float[valid.Length * d];
        for (int v = 0; v < valid.Length; v++)
            _pending[valid[v]].Vector!.CopyTo(rows, v * d);
        var compactIds = new int[valid.Length * n];
        var compactDistances = new float[valid.Length * n];
        int blocks = (valid.Length + NearestCentroidSearch.RowsPerBlock - 1) / NearestCentroidSearch.RowsPerBlock;
        int threads = Math.Max(1, Math.Min(Threads, blocks));
        if (_workspaces is null || _workspaces.Length < threads)
            _workspaces = Enumerable.Range(0, threads).Select(_ => nearest.CreateWorkspace()).ToArray();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, thread =>
        {
            for (int block = thread; block < blocks; block += threads)
            {
                int first = block * NearestCentroidSearch.RowsPerBlock;
                int count = Math.Min(NearestCentroidSearch.RowsPerBlock, valid.Length - first);
                ReadOnlySpan<float> blockRows = rows.AsSpan(first * d, count * d);
                if (n == 1)
                    nearest.Assign(blockRows, compactIds.AsSpan(first, count), compactDistances.AsSpan(first, count), _workspaces[thread]);
                else
                    nearest.AssignNearest(blockRows, n, compactIds.AsSpan(first * n, count * n), compactDistances.AsSpan(first * n, count * n), _workspaces[thread]);
            }
        });
        var clusterIds = new int[_pending.Count * n];
        var distances = new float[_pending.Count * n];
        clusterIds.AsSpan().Fill(-1);
        for (int v = 0; v < valid.Length; v++)
        {
            compactIds.AsSpan(v * n, n).CopyTo(clusterIds.AsSpan(valid[v] * n));
            compactDistances.AsSpan(v * n, n).CopyTo(distances.AsSpan(valid[v] * n));
        }
        long firstIndex = _pending[0].Index;
        PendingItem[] items = [.. _pending];
        _pending.Clear();
        Emit(new AssignedRows(firstIndex, firstIndex, items.Length, n, clusterIds, distances), row => items[row].Error);
    }

    private void AssignFiles(string[] paths, bool literal)
    {
        _inputGiven = true;
        foreach (string file in ProviderPaths.ExistingFilesReportingMisses(this, paths, literal))
        {
            if (_outFile is not null)
                RefuseAsTarget(_outFile.Target, file);
            WarnOfUncountedInput(file);
            using IVectorSource? source = VectorFiles.Open([file], Column, InputFormat, out ErrorRecord? error);
            if (error is not null)
            {
                long? declared = VectorFile.DeclaredRowCount(file, InputFormat?.ToCore());
                // A list column with no rows has no vector to give it a dimension, but there is nothing to assign
                // either: such a file passes as an empty .npy or Arrow file does, read (an -OutFile of no rows).
                if (declared == 0 && error.Exception is KMeansException { Kind: KMeansErrorKind.NoRows })
                {
                    _inputRead = true;
                    continue;
                }
                WriteError(error);
                _nextIndex += KeepPlaces(declared, 0);
                if (declared is null)
                    _uncounted = file;
            }
            else
            {
                AssignSource(source!);
            }
        }
    }

    /// <summary>
    /// Before <paramref name="next"/> is read: says that the input before it, whose row count could not be read, counts
    /// no rows in Index, where Index is seen (objects or -OutFile, not -Summary alone).
    /// </summary>
    private void WarnOfUncountedInput(string next)
    {
        if (_uncounted is not string uncounted)
            return;
        _uncounted = null;
        if (!Summary || _outFile is not null)
            WriteWarning(string.Create(CultureInfo.InvariantCulture,
                $"Index counts no rows for {uncounted}, whose row count cannot be read: the input after it, {next}, begins at Index {_nextIndex}."));
    }

    /// <summary>
    /// The files named on the command line, checked before -WhatIf answers, so that a dry run refuses what the real
    /// one would; piped files are checked as they come. Missing files are reported when their turn comes.
    /// </summary>
    private void RefuseNamedFilesAsTarget(string target)
    {
        (string Path, bool Literal)[] named = _pathsGivenFirst
            ?? (ReadsFiles ? [.. RequestedPaths.Select(path => (path, IsLiteralPath))] : []);
        foreach ((string path, bool literal) in named)
        {
            foreach (string file in ProviderPaths.ResolveExisting(this, path, literal, out _))
                RefuseAsTarget(target, file);
        }
    }

    /// <summary>The centroid file is read before any row is assigned, but replacing it loses the model the rows were assigned to.</summary>
    private void RefuseCentroidFileAsTarget(string target)
    {
        if (CentroidPath is not string path)
            return;
        foreach (string file in ProviderPaths.ResolveExisting(this, path, ProviderPaths.NamesExistingFile(this, path), out _))
        {
            if (SameFile.Replaces(target, file))
                ThrowTerminatingError(KMeansErrors.TargetIsInput(target, "is -OutFile and also the -Centroid file"));
        }
    }

    private void RefuseAsTarget(string target, string file)
    {
        if (SameFile.Replaces(target, file))
            ThrowTerminatingError(KMeansErrors.TargetIsInput(target, "is -OutFile and also a file to assign"));
    }

    private void AssignSource(IVectorSource source)
    {
        var progress = new CountProgress(this, ProgressActivityId, $"Assigning the rows of {source.Description}", showFirst: false);
        long rowsDone = 0;
        long nullRows = 0;
        try
        {
            IEnumerable<AssignedRows> chunks = new StreamingAssignment(_nearest!, Threads, Count).Run(source, _nextIndex, _stopping.Token);
            _inputRead = true;
            foreach (AssignedRows chunk in chunks)
            {
                nullRows += Emit(chunk, row => chunk.Problem(row) is { } problem ? KMeansErrors.FromException(problem) : null);
                rowsDone = chunk.FirstSourceRow + chunk.RowCount;
                progress.Report(rowsDone, source.RowCount,
                    source.RowCount is long known ? string.Create(CultureInfo.InvariantCulture, $"{rowsDone:N0} of {known:N0} rows") : string.Create(CultureInfo.InvariantCulture, $"{rowsDone:N0} rows"));
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (KMeansException e)
        {
            WriteError(KMeansErrors.FromException(e));
            rowsDone = KeepPlaces(source.RowCount, rowsDone);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(KMeansErrors.FileUnreadable(source.Description, e));
            rowsDone = KeepPlaces(source.RowCount, rowsDone);
        }
        finally
        {
            _nextIndex += rowsDone;
            progress.Complete();
        }
        if (nullRows > 0)
            WriteWarning(string.Create(CultureInfo.InvariantCulture,
                $"Left out {nullRows:N0} null row{(nullRows == 1 ? "" : "s")} of {source.Description}: a null row holds no vector, so it has no cluster ({(_outFile is { Format: AssignmentFileFormat.Npy } ? $"−1 in '{_outFile.Target}'" : _outFile is not null ? $"left out of '{_outFile.Target}'" : "no output")})."));
        foreach (Float64Narrowing.Blur blur in source.Float64Blurs)
            WriteWarning(blur.Describe());
    }

    /// <summary>
    /// After an input was refused or failed part way, hands its remaining rows on as not assigned (the error said why),
    /// so that the rows of later inputs keep their index and a .npy file its one label per row (−1 for these); returns
    /// the rows the input counts for. Only an input whose row count is unknown (<paramref name="rowCount"/> null:
    /// neither its reader nor, for a file that could not be opened, its header gives one) counts just the rows read.
    /// </summary>
    private long KeepPlaces(long? rowCount, long rowsDone)
    {
        if (rowCount is not long total || total <= rowsDone)
            return rowsDone;
        int n = Count;
        int rows = (int)Math.Min(UnassignedRowsAtOnce, total - rowsDone);
        var clusterIds = new int[rows * n];
        clusterIds.AsSpan().Fill(-1);
        var distances = new float[rows * n];
        for (long first = rowsDone; first < total; first += rows)
        {
            int count = (int)Math.Min(rows, total - first);
            Emit(new AssignedRows(_nextIndex + first, first, count, n, clusterIds, distances), _ => null);
        }
        return total;
    }

    private const int UnassignedRowsAtOnce = 1 << 16;

    /// <summary>
    /// Hands one chunk on in row order: per-cluster sums, then the rows to -OutFile or as objects, and an error for
    /// each row that could not be assigned (<paramref name="errorOf"/>); returns how many rows were left unassigned
    /// without an error (a file's null rows).
    /// </summary>
    // Fully optimized from the first call: it runs once per chunk, too few times for the tiered JIT to promote it in time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Emit(AssignedRows chunk, Func<int, ErrorRecord?> errorOf)
    {
        int silent = 0;
        int n = chunk.Nearest;
        ReadOnlySpan<int> clusterIds = chunk.ClusterIds.Span;
        ReadOnlySpan<float> distances = chunk.Distances.Span;
        for (int i = 0; i < chunk.RowCount; i++)
        {
            if (clusterIds[i * n] < 0)
                continue;
            _counts![clusterIds[i * n]]++;
            _distanceSums![clusterIds[i * n]] += distances[i * n];
        }
        if (_outFile is not null)
            WriteToFile(chunk);
        for (int i = 0; i < chunk.RowCount; i++)
        {
            if (clusterIds[i * n] >= 0)
            {
                if (_outFile is null && !Summary)
                    WriteObject(n == 1 ? AssignmentOf(chunk, i) : WithNearestView(AssignmentOf(chunk, i)));
            }
            else if (errorOf(i) is { } error)
            {
                WriteError(error);
            }
            else
            {
                silent++;
            }
        }
        return silent;
    }

    private void WriteToFile(AssignedRows chunk)
    {
        try
        {
            _outFile!.Write(chunk);
        }
        catch (KMeansException e)
        {
            // Terminating, unlike an input's failure: a file missing some rows must not be committed.
            ThrowTerminatingError(KMeansErrors.FromException(e));
        }
    }

    /// <summary>An assignment to several nearest centroids, marked for the table that shows them all.</summary>
    private static PSObject WithNearestView(KMeansAssignment assignment)
    {
        var wrapped = new PSObject(assignment);
        wrapped.TypeNames.Insert(0, NearestTypeName);
        return wrapped;
    }

    private const string NearestTypeName = "KMeans.PowerShell.KMeansAssignment#Nearest";

    private static KMeansAssignment AssignmentOf(AssignedRows chunk, int row)
    {
        int n = chunk.Nearest;
        int[] ids = chunk.ClusterIds.Span.Slice(row * n, n).ToArray();
        var distances = new double[n];
        ReadOnlySpan<float> rowDistances = chunk.Distances.Span.Slice(row * n, n);
        for (int r = 0; r < n; r++)
            distances[r] = rowDistances[r];
        return new KMeansAssignment(chunk.FirstIndex + row, ids, distances);
    }

    /// <param name="Vector">The checked vector, or null when <paramref name="Error"/> says why the item is not assigned.</param>
    private readonly record struct PendingItem(long Index, float[]? Vector, ErrorRecord? Error);
}
