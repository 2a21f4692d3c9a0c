using System.Globalization;
using System.Management.Automation;
using KMeans.Core.Files;
using KMeans.Core.SampleData;
using KMeans.Core;
using KMeans.PowerShell.Binding;
using KMeans.PowerShell.Errors;
using KMeans.PowerShell.Hosting;
using KMeans.PowerShell.Mapping;

namespace KMeans.PowerShell;

/// <summary>
/// Writes a synthetic vector file of Gaussian blobs around random centres, streaming, so any number of rows costs one
/// batch of memory. The write runs on a worker task (Ctrl+C cancels it), is atomic, and outputs the FileInfo.
/// </summary>
[Cmdlet(VerbsCommon.New, "KMeansSampleData", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class NewKMeansSampleDataCommand : FileWriterCommand, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    [Parameter(Mandatory = true)]
    [ValidateRange(1L, long.MaxValue)]
    [WholeNumber]
    public long Rows { get; set; }

    [Parameter(Mandatory = true)]
    [ValidateRange(1, int.MaxValue)]
    [WholeNumber]
    public int Dimension { get; set; }

    /// <summary>Number of blobs the rows are drawn around.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    [WholeNumber]
    public int Clusters { get; set; } = 8;

    /// <summary>Standard deviation of the noise added to each coordinate of a centre.</summary>
    [Parameter]
    [ValidateRange(0.0, double.MaxValue)]
    public double Spread { get; set; } = 1.0;

    [Parameter]
    [WholeNumber]
    public int Seed { get; set; }

    /// <summary>The file format; by default the extension's.</summary>
    [Parameter]
    public KMeansVectorFormat? Format { get; set; }

    protected override void EndProcessing()
    {
        string target = CheckedTarget();
        VectorFileFormat format = default;
        try
        {
            format = Format?.ToCore() ?? VectorFile.FormatFromPath(target);
            VectorFileWriter.CheckWritable(target, format);
        }
        catch (KMeansException e)
        {
            ThrowTerminatingError(KMeansErrors.FromException(e));
        }
        IVectorSource source = default!;
        try
        {
            var blobs = new GaussianBlobSource(Rows, Dimension, Clusters, Spread, Seed);
            source = format == VectorFileFormat.Bvecs ? new ByteRoundedSource(blobs) : blobs;
            VectorFileRoom.Check(target, format, Rows, Dimension);
        }
        catch (KMeansException e)
        {
            ThrowTerminatingError(KMeansErrors.FromException(e));
        }
        if (!ShouldProcess(target, string.Create(CultureInfo.InvariantCulture, $"Write {Rows:N0} vectors of dimension {Dimension} around {Clusters} centres as {format}")))
            return;
        var progress = new CountProgress(this, ProgressActivityId, string.Create(CultureInfo.InvariantCulture, $"Writing {Rows:N0} vectors to {target}"), showFirst: true);
        try
        {
            BackgroundFileWrite.Run<long>(this, target,
                (rowsRead, token) => VectorFileWriter.Write(new ReadProgressSource(source, rowsRead), target, format, token, overwrite: Force),
                _stopping.Token, rows => progress.Report(rows, Rows, string.Create(CultureInfo.InvariantCulture, $"{rows:N0} of {Rows:N0} vectors written")));
        }
        finally
        {
            progress.Complete();
        }
        WriteObject(WrittenFile.Of(this, target));
    }

    private const int ProgressActivityId = 1;

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}
