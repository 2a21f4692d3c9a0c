using System.Collections;
using System.Management.Automation;
using KMeans.PowerShell.Binding;

namespace KMeans.PowerShell;

/// <summary>
/// The input of a cmdlet that reads vectors: piped vectors (or objects holding one in -VectorProperty) through
/// -InputObject, or vector files through -Path (wildcards) and -LiteralPath, with -Column for files of several vector
/// columns and -InputFormat for names whose extension does not give the format. -LiteralPath does not bind by property
/// name: a piped object arrives as -InputObject, where each cmdlet tells files (FileInfo objects) from vectors. Declared
/// once so that training and assignment accept the same input.
/// </summary>
public abstract class VectorInputCommand : PSCmdlet
{
    protected const string InputObjectSet = "InputObject";
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";

    /// <summary>
    /// Not mandatory, so that PowerShell never prompts for it when nothing is piped (a prompt can take neither a vector
    /// nor a file): <see cref="RequireInput"/> says what to give instead.
    /// </summary>
    [Parameter(ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public PSObject? InputObject { get; set; }

    [Parameter(ParameterSetName = InputObjectSet)]
    [ValidateNotNullOrEmpty]
    public string VectorProperty { get; set; } = "Vector";

    /// <summary>Vector files (Arrow IPC file or stream, Parquet, .npy, .fvecs, .bvecs); wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FileSystemPathCompleter))]
    public string[]? Path { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>The vector column of Arrow and Parquet files that hold several.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ArgumentCompleter(typeof(VectorColumnCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Column { get; set; }

    /// <summary>
    /// The files' format, for names whose extension does not give it: what New-KMeansSampleData -Format wrote under
    /// another name reads with that format. Named for the input, so that it is never taken for -OutFile's.
    /// </summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public KMeansVectorFormat? InputFormat { get; set; }

    /// <summary>
    /// Stops a call given no input at all (nothing piped, no -InputObject, no -Path) with an error that says what to
    /// give, followed by <paramref name="hint"/> when the cmdlet can tell what the user may have meant.
    /// </summary>
    protected void RequireInput(string? hint = null)
    {
        if (ParameterSetName != InputObjectSet || MyInvocation.ExpectingInput || MyInvocation.BoundParameters.ContainsKey(nameof(InputObject)))
            return;
        string name = MyInvocation.MyCommand.Name;
        ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                $"{name} got no vectors: pipe them ($vectors | {name} ...) or vector files (Get-ChildItem *.npy | {name} ...), give them to -InputObject, or name files with -Path."
                + (hint is null ? "" : " " + hint)),
            "NoInput", ErrorCategory.InvalidArgument, null));
    }

    /// <summary>
    /// Not for naming: takes what is piped beside -Path or -LiteralPath, so that the first such item stops the call
    /// (<see cref="RefusePipedInputBesideFiles"/>), where PowerShell would report each item as not bound and then read
    /// the files alone, leaving the piped vectors out without a word. An empty pipeline binds nothing here.
    /// </summary>
    [Parameter(ValueFromPipeline = true, ParameterSetName = PathSet, DontShow = true)]
    [Parameter(ValueFromPipeline = true, ParameterSetName = LiteralPathSet, DontShow = true)]
    public PSObject? PipedBesideFiles
    {
        get => null;
        set => _pipedBesideFiles = true;
    }

    private bool _pipedBesideFiles;

    /// <summary>Stops the call, before anything is read or written, when an item was piped beside -Path or -LiteralPath.</summary>
    protected void RefusePipedInputBesideFiles()
    {
        if (!_pipedBesideFiles)
            return;
        string name = MyInvocation.MyCommand.Name;
        string parameter = IsLiteralPath ? "-LiteralPath" : "-Path";
        ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                $"{name} was given both {parameter} and piped input: pipe the vectors or the vector files, or name the files with {parameter}, not both."),
            "PipedInputWithPath", ErrorCategory.InvalidArgument, null));
    }

    /// <summary>True when the input is -Path or -LiteralPath rather than the pipeline.</summary>
    protected bool ReadsFiles => ParameterSetName != InputObjectSet;

    protected bool IsLiteralPath => ParameterSetName == LiteralPathSet;

    /// <summary>-Path or -LiteralPath, whichever was given.</summary>
    protected string[] RequestedPaths => (IsLiteralPath ? LiteralPath : Path)!;

    /// <summary>
    /// The items of one -InputObject: each element when an array was passed to -InputObject by name, or when a piped
    /// item is a non-empty list of vectors or of objects holding one (,$rows | ...); else the item itself, so that a
    /// piped item that is no vector (@('a', 'b'), @($true, 1), @(), a list of vectors and strings) is one item that
    /// fails, and the items after it keep their index. A single vector, a list of numbers, always stays one item.
    /// </summary>
    protected IEnumerable<object?> InputItems()
    {
        object? item = VectorConverter.Unwrap(InputObject);
        if (item is IList items && !VectorConverter.IsNumberList(item) && item is not IDictionary
            && (!MyInvocation.ExpectingInput || (items.Count > 0 && items.Cast<object?>().All(element => VectorConverter.IsVector(element, VectorProperty)))))
        {
            foreach (object? element in items)
                yield return element;
        }
        else
        {
            yield return InputObject;
        }
    }
}
