using System.Management.Automation;
using KMeans.Core.Reporting;
using KMeans.Core;
using KMeans.PowerShell.Binding;
using KMeans.PowerShell.Errors;
using KMeans.PowerShell.Mapping;
using KMeans.PowerShell.Paths;

namespace KMeans.PowerShell;

/// <summary>
/// Writes the training report of a model as one self-contained HTML file (inline CSS and SVG, no script, nothing
/// external), atomically. Refuses to replace a file without -Force, honours -WhatIf, and outputs the written file.
/// </summary>
[Cmdlet(VerbsData.Export, "KMeansReport", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportKMeansReportCommand : FileWriterCommand
{

    private KMeansModel? _model;

    /// <summary>
    /// The model, from Invoke-KMeansTraining -AsModel. Typed loosely so that anything else piped here (the centroid
    /// objects a training writes without -AsModel) gets one error that says what to pipe, not a binding error per item.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object? InputObject { get; set; }

    protected override void ProcessRecord()
    {
        if (VectorConverter.UnwrapLive(InputObject) is not KMeansModel model)
        {
            ThrowTerminatingError(KMeansErrors.NotAModel(InputObject!));
            return;
        }
        if (_model is not null)
            ThrowTerminatingError(KMeansErrors.SeveralModels(model));
        if (model.Centroids.Any(centroid => centroid.Size is null))
            ThrowTerminatingError(KMeansErrors.ModelWithoutSizes(model));
        _model = model;
    }

    protected override void BeginProcessing() => RefuseExistingTarget();

    protected override void EndProcessing()
    {
        if (_model is null)
            return;
        string target = CheckedTarget();
        if (!ShouldProcess(target, $"Write the training report of a K = {_model.K} model"))
            return;
        if (Write(_model, target, Force) is { } failure)
            ThrowTerminatingError(failure);
        WriteObject(WrittenFile.Of(this, target));
    }

    /// <summary>Renders and writes the report; an ErrorRecord when that failed (the target is then as it was).</summary>
    internal static ErrorRecord? Write(KMeansModel model, string target, bool force)
    {
        try
        {
            TrainingReportWriter.Write(TrainingReports.FromModel(model, DateTimeOffset.UtcNow), target, overwrite: force);
            return null;
        }
        catch (KMeansException e)
        {
            return KMeansErrors.FromException(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ErrorRecord(e, "FileNotWritable", ErrorCategory.WriteError, target);
        }
    }
}
