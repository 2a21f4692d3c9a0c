using System.Management.Automation;
using KMeans.Core;
using KMeans.Core.Files;
using KMeans.PowerShell.Internal;

namespace KMeans.PowerShell;

/// <summary>
/// Writes centroids or a model from the pipeline to one file, atomically (a temporary file beside the target, then a
/// rename). Refuses to replace a file without -Force, honours -WhatIf, and outputs the written file.
/// </summary>
[Cmdlet(VerbsData.Export, "KMeansCentroid", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[Alias("Export-KMeansCentroids")]
[OutputType(typeof(FileInfo))]
public sealed class ExportKMeansCentroidCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private readonly List<KMeansCentroid> _centroids = [];
    private KMeansModel? _model;
    private bool _failed;

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string? Path { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    /// <summary>The file format; by default the extension's (.arrow/.feather/.ipc, .npy, .csv, .json), else Arrow.</summary>
    [Parameter]
    public KMeansCentroidFormat? Format { get; set; }

    /// <summary>The metric recorded with plain centroids; a model records its own.</summary>
    [Parameter]
    public KMeansDistance Distance { get; set; } = KMeansDistance.L2;

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        // -InputObject (Invoke-KMeansTraining ...) passes all centroids at once; piping passes them one by one.
        if (VectorConverter.Unwrap(InputObject) is System.Collections.IList items)
        {
            foreach (object? item in items)
                Accept(item is PSObject wrapped ? wrapped : new PSObject(item));
        }
        else
        {
            Accept(InputObject);
        }
    }

    private void Accept(PSObject? input)
    {
        switch (VectorConverter.Unwrap(input))
        {
            case KMeansModel model when _model is null && _centroids.Count == 0:
                _model = model;
                break;
            case KMeansCentroid centroid when _model is null:
                _centroids.Add(centroid);
                break;
            case KMeansModel or KMeansCentroid:
                _failed = true;
                WriteError(KMeansErrors.InvalidCentroid(_centroids.Count, input,
                    "pipe either one KMeansModel or KMeansCentroid objects to one file, not both nor several models."));
                break;
            default:
                _failed = true;
                WriteError(KMeansErrors.InvalidCentroid(_centroids.Count, input,
                    $"it is a {VectorConverter.Unwrap(input)?.GetType().Name ?? "null"}, not a KMeansCentroid or a KMeansModel."));
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (_failed)
            return;
        bool literal = ParameterSetName == LiteralPathSet;
        string requested = literal ? LiteralPath! : Path!;
        string? target = OutputFile.Resolve(this, requested, literal, out ErrorRecord? error);
        if (error is not null)
            ThrowTerminatingError(error);
        CentroidSet set = CentroidSetToWrite();
        CentroidFileFormat format = Format?.ToCore() ?? FormatOf(target!);
        if (File.Exists(target) && !Force)
            ThrowTerminatingError(KMeansErrors.TargetExists(target!));
        if (!ShouldProcess(target, $"Write {set.K} centroids of dimension {set.Dimension} as {format}"))
            return;
        try
        {
            CentroidFile.Write(target!, set, format, overwrite: Force);
        }
        catch (KMeansException e)
        {
            ThrowTerminatingError(KMeansErrors.FromException(e));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "FileNotWritable", ErrorCategory.WriteError, target));
        }
        WriteObject(new FileInfo(target!));
    }

    private CentroidSet CentroidSetToWrite()
    {
        string version = MyInvocation.MyCommand.Module?.Version.ToString() ?? typeof(ExportKMeansCentroidCommand).Assembly.GetName().Version!.ToString(3);
        if (_model is not null)
            return CentroidSets.FromModel(_model, version);
        if (_centroids.Count == 0)
            ThrowTerminatingError(KMeansErrors.InvalidCentroid(0, null, "no centroids came through the pipeline."));
        List<KMeansCentroid> ordered = [.. _centroids.OrderBy(c => c.ClusterId)];
        for (int c = 0; c < ordered.Count; c++)
        {
            if (ordered[c].ClusterId != c)
                ThrowTerminatingError(KMeansErrors.InvalidCentroid(c, ordered[c],
                    $"the cluster ids must be 0 to {ordered.Count - 1}, each once, but {ordered[c].ClusterId} is at position {c}."));
            if (ordered[c].Dimension != ordered[0].Dimension)
                ThrowTerminatingError(KMeansErrors.InvalidCentroid(c, ordered[c],
                    $"it has {ordered[c].Dimension} values, but centroid 0 has {ordered[0].Dimension}."));
        }
        try
        {
            return CentroidSets.FromCentroids(ordered, version, Distance);
        }
        catch (KMeansException e)
        {
            ThrowTerminatingError(KMeansErrors.FromException(e));
            throw;
        }
    }

    private static CentroidFileFormat FormatOf(string path)
    {
        try
        {
            return CentroidFile.FormatFromPath(path);
        }
        catch (KMeansException e) when (e.Kind == KMeansErrorKind.UnsupportedFile)
        {
            return CentroidFileFormat.Arrow;
        }
    }
}
