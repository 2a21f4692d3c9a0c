using System.Globalization;
using System.Management.Automation;
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
/// Trains k-means centroids on vector files or on vectors from the pipeline. Piped vectors are sampled as they arrive
/// (<see cref="PipelineSample"/>), so memory is bounded by the sample, not by the input. The engine runs on a worker
/// task; this thread drains its reports into progress and verbose records, and StopProcessing cancels it within about
/// one iteration.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "KMeansTraining", DefaultParameterSetName = InputObjectSet, SupportsShouldProcess = true)]
[OutputType(typeof(KMeansCentroid), typeof(KMeansModel))]
public sealed class InvokeKMeansTrainingCommand : VectorInputCommand, IDisposable
{
    private const int ItemsPerProgressReport = 1024;

    private CancellationTokenSource? _stopping;
    private PipelineSample? _pipelineRows;
    private TrainingProgressWriter? _progress;
    private readonly List<string> _files = [];
    private bool _declined;
    /// <summary>The file items the pipeline delivered, which hold the first indices when a vector follows them.</summary>
    private long _pipedFiles;
    private IReadOnlyList<float[]>? _initialCentroids;
    private string? _initialCentroidFile;

    /// <summary>Where piped vectors' float64 values are noted as they are read as float32, once the first fixes the dimension.</summary>
    private Float64Narrowing? _pipedNarrowing;
    private string? _tempDirectory;
    private string? _reportTarget;
    private string? _checkpointPath;

