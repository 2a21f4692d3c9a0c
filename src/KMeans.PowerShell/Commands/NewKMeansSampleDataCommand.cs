using System.Diagnostics;
using System.Management.Automation;
using KMeans.Core.Files;
using KMeans.Core.SampleData;
using KMeans.Core;
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
        }
        catch (KMeansException e)
        {
            ThrowTerminatingError(KMeansErrors.FromException(e));
        }
        if (!ShouldProcess(target, $"Write {Rows:N0} vectors of dimension {Dimension} around {Clusters} centres as {format}"))
            return;
        string activity = $"Writing {Rows:N0} vectors to {target}";
        var elapsed = Stopwatch.StartNew();
        TimeSpan shown = -ProgressInterval;
        try
        {
            BackgroundFileWrite.Run<long>(this, target,
                (rowsRead, token) => VectorFileWriter.Write(new ReadProgressSource(source, rowsRead), target, format, token, overwrite: Force),
                _stopping.Token, rows =>
                {
                    if (elapsed.Elapsed - shown < ProgressInterval)
                        return;
                    shown = elapsed.Elapsed;
                    WriteProgress(new ProgressRecord(ProgressActivityId, activity, $"{rows:N0} of {Rows:N0} vectors written")
                    {
                        PercentComplete = (int)(100 * rows / Rows),
                        SecondsRemaining = (int)Math.Ceiling(elapsed.Elapsed.TotalSeconds / rows * (Rows - rows)),
                    });
                });
        }
        finally
        {
            if (shown >= TimeSpan.Zero)
                WriteProgress(new ProgressRecord(ProgressActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
        WriteObject(WrittenFile.Of(this, target));
    }

    private const int ProgressActivityId = 1;

    /// <summary>At most this often a progress record, as for training: a file of millions of rows is written in seconds.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}
