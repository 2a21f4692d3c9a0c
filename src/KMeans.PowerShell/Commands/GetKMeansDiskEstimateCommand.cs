using System.Globalization;
using System.Management.Automation;
using KMeans.Core.Calibration;
using KMeans.Core.Files;
using KMeans.Core.Planning;
using KMeans.Core.Sampling;
using KMeans.Core.Training;
using KMeans.Core;
using KMeans.PowerShell.Binding;
using KMeans.PowerShell.Errors;
using KMeans.PowerShell.Paths;

namespace KMeans.PowerShell;

/// <summary>
/// Estimates what a training run needs before it starts: the on-disk sample size, the memory of an in-memory run, the
/// free space in the temporary directory, and which storage to use, from a shape (K, Dimension, Rows) or from vector
/// files. Every parameter binds from the pipeline by property name, so a CSV of scenarios can be piped in; a bad
/// scenario is reported and the next one is estimated. With -Calibrate it also predicts the training time, flat and
/// hierarchical, from a short measurement of this machine taken once per dimension among the scenarios.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KMeansDiskEstimate", DefaultParameterSetName = ShapeSet)]
[OutputType(typeof(KMeansDiskEstimate))]
public sealed class GetKMeansDiskEstimateCommand : PSCmdlet, IDisposable
{
    private const string ShapeSet = "Shape";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const int CalibrationActivityId = 1;
    private CancellationTokenSource? _stopping;
    /// <summary>This machine's measured rates, per dimension measured at: the kernel's speed depends on it.</summary>
    private readonly Dictionary<int, CalibrationResult> _calibrations = [];

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [EmptyAsNull(typeof(int))]
    public int K { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ShapeSet)]
    [EmptyAsNull(typeof(int))]
    public int Dimension { get; set; }

    /// <summary>Rows in the input; omitted (or an empty CSV cell), the sample is the full SampleRate × K rows.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ShapeSet)]
    [EmptyAsNull(typeof(long))]
    public long? Rows { get; set; }

    /// <summary>
    /// Vector files whose dimension and row count give the shape; the files of one call (or of one piped scenario) make
    /// one sample and one estimate, as Invoke-KMeansTraining trains them.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string[]? Path { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [ArgumentCompleter(typeof(VectorColumnCompleter))]
    [EmptyAsNull]
    public string? Column { get; set; }

    /// <summary>The files' format, for names whose extension does not give it (as Invoke-KMeansTraining -InputFormat).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [EmptyAsNull(typeof(KMeansVectorFormat))]
    public KMeansVectorFormat? InputFormat { get; set; }

    /// <summary>Sample rows per centroid; omitted (or an empty CSV cell), 256, as Invoke-KMeansTraining's default.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [EmptyAsNull(typeof(int))]
    [ValidateRangeWhenGiven(1, int.MaxValue)]
    public int? SampleRate { get; set; }

    private int EffectiveSampleRate => SampleRate ?? KMeansOptions.DefaultSampleRate;

    /// <summary>Where an on-disk sample would go; omitted (or an empty CSV cell), the system's temporary directory.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [EmptyAsNull]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string? TempDirectory { get; set; }

    /// <summary>
    /// Threads of the planned run: each adds a little scratch memory. Omitted (or an empty CSV cell), every core, as
    /// Invoke-KMeansTraining's default; more than the cores this process may use are planned as those cores, as the
    /// training caps them.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [EmptyAsNull(typeof(int))]
    [ValidateRangeWhenGiven(1, int.MaxValue)]
    public int? ThrottleLimit { get; set; }

    private int Threads => Math.Min(ThrottleLimit ?? Environment.ProcessorCount, Environment.ProcessorCount);

    /// <summary>
    /// The planned run's input is vectors piped in rather than files: pipeline input cannot be read again, so with
    /// -TrainDimension its sample keeps the full rows beside the projected ones, and it is planned for the full
    /// SampleRate × K rows whatever -Rows says (a pipeline's length is known only at its end).
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ShapeSet)]
    [EmptyAsNull(typeof(bool))]
    public SwitchParameter PipelineInput { get; set; }

    /// <summary>
    /// The -TrainDimension of the planned run: the sample then holds only the projected rows, and the final pass reads
    /// the input files again (with -MaxSizeRatio or -MinSizeRatio, or with -PipelineInput, the sample is held twice,
    /// as it is and projected), and -Calibrate times the iterations in that dimension plus the final full-dimension
    /// pass. Checked against the dimension per
    /// scenario (an empty CSV cell means none).
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [EmptyAsNull(typeof(int))]
    [ValidateRangeWhenGiven(1, int.MaxValue)]
    public int? TrainDimension { get; set; }

    /// <summary>
    /// The -MaxSizeRatio of the planned run: balancing adds its per-row state and its candidate cache to the memory
    /// (an empty CSV cell means none).
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [EmptyAsNull(typeof(double))]
    [ValidateRangeWhenGiven(1.0, double.MaxValue)]
    public double? MaxSizeRatio { get; set; }

    /// <summary>The -MinSizeRatio of the planned run: it turns balancing on as -MaxSizeRatio does.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [EmptyAsNull(typeof(double))]
    [ValidateRangeWhenGiven(0.0, 1.0)]
    public double? MinSizeRatio { get; set; }

    /// <summary>Also predict the training time, from about a second's measurement of this machine's speed.</summary>
    [Parameter]
    public SwitchParameter Calibrate { get; set; }

    /// <summary>Iterations the predicted training totals are for (with -Calibrate); omitted (or an empty CSV cell), 50.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [EmptyAsNull(typeof(int))]
    [ValidateRangeWhenGiven(1, int.MaxValue)]
    public int? MaxIterations { get; set; }

    private int Iterations => MaxIterations ?? 50;

    /// <summary>
    /// Clusters per tree node of the predicted hierarchical training (with -Calibrate); omitted (or an empty CSV cell),
    /// Invoke-KMeansTraining's default.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [EmptyAsNull(typeof(int))]
    [ValidateRangeWhenGiven(2, int.MaxValue)]
    public int? HierarchicalK { get; set; }

    private int FanOut => HierarchicalK ?? KMeansOptions.DefaultHierarchicalK;

    protected override void BeginProcessing() => _stopping = new CancellationTokenSource();

    protected override void StopProcessing() => _stopping?.Cancel();

    public void Dispose() => _stopping?.Dispose();

    protected override void ProcessRecord()
    {
        if (K < 1)
        {
            WriteError(KMeansErrors.InvalidK(K));
            return;
        }
        string? directory = ProviderPaths.ResolveTempDirectory(this, TempDirectory, out ErrorRecord? error);
        if (error is not null)
        {
            WriteError(error);
            return;
        }
        if (ParameterSetName == ShapeSet)
            EstimateShape(directory!);
        else
            EstimateFiles(directory!);
    }

    private void EstimateShape(string directory)
    {
        if (Dimension < 1)
            WriteError(KMeansErrors.InvalidDimension(Dimension));
        else if (Rows is < 1)
            WriteError(KMeansErrors.InvalidRows(Rows.Value));
        else
            WriteEstimate(Rows, Dimension, directory, files: []);
    }

    /// <summary>
    /// The files of one scenario (its -Path or -LiteralPath, wildcards expanded) make one sample, as they make one
    /// training's sample in Invoke-KMeansTraining: one estimate for them all, or none where a file is missing or cannot
    /// join the others (that training would stop on it).
    /// </summary>
    private void EstimateFiles(string directory)
    {
        bool literal = ParameterSetName == LiteralPathSet;
        var files = new List<string>();
        bool missing = false;
        foreach (string path in (literal ? LiteralPath : Path)!)
        {
            files.AddRange(ProviderPaths.ResolveExisting(this, path, literal, out ErrorRecord? error));
            if (error is not null)
            {
                WriteError(error);
                missing = true;
            }
        }
        if (missing || files.Count == 0)
            return;
        long? rows;
        int dimension;
        // Only the shape is needed: the files are closed before a calibration runs or the estimate goes down the pipeline.
        using (IVectorSource? source = VectorFiles.Open(files, Column, InputFormat, out ErrorRecord? openError,
            leftOut: empty => WriteWarning($"{empty.Message} It is left out: the other files give the dimension.")))
        {
            if (openError is not null)
            {
                WriteError(openError);
                return;
            }
            (rows, dimension) = (source!.RowCount, source.Dimension);
        }
        WriteEstimate(rows, dimension, directory, files);
    }

    /// <summary>One scenario: its plan, and with -Calibrate its predicted times; a scenario the plan or the prediction
    /// refuses is a non-terminating error, so the scenarios piped after it are still estimated.</summary>
    private void WriteEstimate(long? rows, int dimension, string directory, IReadOnlyList<string> files)
    {
        ResourcePlan plan;
        DiskRoom room;
        bool rereads;
        TrainingTimeEstimate? time = null;
        try
        {
            if (TrainDimension is int trainDimension)
                RandomizedHadamardProjection.Validate(dimension, trainDimension);
            var planned = new KMeansOptions
            {
                K = K, HierarchicalK = FanOut, TrainDimension = TrainDimension, MaxSizeRatio = MaxSizeRatio, MinSizeRatio = MinSizeRatio,
            };
            rereads = planned.RereadsInputForFinalPass && !PipelineInput;
            // Pipeline input is planned for the full SampleRate × K rows whatever it turns out to hold (PipelineSample).
            plan = ResourcePlan.Compute(PipelineInput ? null : rows, K, dimension, EffectiveSampleRate, Threads,
                trainDimension: TrainDimension, balanced: planned.BalancesPartitions,
                treeFanOut: planned.UsesHierarchy ? FanOut : null, rereadsInput: rereads);
            room = plan.OnDisk(directory);
            if (Calibrate)
                time = TrainingTimeEstimate.Predict(CalibrationFor(TrainDimension ?? dimension), plan.SampleRows, K, dimension,
                    FanOut, Iterations, Threads, trainDimension: TrainDimension,
                    balanced: MaxSizeRatio is not null || MinSizeRatio is not null, readsInput: rereads);
        }
        catch (KMeansException e)
        {
            WriteError(KMeansErrors.FromException(e));
            return;
        }
        OptionMessage? problem = plan.RowsProblem ?? room.Problem;
        var estimate = new KMeansDiskEstimate
        {
            Path = files.Count == 1 ? files[0] : null,
            Input = [.. files],
            K = K,
            Dimension = dimension,
            Rows = rows,
            SampleRate = EffectiveSampleRate,
            SampleRows = plan.SampleRows,
            TrainDimension = TrainDimension,
            FinalPassReadsInput = rereads,
            MaxSizeRatio = MaxSizeRatio,
            MinSizeRatio = MinSizeRatio,
            Bytes = plan.SampleBytes,
            InMemoryBytes = plan.InMemoryBytes,
            AvailableMemoryBytes = plan.AvailableMemoryBytes,
            TempDirectory = room.Directory,
            FreeBytes = room.FreeBytes,
            Fits = problem is null,
            FitsReason = problem?.Render(ParameterNames.Of),
            Recommendation = plan.Recommendation == SampleStorage.InMemory ? KMeansStorage.InMemory : KMeansStorage.OnDisk,
            MaxIterations = time?.MaxIterations,
            FlatIterationSeconds = time?.FlatIteration.TotalSeconds,
            FlatTrainingSeconds = time?.FlatTraining.TotalSeconds,
            HierarchicalIterationSeconds = time?.HierarchicalIteration?.TotalSeconds,
            HierarchicalTrainingSeconds = time?.HierarchicalTraining?.TotalSeconds,
            BalancingSeconds = time?.Balancing?.TotalSeconds,
            KernelGflops = time?.Calibration.KernelGflops,
        };
        if (time is null && files.Count == 0)
        {
            WriteObject(estimate);
            return;
        }
        // Tables of their own within 80 columns: a file's name and rows lead, the predicted training times take the
        // memory columns' place.
        var shown = new PSObject(estimate);
        shown.TypeNames.Insert(0, TypeName + "#" + (time is null ? "" : "Calibrated") + (files.Count == 0 ? "" : "File"));
        WriteObject(shown);
    }

    private const string TypeName = "KMeans.PowerShell.KMeansDiskEstimate";

    /// <summary>
    /// Measures this machine at a scenario's dimension and -ThrottleLimit, once per dimension in a call: later scenarios
    /// of that dimension reuse the rates. Rates measured at one dimension misjudged another's several times over (a
    /// 128-d scenario after an 8-d one: 0.44 s predicted instead of 0.14 s), so the order of piped scenarios decided
    /// their estimates.
    /// </summary>
    private CalibrationResult CalibrationFor(int dimension)
    {
        int measured = Math.Min(dimension, KernelCalibration.MaxDimension);
        if (_calibrations.TryGetValue(measured, out CalibrationResult? known))
            return known;
        CalibrationResult calibration;
        const string activity = "Calibrating this machine's training speed";
        WriteProgress(new ProgressRecord(CalibrationActivityId, activity,
            string.Create(CultureInfo.InvariantCulture, $"Timing the assignment, update and seeding steps at {Math.Min(dimension, KernelCalibration.MaxDimension):N0} dimensions on {Threads} threads")));
        try
        {
            calibration = KernelCalibration.Measure(measured, Threads, KernelCalibration.DefaultBudget, _stopping!.Token);
        }
        catch (OperationCanceledException) when (_stopping!.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            WriteProgress(new ProgressRecord(CalibrationActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
        WriteVerbose(string.Create(CultureInfo.InvariantCulture,
            $"Calibrated in {calibration.Elapsed.TotalSeconds:F2} s: assignment {calibration.KernelGflops:F1} GFLOP/s, update {calibration.UpdateValuesPerSecond / 1e9:F2} G values/s, seeding {calibration.SeedingValuesPerSecond / 1e9:F2} G values/s on {calibration.Threads} threads at {calibration.Dimension} dimensions."));
        _calibrations[measured] = calibration;
        return calibration;
    }
}
