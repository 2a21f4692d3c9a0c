using System.Management.Automation;
using KMeans.Core.Buffers;
using KMeans.Core.IO;
using KMeans.PowerShell.Internal;

namespace KMeans.PowerShell;

/// <summary>
/// Estimates what a training run needs before it starts: the on-disk sample size, the memory of an in-memory run, the
/// free space in the temporary directory, and which storage to use, from a shape (K, Dimension, Rows) or from vector
/// files. Every parameter binds from the pipeline by property name, so a CSV of scenarios can be piped in; a bad
/// scenario is reported and the next one is estimated.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KMeansDiskEstimate", DefaultParameterSetName = ShapeSet)]
[OutputType(typeof(KMeansDiskEstimate))]
public sealed class GetKMeansDiskEstimateCommand : PSCmdlet
{
    private const string ShapeSet = "Shape";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public int K { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ShapeSet)]
    public int Dimension { get; set; }

    /// <summary>Rows in the input; omitted (or an empty CSV cell), the sample is the full SampleRate × K rows.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ShapeSet)]
    [EmptyAsNull]
    public long? Rows { get; set; }

    /// <summary>Vector files whose dimension and row count give the shape; one estimate per file.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string[]? Path { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    public string? Column { get; set; }

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
            WriteObject(Estimate(Rows, Dimension, directory, path: null));
    }

    private void EstimateFiles(string directory)
    {
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (string path in (literal ? LiteralPath : Path)!)
        {
            IReadOnlyList<string> files = ProviderPaths.ResolveExisting(this, path, literal, out ErrorRecord? error);
            if (error is not null)
            {
                WriteError(error);
                continue;
            }
            foreach (string file in files)
            {
                using IVectorSource? source = VectorFiles.Open([file], Column, out error);
                if (error is not null)
                    WriteError(error);
                else
                    WriteObject(Estimate(source!.RowCount, source.Dimension, directory, file));
            }
        }
    }

    private KMeansDiskEstimate Estimate(long? rows, int dimension, string directory, string? path)
    {
        MemoryEstimate estimate = MemoryEstimate.Compute(rows, K, dimension, SampleRate, ThrottleLimit);
        long free = new DriveInfo(directory).AvailableFreeSpace;
        long available = AvailableMemory.Bytes();
        bool inMemory = estimate.InMemoryBytes <= available * AvailableMemory.ComfortableShare;
        return new KMeansDiskEstimate
        {
            Path = path,
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
