using System.Management.Automation;
using KMeans.Core.Buffers;
using KMeans.PowerShell.Internal;

namespace KMeans.PowerShell;

/// <summary>
/// Estimates what a training run needs before it starts: the on-disk sample size, the memory of an in-memory run, the
/// free space in the temporary directory, and which storage to use. Every parameter binds from the pipeline by
/// property name, so a CSV of scenarios can be piped in; a bad scenario is reported and the next one is estimated.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KMeansDiskEstimate", DefaultParameterSetName = ShapeSet)]
[OutputType(typeof(KMeansDiskEstimate))]
public sealed class GetKMeansDiskEstimateCommand : PSCmdlet
{
    private const string ShapeSet = "Shape";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public int K { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ShapeSet)]
    public int Dimension { get; set; }

    /// <summary>Rows in the input; omitted, the sample is the full SampleRate × K rows.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ShapeSet)]
    public long? Rows { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    public int SampleRate { get; set; } = 256;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string? TempDirectory { get; set; }

    /// <summary>Threads of the planned run: each adds a little scratch memory.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    protected override void ProcessRecord()
    {
        if (K < 1)
        {
            WriteError(KMeansErrors.InvalidK(K));
            return;
        }
        if (Dimension < 1)
        {
            WriteError(KMeansErrors.InvalidDimension(Dimension));
            return;
        }
        if (Rows is < 0)
        {
            WriteError(KMeansErrors.InvalidRows(Rows.Value));
            return;
        }
        string? directory = ProviderPaths.ResolveTempDirectory(this, TempDirectory, out ErrorRecord? error);
        if (error is not null)
        {
            WriteError(error);
            return;
        }
        WriteObject(Estimate(Rows, Dimension, directory!));
    }

    private KMeansDiskEstimate Estimate(long? rows, int dimension, string directory)
    {
        MemoryEstimate estimate = MemoryEstimate.Compute(rows, K, dimension, SampleRate, ThrottleLimit);
        long free = new DriveInfo(directory).AvailableFreeSpace;
        long available = AvailableMemory.Bytes();
        bool inMemory = estimate.InMemoryBytes <= available * AvailableMemory.ComfortableShare;
        return new KMeansDiskEstimate
        {
            K = K,
            Dimension = dimension,
            Rows = rows,
            SampleRate = SampleRate,
            SampleRows = estimate.SampleRows,
            Bytes = estimate.SampleBytes,
            InMemoryBytes = estimate.InMemoryBytes,
            AvailableMemoryBytes = available,
            TempDirectory = directory,
            FreeBytes = free,
            Fits = estimate.SampleBytes <= free,
            Recommendation = inMemory ? KMeansStorage.InMemory : KMeansStorage.OnDisk,
        };
    }
}
