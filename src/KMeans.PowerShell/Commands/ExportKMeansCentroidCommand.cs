using System.Management.Automation;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core;
using KMeans.PowerShell.Binding;
using KMeans.PowerShell.Errors;
using KMeans.PowerShell.Hosting;
using KMeans.PowerShell.Mapping;

namespace KMeans.PowerShell;

/// <summary>
/// Writes centroids or a model from the pipeline to one file, atomically (a temporary file beside the target, then a
/// rename). Refuses to replace a file without -Force, honours -WhatIf, and outputs the written file.
/// </summary>
[Cmdlet(VerbsData.Export, "KMeansCentroid", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[Alias("Export-KMeansCentroids")]
[OutputType(typeof(FileInfo))]
public sealed class ExportKMeansCentroidCommand : FileWriterCommand, IDisposable
{

    private readonly List<KMeansCentroid> _centroids = [];
    private KMeansModel? _model;
    private bool _failed;
    private int _itemsSeen;
    private readonly CancellationTokenSource _stopping = new();

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>The file format; by default the extension's (.arrow/.feather/.ipc, .arrows, .npy, .csv, .json), required for any other.</summary>
    [Parameter]
    public KMeansCentroidFormat? Format { get; set; }

    /// <summary>The metric to record; by default the model's or the centroids' own.</summary>
    [Parameter]
    public KMeansDistance? Distance { get; set; }

    protected override void ProcessRecord()
    {
        // -InputObject (Invoke-KMeansTraining ...) passes all centroids at once; piping passes them one by one. A list of
        // numbers is one item, a plain vector, refused whole rather than number by number.
        if (VectorConverter.Unwrap(InputObject) is System.Collections.IList items && !VectorConverter.IsNumberList(items))
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
        int item = _itemsSeen++;
        switch (VectorConverter.UnwrapLive(input))
        {
            case KMeansModel model when _model is null && _centroids.Count == 0:
                _model = model;
                break;
            case KMeansCentroid centroid when _model is null:
                _centroids.Add(centroid);
                break;
            case KMeansModel or KMeansCentroid:
                _failed = true;
                WriteError(KMeansErrors.InvalidCentroid(item, input,
                    "pipe either one KMeansModel or KMeansCentroid objects to one file, not both nor several models."));
                break;
            default:
                _failed = true;
                WriteError(KMeansErrors.InvalidCentroid(item, input, VectorConverter.IsNumberList(input)
                    ? "it is a plain vector, not a KMeansCentroid or a KMeansModel: Export-KMeansCentroid writes what a training or Import-KMeansCentroid gives (New-KMeansSampleData and other tools write vectors)."
                    : DeserializedOutput.Problem(input) ?? $"it is {TypeWords.Of(VectorConverter.Unwrap(input))}, not a KMeansCentroid or a KMeansModel."));
                break;
        }
    }

    protected override void BeginProcessing() => RefuseExistingTarget();

    protected override void EndProcessing()
    {
        if (_failed)
            return;
        string target = CheckedTarget();
        // Under -WhatIf a training before it in the pipeline outputs nothing: say what would be written, not that
        // nothing came (Invoke-KMeansTraining ... -ReportPath r.html | Export-KMeansCentroid c.arrow, a dry run).
        if (_itemsSeen == 0 && !ShouldProcess(target, "Write the centroids that come through the pipeline"))
            return;
        CentroidSet set = CentroidSetToWrite();
        VectorFileFormat format = Format?.ToCore() ?? FormatOf(target);
        if (!ShouldProcess(target, $"Write {set.K} centroids of dimension {set.Dimension} as {format}"))
            return;
        BackgroundFileWrite.Run(this, target, token => CentroidFile.Write(target, set, format, overwrite: Force, token), _stopping.Token);
        if (set.Distance is DistanceMetric distance && distance != DistanceMetric.L2 && !CentroidFile.RecordsDistance(format))
            WriteWarning($"'{target}' does not record the metric ({distance.ToPublic()}): give -Distance {distance.ToPublic()} when you use these centroids again, or export to .arrow or .json, which record it.");
        if (set.Prices is not null && !CentroidFile.RecordsPrices(format))
            WriteWarning($"'{target}' does not record the partition prices of these balanced centroids: assignment from it sends each row to its nearest centroid, and the partitions of all rows are no longer balanced. Export to .arrow or .json, which record them.");
        if (_pricesLearnedUnder is { } learned)
            WriteWarning($"'{target}' does not record the partition prices of these balanced centroids: they were learned under {learned} distance, and under -Distance {Distance} they mean nothing, so assignment from it sends each row to its nearest centroid and the partitions of all rows are no longer balanced. Export without -Distance to keep them.");
        WriteObject(WrittenFile.Of(this, target!));
    }

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();

    /// <summary>The centroids to write; what the core refuses in them (a non-finite value) is a terminating error.</summary>
    private CentroidSet CentroidSetToWrite()
    {
        try
        {
            return CoreCentroidSet();
        }
        catch (KMeansException e)
        {
            ThrowTerminatingError(KMeansErrors.FromException(e));
            throw;
        }
    }

    private CentroidSet CoreCentroidSet()
    {
        string version = MyInvocation.MyCommand.Module?.Version.ToString() ?? typeof(ExportKMeansCentroidCommand).Assembly.GetName().Version!.ToString(3);
        if (_model is not null)
        {
            CentroidSet fromModel = CentroidSets.FromModel(_model, version);
            return Distance is null ? fromModel : WithDistance(fromModel, Distance.Value);
        }
        if (_centroids.Count == 0)
            ThrowTerminatingError(KMeansErrors.InvalidCentroid(0, null, "no centroids came through the pipeline."));
        // Positions in messages are the pipeline's; centroids of two models show as another dimension, not repeated ids.
        for (int c = 1; c < _centroids.Count; c++)
        {
            if (_centroids[c].Dimension != _centroids[0].Dimension)
                ThrowTerminatingError(KMeansErrors.InvalidCentroid(c, _centroids[c],
                    $"it has {_centroids[c].Dimension} values, but centroid 0 has {_centroids[0].Dimension}."));
        }
        int[] order = [.. Enumerable.Range(0, _centroids.Count).OrderBy(at => _centroids[at].ClusterId)];
        for (int place = 0; place < order.Length; place++)
        {
            if (_centroids[order[place]].ClusterId != place)
                ThrowTerminatingError(KMeansErrors.InvalidCentroid(order[place], _centroids[order[place]],
                    $"the cluster ids must be 0 to {order.Length - 1}, each once, but " +
                    $"{CentroidInput.MissingOrRepeated([.. _centroids.Select(centroid => centroid.ClusterId)], place)}."));
        }
        List<KMeansCentroid> ordered = [.. order.Select(at => _centroids[at])];
        KMeansDistance?[] recorded = ordered.Select(c => c.Distance).Where(d => d is not null).Distinct().ToArray();
        if (Distance is null && recorded.Length > 1)
            ThrowTerminatingError(KMeansErrors.InvalidCentroid(0, ordered[0],
                $"the centroids carry different metrics ({string.Join(", ", recorded)}); give -Distance to choose the one to record."));
        int unknownSizes = ordered.Count(c => c.Size is null);
        if (unknownSizes > 0 && unknownSizes < ordered.Count)
            WriteWarning($"{unknownSizes} of the {ordered.Count} centroids have no size (they came from a file that records none): the file records sizes for all centroids or none, so the known sizes of the other {ordered.Count - unknownSizes} are not kept.");
        CentroidSet set = CentroidSets.FromCentroids(ordered, version, recorded.FirstOrDefault());
        return Distance is null ? set : WithDistance(set, Distance.Value);
    }

    /// <summary>The metric of the prices that <see cref="WithDistance"/> dropped, for the warning after the write.</summary>
    private string? _pricesLearnedUnder;

    private CentroidSet WithDistance(CentroidSet set, KMeansDistance distance)
    {
        var copy = new CentroidSet(set.K, set.Dimension, set.Values, set.Sizes)
        {
            Distance = distance.ToCore(),
            Loss = set.Loss,
            Iterations = set.Iterations,
            Seed = set.Seed,
            ModuleVersion = set.ModuleVersion,
            // A price is in the units of the metric it was learned in.
            Prices = set.Distance == distance.ToCore() ? set.Prices : null,
        };
        if (set.Prices is not null && copy.Prices is null)
            _pricesLearnedUnder = set.Distance?.ToPublic().ToString() ?? "another";
        foreach ((string key, string value) in set.Metadata)
            copy.Metadata[key] = value;
        return copy;
    }

    /// <summary>The format of the target's extension; an extension centroids cannot be written in is refused.</summary>
    private VectorFileFormat FormatOf(string path)
    {
        try
        {
            VectorFileFormat format = VectorFile.FormatFromPath(path);
            if (CentroidFile.WritableFormats.Contains(format))
                return format;
        }
        catch (KMeansException)
        {
        }
        ThrowTerminatingError(KMeansErrors.FromException(new KMeansException(KMeansErrorKind.UnsupportedFile,
            $"'{path}' does not end in an extension centroids are written in ({string.Join(", ", CentroidExtensions)}); give -Format to choose one.",
            path)));
        throw new InvalidOperationException("unreachable");
    }

    private static IEnumerable<string> CentroidExtensions =>
        VectorFile.SupportedExtensions.Where(extension => CentroidFile.WritableFormats.Contains(VectorFile.FormatFromPath("x" + extension)));
}
