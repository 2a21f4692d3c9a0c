using System.Management.Automation;
using KMeans.Core.Files;
using KMeans.Core;
using KMeans.PowerShell.Binding;
using KMeans.PowerShell.Errors;
using KMeans.PowerShell.Mapping;
using KMeans.PowerShell.Paths;

namespace KMeans.PowerShell;

/// <summary>Reads centroids from any file the module reads (Arrow, Parquet, .npy, .fvecs, .bvecs, CSV, JSON) into KMeansCentroid objects.</summary>
[Cmdlet(VerbsData.Import, "KMeansCentroid", DefaultParameterSetName = PathSet)]
[OutputType(typeof(KMeansCentroid))]
public sealed class ImportKMeansCentroidCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string[]? Path { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>The vector column of Arrow and Parquet files that hold several.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VectorColumnCompleter))]
    public string? Column { get; set; }

    /// <summary>
    /// The file's format, for a name whose extension does not give it: what Export-KMeansCentroid -Format wrote under
    /// another name reads back with the same -Format.
    /// </summary>
    [Parameter]
    public KMeansCentroidFormat? Format { get; set; }

    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (string file in ProviderPaths.ExistingFilesReportingMisses(this, (literal ? LiteralPath : Path)!, literal))
            ImportFile(file);
    }

    private void ImportFile(string file)
    {
        CentroidSet set;
        try
        {
            set = CentroidFile.Read(file, Column, Format?.ToCore());
        }
        catch (KMeansException e) when (Format is null && e.Kind == KMeansErrorKind.UnsupportedFile && !VectorFile.HasKnownExtension(file))
        {
            WriteError(KMeansErrors.UnknownExtension(e, file,
                $"Give -Format ({string.Join(", ", Enum.GetNames<KMeansCentroidFormat>())}) to read it as a file Export-KMeansCentroid -Format wrote."));
            return;
        }
        catch (KMeansException e)
        {
            WriteError(KMeansErrors.FromException(e, file));
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(KMeansErrors.FileUnreadable(file, e));
            return;
        }
        WriteVerbose($"Read {set.K} centroids of dimension {set.Dimension} ({set.Distance?.ToPublic().ToString() ?? "metric not recorded"}) from '{file}'.");
        WriteObject(CentroidSets.ToCentroids(set), enumerateCollection: true);
    }
}