    [Parameter(Mandatory = true)]
    [WholeNumber]
    public int K { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    [WholeNumber]
    public int MaxIterations { get; set; } = 50;

    [Parameter]
    [ValidateRange(0.0, double.MaxValue)]
    public double Tolerance { get; set; } = 1e-4;

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    [WholeNumber]
    public int Redos { get; set; } = 1;

    [Parameter]
    [WholeNumber]
    public int? Seed { get; set; }

    [Parameter]
    public KMeansInitMethod Init { get; set; } = KMeansInitMethod.Auto;

    /// <summary>Centroids to start from: KMeansCentroid objects, a KMeansModel, or vectors.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[]? InitialCentroid { get; set; }

    [Parameter]
    public KMeansDistance Distance { get; set; } = KMeansDistance.L2;

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    [WholeNumber]
    public int SampleRate { get; set; } = 256;

    [Parameter]
    public SwitchParameter OnDisk { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string? TempDirectory { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    [WholeNumber]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    [Parameter]
    public SwitchParameter SkipNonFinite { get; set; }

    [Parameter]
    public KMeansHierarchy Hierarchical { get; set; } = KMeansHierarchy.Auto;

    /// <summary>Clusters per node of the tree in hierarchical training.</summary>
    [Parameter]
    [ValidateRange(2, int.MaxValue)]
    [WholeNumber]
    public int HierarchicalK { get; set; } = 16;

    /// <summary>Lloyd iterations over all K centroids after hierarchical training.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    [WholeNumber]
    public int RefineIterations { get; set; }

    /// <summary>Train on the vectors projected to this many dimensions; the final centroids are full-dimension means.</summary>
    [Parameter]
    [WholeNumber]
    [ValidateRange(1, int.MaxValue)]
    public int? TrainDimension { get; set; }

    [Parameter]
    public SwitchParameter AsModel { get; set; }

    /// <summary>Also write the training report (as Export-KMeansReport does) to this file, taken literally.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string? ReportPath { get; set; }

    /// <summary>Let -ReportPath replace an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }
    /// <summary>The checkpoint file (.kmc) that saves the training's state, written atomically.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string? CheckpointPath { get; set; }

    /// <summary>The least time between two checkpoint writes; zero writes after every iteration.</summary>
    [Parameter]
    public TimeSpan CheckpointInterval { get; set; } = CheckpointOptions.DefaultInterval;

    /// <summary>Continue the training saved at -CheckpointPath (a new one starts, with a warning, when none exists).</summary>
    [Parameter]
    public SwitchParameter Resume { get; set; }

    /// <summary>Bounds every partition of the sample to at most this multiple of the mean size; turns balancing on.</summary>
    [Parameter]
    [ValidateRange(1.0, double.MaxValue)]
    public double? MaxSizeRatio { get; set; }

    /// <summary>Bounds every partition to at least this multiple of the mean size; turns balancing on.</summary>
    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double? MinSizeRatio { get; set; }

    protected override void BeginProcessing()
    {
        RequireInput();
        if (K < 1)
            ThrowTerminatingError(KMeansErrors.InvalidK(K));
        if (OnDisk)
        {
            _tempDirectory = ProviderPaths.ResolveTempDirectory(this, TempDirectory, out ErrorRecord? error);
            if (error is not null)
                ThrowTerminatingError(error);
        }
        if (ReportPath is not null)
        {
            _reportTarget = WriteTarget.CheckWritable(this, ReportPath, literal: true, Force, out ErrorRecord? error);
            if (error is not null)
                ThrowTerminatingError(error);
        }
        if (InitialCentroid is not null)
        {
            CentroidInput? initial = CentroidInput.Read(this, InitialCentroid, out ErrorRecord? error);
            if (error is not null)
                ThrowTerminatingError(error);
            if (initial!.CheckDistance(Distance, MyInvocation.BoundParameters.ContainsKey(nameof(Distance)), nameof(InitialCentroid)) is ErrorRecord mismatch)
                ThrowTerminatingError(mismatch);
            _initialCentroids = initial!.Vectors;
            _initialCentroidFile = initial.File;
        }
        if (ReadsFiles)
            ResolveNamedFiles();
        ResolveCheckpointPath();
        RefuseInputsAsTargets();
        CheckCheckpoint();
        if (!ShouldWriteFiles())
        {
            _declined = true;
            return;
        }
        _stopping = new CancellationTokenSource();
        _progress = new TrainingProgressWriter(this, K, MaxIterations, Redos);
    }

    /// <summary>
    /// Training itself changes nothing, so only a run that writes files (a report, a checkpoint) asks, once, naming
    /// them: a dry run (-WhatIf, or a script run with it) then neither trains nor writes, and outputs nothing.
    /// </summary>
    private bool ShouldWriteFiles()
    {
        string[] targets = new[] { _reportTarget, _checkpointPath }.OfType<string>().ToArray();
        if (targets.Length == 0)
            return true;
        string what = _reportTarget is null ? "its checkpoint" : _checkpointPath is null ? "the training report" : "its checkpoint and the training report";
        return ShouldProcess(string.Join(", ", targets), $"Train {K} centroids, writing {what}");
    }

    /// <summary>
    /// An input file (or the -InitialCentroid file) that is also the report would be replaced by it (with -Force):
    /// refused before training, as a helper's ops scripts found it was not; as the checkpoint, it was refused as a
    /// checkpoint to delete. Files named on the command line are checked before -WhatIf answers, piped ones once they
    /// have all come (a piped file that is the checkpoint is refused before, as an existing file that is no checkpoint).
    /// </summary>
    private void RefuseInputsAsTargets()
    {
        if (_reportTarget is not null && _initialCentroidFile is not null && SameFile.Replaces(_reportTarget, _initialCentroidFile))
            ThrowTerminatingError(KMeansErrors.TargetIsInput(_reportTarget, "is -ReportPath and also the -InitialCentroid file"));
        foreach (string file in _files)
        {
            if (_reportTarget is not null && SameFile.Replaces(_reportTarget, file))
                ThrowTerminatingError(KMeansErrors.TargetIsInput(_reportTarget, "is -ReportPath and also a file to train on"));
            if (_checkpointPath is not null && SameFile.Replaces(_checkpointPath, file))
                ThrowTerminatingError(KMeansErrors.TargetIsInput(_checkpointPath, "is -CheckpointPath and also a file to train on"));
        }
    }

    private void ResolveCheckpointPath()
    {
        if (CheckpointPath is null)
        {
            if (Resume || MyInvocation.BoundParameters.ContainsKey(nameof(CheckpointInterval)))
                ThrowTerminatingError(KMeansErrors.FromException(new KMeansException(KMeansErrorKind.InvalidOption,
                    "-Resume and -CheckpointInterval need -CheckpointPath, the checkpoint file.", CheckpointPath)));
            return;
        }
        _checkpointPath = ProviderPaths.ResolveUnchecked(this, CheckpointPath, out ErrorRecord? error);
        if (error is not null)
            ThrowTerminatingError(error);
        if (_reportTarget is not null && SameFile.Replaces(_reportTarget, _checkpointPath!))
            ThrowTerminatingError(KMeansErrors.TargetIsInput(_reportTarget, "is -ReportPath and also -CheckpointPath",
                "the report and the checkpoint would overwrite each other"));
    }

    /// <summary>
    /// The checkpoint refused now, as the training would refuse it, so that -WhatIf answers for the run that would
    /// really happen.
    /// </summary>
    private void CheckCheckpoint()
    {
        if (_checkpointPath is null)
            return;
        try
        {
            KMeansTrainer.CheckCheckpoint(new CheckpointOptions { Path = _checkpointPath!, Resume = Resume });
        }
        catch (KMeansException e)
        {
            ThrowTerminatingError(KMeansErrors.FromException(e));
        }
        if (Resume && !File.Exists(_checkpointPath))
            WriteWarning($"There is no checkpoint at '{_checkpointPath}' to resume: starting a new training, which writes one.");
    }

    protected override void ProcessRecord()
    {
        if (_declined)
            return;
        RefusePipedInputBesideFiles();
        if (ReadsFiles)
            return;
        // Get-ChildItem *.npy | Invoke-KMeansTraining: files from the pipeline (FileInfo, path strings, objects with a
        // PSPath, LiteralPath or FullName) are input files, as for Get-KMeansAssignment and the file cmdlets.
        if (PipedFile.TryGetPath(InputObject, VectorProperty, out string file, out bool literalFile))
        {
            AddPipelineFile(file, literalFile, InputObject);
            return;
        }
        foreach (object? element in InputItems())
            AddPipelineItem(element);
    }

    /// <summary>
    /// The files of -Path or -LiteralPath, before -WhatIf answers (a missing file, or one that is also -ReportPath,
    /// is refused by a dry run as by the real one).
    /// </summary>
    private void ResolveNamedFiles()
    {
        foreach (string path in RequestedPaths)
        {
            IReadOnlyList<string> files = ProviderPaths.ResolveExisting(this, path, IsLiteralPath, out ErrorRecord? error);
            if (error is not null)
                ThrowTerminatingError(error);
            _files.AddRange(files);
        }
    }

    protected override void EndProcessing()
    {
        if (_declined)
            return;
        if (ReadsFiles || _files.Count > 0)
        {
            RefuseInputsAsTargets();
            using IVectorSource? files = VectorFiles.Open(_files, Column, InputFormat, out ErrorRecord? error,
                leftOut: empty => WriteWarning($"{empty.Message} It is left out: the other files give the dimension."));
            if (error is not null)
                ThrowTerminatingError(error);
            Train(files!);
            return;
        }
        if (_pipelineRows is not { AcceptedCount: > 0 } sample)
        {
            ThrowTerminatingError(KMeansErrors.FromException(
                new KMeansException(KMeansErrorKind.NoRows, "The pipeline delivered no usable vectors to train on.")));
            return;
        }
        long rejected = sample.NextIndex - sample.AcceptedCount;
        if (rejected > 0 && sample.AcceptedCount < K)
            ThrowTerminatingError(KMeansErrors.FromException(new KMeansException(KMeansErrorKind.NotEnoughRows,
                string.Create(CultureInfo.InvariantCulture,
                    $"K is {K}, but only {sample.AcceptedCount} of {sample.NextIndex} pipeline items are usable vectors: {rejected} were rejected (the first vector fixes the dimension, here {sample.Dimension}; each rejected item was reported above)."),
                K)));
        Train(PipelineSample.Description, sample.Dimension, Options().SampleCapacity(sample.NextIndex),
            (trainOptions, sink, token) => KMeansTrainer.Train(sample, trainOptions, Checkpoint(), sink, token));
    }

    protected override void StopProcessing() => _stopping?.Cancel();

    public void Dispose()
    {
        _stopping?.Dispose();
        _pipelineRows?.Dispose();
    }

    private void AddPipelineFile(string file, bool literal, object? item)
    {
        if (_pipelineRows is { NextIndex: > 0 } rows)
        {
            // Among vectors, a string that names no file is a stray item (a label), refused as any other that is not a vector.
            if (VectorConverter.Unwrap(item) is string && ProviderPaths.ResolveExisting(this, file, literal, out _) is [])
            {
                WriteError(KMeansErrors.NotAVector(rows.NextIndex, item,
                    $"it is the string '{file}', which names no file; pipe either vectors or vector files."));
                rows.AddRejected();
                return;
            }
            ThrowTerminatingError(KMeansErrors.NotAVector(rows.NextIndex, item,
                "it is a file, but the pipeline delivered vectors before it; pipe either files or vectors."));
        }
        IReadOnlyList<string> files = ProviderPaths.ResolveExisting(this, file, literal, out ErrorRecord? error);
        if (error is not null)
            ThrowTerminatingError(error);
        _files.AddRange(files);
        _pipedFiles++;
    }

    private void AddPipelineItem(object? item)
    {
        if (_files.Count > 0)
            ThrowTerminatingError(KMeansErrors.NotAVector(_pipedFiles, item,
                "the pipeline delivered files before it; pipe either files or vectors."));
        PipelineSample rows = _pipelineRows ??= NewPipelineSample();
        long index = rows.NextIndex;
        if (!VectorConverter.TryConvert(item, VectorProperty, out float[]? vector, out string? problem, narrowing: _pipedNarrowing))
        {
            rows.AddRejected();
            WriteError(KMeansErrors.NotAVector(index, item, problem));
            return;
        }
        KMeansException? mismatch = null;
        try
        {
            mismatch = rows.Add(vector);
        }
        catch (KMeansException failure)
        {
            StopSampling(KMeansErrors.FromException(failure));
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            StopSampling(KMeansErrors.TrainingIOFailed(failure, PipelineSample.Description));
        }
        if (mismatch is not null)
            WriteError(KMeansErrors.FromException(mismatch));
        else if (_pipedNarrowing is null)
        {
            // The first vector fixes the dimension: from it on, float64 values are noted, its own once more.
            _pipedNarrowing = new Float64Narrowing(vector.Length, PipelineSample.Description, PipelineSample.NarrowedValues);
            VectorConverter.TryConvert(item, VectorProperty, out _, out _, narrowing: _pipedNarrowing);
        }
        if (rows.NextIndex % ItemsPerProgressReport == 0)
            _progress!.Write(rows.Progress);
    }

    /// <summary>
    /// The sample of piped vectors, created with the first item: it is drawn as the vectors arrive, so its seed (the
    /// given one, the one of a checkpoint to resume, or a new one) is fixed before training starts.
    /// </summary>
    private PipelineSample NewPipelineSample()
    {
        try
        {
            int seed = Seed ?? (Checkpoint() is { } checkpoint ? KMeansTrainer.ResumedSeed(checkpoint) : null) ?? Random.Shared.Next();
            return new PipelineSample(Options(), seed);
        }
        catch (KMeansException failure)
        {
            ThrowTerminatingError(KMeansErrors.FromException(failure));
            throw;
        }
    }

    /// <summary>A run that fails before any progress was shown (the first vector's plan) writes no progress record.</summary>
    private void StopSampling(ErrorRecord error)
    {
        if (_progress!.Shown)
            _progress.Complete();
        ThrowTerminatingError(error);
    }

    private void Train(IVectorSource source)
    {
        KMeansOptions options = Options();
        if (OnDisk)
        {
            try
            {
                DiskSpace.EnsureSampleFits(options, source);
            }
            catch (KMeansException problem)
            {
                ThrowTerminatingError(KMeansErrors.FromException(problem));
            }
        }
        Train(source.Description, source.Dimension, options.SampleCapacity(source.RowCount),
            (trainOptions, sink, token) => KMeansTrainer.Train(source, trainOptions, Checkpoint(), sink, token), source);
    }

    /// <summary>
    /// Runs <paramref name="train"/> on a worker, showing its progress, and writes its centroids or model; the files it
    /// read (<paramref name="files"/>) say where float32 blurred their values.
    /// </summary>
    private void Train(string description, int dimension, long sampleCapacity,
        Func<KMeansOptions, IProgress<TrainingProgress>, CancellationToken, KMeansResult> train, IVectorSource? files = null)
    {
        KMeansOptions options = Options();
        TrainingProgressWriter progress = _progress!;
        WriteVerbose(string.Create(CultureInfo.InvariantCulture,
            $"Training K = {K} on {description} ({dimension} dimensions), sample of at most {sampleCapacity:N0} rows {(OnDisk ? $"on disk in '{options.EffectiveTempDirectory}'" : "in memory")}, {options.MaxDegreeOfParallelism} threads."));
        KMeansResult result;
        using (var work = new BackgroundWork<TrainingProgress, KMeansResult>(
            (sink, token) => train(options, sink, token), _stopping!.Token))
        {
            try
            {
                result = work.Drain(progress.Write);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                progress.Complete();
                Exception cause = e is AggregateException { InnerExceptions.Count: 1 } single ? single.InnerExceptions[0] : e;
                if (cause is KMeansException { Kind: KMeansErrorKind.InitialCentroidsShape } shape && _initialCentroidFile is string file)
                    cause = new KMeansException(shape.Kind, $"{shape.Message.TrimEnd('.')} (-InitialCentroid '{file}').", shape.Target, shape);
                if (cause is KMeansException problem)
                    ThrowTerminatingError(KMeansErrors.FromException(problem));
                if (cause is IOException or UnauthorizedAccessException)
                    ThrowTerminatingError(KMeansErrors.TrainingIOFailed(cause, description));
                throw;
            }
        }
        progress.Complete();
        WriteVerbose(string.Create(CultureInfo.InvariantCulture,
            $"Done in {result.Duration.TotalSeconds:F2} s: loss {result.Loss:G6} after {result.Iterations} iterations ({(result.Converged ? "converged" : "not converged")}){(result.BalanceHistory.Count > 0 ? $" and {result.BalanceHistory.Count} balance passes" : "")}, {result.SampleRows:N0} sample rows, seed {result.Seed}."));
        if (result.TrainDimension is int trained)
            WriteVerbose(string.Create(CultureInfo.InvariantCulture,
                $"Trained in {trained} dimensions (loss there {result.TrainDimensionLoss:G6}); the centroids are the means of their rows in {result.Dimension} dimensions."));
        // NaN rows are left out only on request (-SkipNonFinite); a file's null rows always, so say so. A pipeline item
        // that was left out (null, not a vector, another dimension) was reported as an error of its own.
        if (_pipelineRows is null && result.Sampling is { NullRowsSkipped: > 0 and var nulls })
            WriteWarning(string.Create(CultureInfo.InvariantCulture,
                $"Left out {nulls:N0} null row{(nulls == 1 ? "" : "s")} of {description}: a null row holds no vector (the model's SkippedRows counts it)."));
        foreach (Float64Narrowing.Blur blur in files?.Float64Blurs ?? (_pipedNarrowing?.Worst() is { } piped ? [piped] : []))
            WriteWarning(blur.Describe());
        if (result.DistinctRows is int distinct)
            WriteWarning(DegenerateSample.Warning(result, distinct));
        else if (EmptyClusters.Warning(result) is { } empty)
            WriteWarning(empty);
        if (result.PricedPartitionSizes is { } priced)
            WriteVerbose(string.Create(CultureInfo.InvariantCulture,
                $"Balanced in {result.BalanceHistory.Count} passes: partitions of {result.PartitionSizes.Min:N0}–{result.PartitionSizes.Max:N0} rows, {result.BalanceHistory[^1].Displaced:N0} rows displaced; assigning the sample with the prices gives {priced.Min:N0}–{priced.Max:N0} rows ({priced.MaxOverMean:F2}× the mean)."));
        if (DisplacedRows.Warning(result) is { } displaced)
            WriteWarning(displaced);
        if (BalancedLoss.Warning(result) is { } balancedLoss)
            WriteWarning(balancedLoss);
        KMeansModel? model = AsModel || _reportTarget is not null ? ModelBuilder.Model(result, Input(), ModuleVersion.Of(this)) : null;
        if (AsModel)
            WriteObject(model);
        else
            WriteObject(ModelBuilder.Centroids(result), enumerateCollection: true);
        if (_reportTarget is not null)
            WriteReport(model!, _reportTarget);
    }

    /// <summary>
    /// The centroids are already out, and nothing here may take them away: an error would stop a script run with
    /// -ErrorAction Stop before it kept them (the consumer's end never runs, the assignment never happens). So a report
    /// that was writable before training and cannot be written now (another job made the file meanwhile, the disk
    /// filled) is a warning that says why and how to write it again.
    /// </summary>
    private void WriteReport(KMeansModel model, string target)
    {
        if (ExportKMeansReportCommand.Write(model, target, Force) is { } failure)
            WriteWarning($"The training report was not written: {failure.Exception.Message} The trained centroids are output all the same; with -AsModel, Export-KMeansReport writes the report from the model.");
        else
            WriteVerbose($"Wrote the training report to '{target}'.");
    }

    private string[] Input() => _pipelineRows is { } piped
        ? [string.Create(CultureInfo.InvariantCulture, $"the pipeline ({piped.AcceptedCount:N0} vectors)")]
        : [.. _files];
    private CheckpointOptions? Checkpoint() => _checkpointPath is null ? null : new CheckpointOptions
    {
        Path = _checkpointPath,
        Interval = CheckpointInterval,
        Resume = Resume,
        InputFiles = _files,
    };

    private KMeansOptions Options() => new()
    {
        K = K,
        MaxIterations = MaxIterations,
        Tolerance = Tolerance,
        Redos = Redos,
        Seed = Seed,
        Init = Init.ToCore(),
        InitialCentroids = _initialCentroids,
        Distance = Distance.ToCore(),
        SampleRate = SampleRate,
        OnDisk = OnDisk,
        TempDirectory = _tempDirectory,
        // More threads than the cores this process may use (affinity and CPU quota included) only slow training.
        MaxDegreeOfParallelism = Math.Min(ThrottleLimit, Environment.ProcessorCount),
        SkipNonFinite = SkipNonFinite,
        Hierarchical = Hierarchical.ToCore(),
        HierarchicalK = HierarchicalK,
        RefineIterations = RefineIterations,
        TrainDimension = TrainDimension,
        MaxSizeRatio = MaxSizeRatio,
        MinSizeRatio = MinSizeRatio,
    };
}
