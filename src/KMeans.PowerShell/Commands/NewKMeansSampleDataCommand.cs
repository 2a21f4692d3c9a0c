using System.Management.Automation;
using KMeans.Core.Files;
using KMeans.Core.SampleData;
using KMeans.Core;
using KMeans.PowerShell.Binding;
using KMeans.PowerShell.Errors;
using KMeans.PowerShell.Hosting;
using KMeans.PowerShell.Mapping;
using KMeans.PowerShell.Paths;

namespace KMeans.PowerShell;

/// <summary>
/// Writes a synthetic vector file of Gaussian blobs around random centres, streaming, so any number of rows costs one
/// batch of memory. The write runs on a worker task (Ctrl+C cancels it), is atomic, and outputs the FileInfo.
/// </summary>
[Cmdlet(VerbsCommon.New, "KMeansSampleData", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class NewKMeansSampleDataCommand : PSCmdlet, IDisposable
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private readonly CancellationTokenSource _stopping = new();

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string? Path { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    [Parameter(Mandatory = true)]
    [ValidateRange(1L, long.MaxValue)]
    public long Rows { get; set; }

    [Parameter(Mandatory = true)]
    [ValidateRange(1, int.MaxValue)]
    public int Dimension { get; set; }

    /// <summary>Number of blobs the rows are drawn around.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Clusters { get; set; } = 8;

    /// <summary>Standard deviation of the noise added to each coordinate of a centre.</summary>
    [Parameter]
    [ValidateRange(0.0, double.MaxValue)]
    public double Spread { get; set; } = 1.0;

    [Parameter]
    public int Seed { get; set; }

    /// <summary>The file format; by default the extension's.</summary>
    [Parameter]
    public KMeansVectorFormat? Format { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        string? target = OutputFile.Resolve(this, literal ? LiteralPath! : Path!, literal, out ErrorRecord? error);
        if (error is not null)
            ThrowTerminatingError(error);
        VectorFileFormat format = default;
        try
        {
            format = Format?.ToCore() ?? VectorFile.FormatFromPath(target!);
        }
        catch (KMeansException e)
        {
            ThrowTerminatingError(KMeansErrors.FromException(e));
        }
        if (File.Exists(target) && !Force)
            ThrowTerminatingError(KMeansErrors.TargetExists(target!));
        IVectorSource source = default!;
        try
        {
            var blobs = new GaussianBlobSource(Rows, Dimension, Clusters, Spread, Seed);
            source = format == VectorFileFormat.Bvecs ? new ByteRoundedSource(blobs) : blobs;
        }
        catch (KMeansException e)
        {
            ThrowTerminatingError(KMeansErrors.FromException(e));
        }
        if (!ShouldProcess(target, $"Write {Rows:N0} vectors of dimension {Dimension} around {Clusters} centres as {format}"))
            return;
        BackgroundFileWrite.Run(this, target!, token => VectorFileWriter.Write(source, target!, format, token, overwrite: Force), _stopping.Token);
        WriteObject(new FileInfo(target!));
    }

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}
