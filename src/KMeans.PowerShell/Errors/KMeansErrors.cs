using System.Management.Automation;
using KMeans.Core;
using KMeans.Core.Files;
using KMeans.PowerShell.Binding;

namespace KMeans.PowerShell.Errors;

/// <summary>
/// The one place where problems become ErrorRecords: every engine error kind and every cmdlet-level problem gets a
/// stable ErrorId (scripts test for it), the right ErrorCategory, and the offending path or value as TargetObject.
/// </summary>
internal static class KMeansErrors
{
    public static ErrorRecord FromException(KMeansException exception, object? target = null)
    {
        (string errorId, ErrorCategory category) = exception.Kind switch
        {
            KMeansErrorKind.InvalidOption => ("InvalidOption", ErrorCategory.InvalidArgument),
            KMeansErrorKind.NotEnoughRows => ("KExceedsRows", ErrorCategory.InvalidArgument),
            KMeansErrorKind.NoRows => ("NoRows", ErrorCategory.InvalidData),
            KMeansErrorKind.DimensionMismatch => ("DimensionMismatch", ErrorCategory.InvalidData),
            KMeansErrorKind.NonFiniteValue => ("NonFiniteValue", ErrorCategory.InvalidData),
            KMeansErrorKind.ValueOutOfRange => ("ValueOutOfRange", ErrorCategory.InvalidData),
            KMeansErrorKind.ZeroVector => ("ZeroVector", ErrorCategory.InvalidData),
            KMeansErrorKind.InitialCentroidsShape => ("InitialCentroidShape", ErrorCategory.InvalidArgument),
            KMeansErrorKind.InvalidCentroid => ("InvalidCentroid", ErrorCategory.InvalidArgument),
            KMeansErrorKind.TempDirectoryMissing => ("TempDirectoryNotFound", ErrorCategory.ObjectNotFound),
            KMeansErrorKind.TempDirectoryNotWritable => ("TempDirectoryNotWritable", ErrorCategory.PermissionDenied),
            KMeansErrorKind.InsufficientDiskSpace => ("InsufficientDiskSpace", ErrorCategory.ResourceUnavailable),
            KMeansErrorKind.InsufficientMemory => ("InsufficientMemory", ErrorCategory.ResourceUnavailable),
            KMeansErrorKind.FileNotFound => ("FileNotFound", ErrorCategory.ObjectNotFound),
            KMeansErrorKind.InvalidFile => ("InvalidFile", ErrorCategory.InvalidData),
            KMeansErrorKind.UnsupportedFile => ("UnsupportedFile", ErrorCategory.InvalidArgument),
            KMeansErrorKind.ColumnNotFound => ("ColumnNotFound", ErrorCategory.ObjectNotFound),
            KMeansErrorKind.AmbiguousColumn => ("AmbiguousColumn", ErrorCategory.InvalidArgument),
            KMeansErrorKind.FileExists => ("FileExists", ErrorCategory.ResourceExists),
            KMeansErrorKind.CheckpointMismatch => ("CheckpointMismatch", ErrorCategory.InvalidArgument),
            KMeansErrorKind.CheckpointInUse => ("CheckpointInUse", ErrorCategory.ResourceBusy),
            KMeansErrorKind.UnsupportedContent => ("UnsupportedContent", ErrorCategory.InvalidData),
            KMeansErrorKind.TargetNotRegularFile => ("TargetNotRegularFile", ErrorCategory.InvalidArgument),
            KMeansErrorKind.InputChanged => ("InputChanged", ErrorCategory.InvalidData),
            KMeansErrorKind.FileNotWritable => ("FileNotWritable", ErrorCategory.WriteError),
            _ => throw new System.Diagnostics.UnreachableException($"KMeansErrorKind.{exception.Kind} has no ErrorId."),
        };
        var record = new ErrorRecord(exception, errorId, category, target ?? exception.Target);
        if (exception.OptionMessage is { } message)
            record.ErrorDetails = new ErrorDetails(message.Render(ParameterNames.Of));
        return record;
    }

    /// <summary>A file whose extension names no format, followed by how the cmdlet reads it all the same.</summary>
    public static ErrorRecord UnknownExtension(KMeansException exception, string path, string howToReadIt) =>
        FromException(new KMeansException(KMeansErrorKind.UnsupportedFile, $"{exception.Message} {howToReadIt}", path, exception));

    public static ErrorRecord InvalidK(int k) => new(
        new ArgumentException($"-K must be at least 1, but was {k}."),
        "InvalidK", ErrorCategory.InvalidArgument, k);

    public static ErrorRecord InvalidDimension(int dimension) => new(
        new ArgumentException($"-Dimension must be at least 1, but was {dimension}."),
        "InvalidDimension", ErrorCategory.InvalidArgument, dimension);

    public static ErrorRecord InvalidRows(long rows) => new(
        new ArgumentException($"-Rows must be at least 1 (omit it when unknown), but was {rows}."),
        "InvalidRows", ErrorCategory.InvalidArgument, rows);

    public static ErrorRecord NotFileSystemPath(string path, string providerName) => new(
        new ArgumentException($"'{path}' is a path of the {providerName} provider; only FileSystem paths are supported."),
        "NotFileSystemPath", ErrorCategory.InvalidArgument, path);

    public static ErrorRecord PathNotFound(string path) => new(
        new ItemNotFoundException($"Cannot find a file at '{path}'."),
        "FileNotFound", ErrorCategory.ObjectNotFound, path);

    public static ErrorRecord PathIsLiteralName(string path) => new(
        new ItemNotFoundException($"No file matches the wildcard pattern '{path}', but a file has exactly that name: give it as -LiteralPath, which takes [ ] * ? as they are."),
        "FileNotFound", ErrorCategory.ObjectNotFound, path);

    public static ErrorRecord PathIsDirectory(string path, string directory) => new(
        new ItemNotFoundException($"'{directory}' is a directory, not a file; name the files in it (for example '{Path.Combine(path, "*.npy")}')."),
        "FileNotFound", ErrorCategory.ObjectNotFound, path);

    /// <param name="why">How the path falls short, completing "The temporary directory '…' ".</param>
    public static ErrorRecord TempDirectoryNotFound(string directory, string why) => new(
        new DirectoryNotFoundException($"The temporary directory '{directory}' {why}."),
        "TempDirectoryNotFound", ErrorCategory.ObjectNotFound, directory);

    /// <summary>
    /// Centroids piped to Get-KMeansAssignment as rows to assign against a centroid file: `Invoke-KMeansTraining
    /// data.npy -K 4 | Get-KMeansAssignment data.npy` bound the file to -Centroid and assigned the 4 centroids to its
    /// rows, silently.
    /// </summary>
    /// <param name="centroidFile">The file given as -Centroid; null when -Centroid is centroids (a model is never a row).</param>
    public static ErrorRecord CentroidsAsInput(object item, string? centroidFile) => new(
        new ArgumentException(
            $"The pipeline delivered {(VectorConverter.UnwrapLive(item) is KMeansModel ? "a model" : "centroids (KMeansCentroid objects)")} as rows to assign" +
            (centroidFile is null ? ". " : $", with the file '{centroidFile}' as the centroids. ") +
            "To assign a file with these centroids, give them to -Centroid: Get-KMeansAssignment data.npy -Centroid $centroids (or Get-KMeansAssignment data.npy centroids.arrow)." +
            (centroidFile is null ? "" : " To assign centroids as rows, give -Centroid the other centroids themselves (Import-KMeansCentroid), not their file.")),
        "CentroidsAsInput", ErrorCategory.InvalidArgument, item);

    public static ErrorRecord NotAVector(long index, object? item, string problem) => new(
        new ArgumentException($"Input item {index} is not a vector: {problem}"),
        "InvalidVectorInput", ErrorCategory.InvalidType, item);

    public static ErrorRecord InvalidCentroid(int index, object? item, string problem) => new(
        new ArgumentException($"Centroid {index} is not usable: {problem}"),
        "InvalidCentroid", ErrorCategory.InvalidArgument, item);

    public static ErrorRecord DistanceMismatch(string parameterName, KMeansDistance recorded, KMeansDistance requested) => new(
        new ArgumentException(
            $"The centroids of -{parameterName} were trained with -Distance {recorded}, but this run uses {requested}. Give -Distance {recorded} to use them as trained, or -Distance {requested} explicitly to use them with {requested} anyway."),
        "DistanceMismatch", ErrorCategory.InvalidArgument, recorded);

    public static ErrorRecord FileUnreadable(string path, Exception exception) => new(
        new IOException($"Cannot read '{path}': {exception.Message}", exception),
        "FileUnreadable", ErrorCategory.ReadError, path);

    /// <summary>Reading an input file or writing the on-disk sample failed part-way (a damaged disk, a full disk).</summary>
    public static ErrorRecord TrainingIOFailed(Exception exception, object? target) => new(
        new IOException($"Training stopped on a file error: {exception.Message}", exception),
        "TrainingIOFailed", ErrorCategory.ResourceUnavailable, target);

    /// <summary>
    /// A file the command would write is one it reads (an input file, the checkpoint it resumes from), or another file
    /// it writes: <paramref name="consequence"/> says which.
    /// </summary>
    public static ErrorRecord TargetIsInput(string target, string why, string consequence = "writing it would replace what is being read") => new(
        new ArgumentException($"'{target}' {why}; {consequence}. Name another file."),
        "TargetIsInput", ErrorCategory.InvalidArgument, target);

    public static ErrorRecord BlankFileName(string path) => new(
        new ArgumentException($"'{path}' names a file of blanks only, which is no name a script means (an unset variable, say): name the file."),
        "BlankFileName", ErrorCategory.InvalidArgument, path);

    public static ErrorRecord AmbiguousPath(string path, int matches) => new(
        new ArgumentException($"'{path}' matches {matches} items; name one file."),
        "AmbiguousPath", ErrorCategory.InvalidArgument, path);

    public static ErrorRecord SeveralModels(KMeansModel model) => new(
        new ArgumentException("One report shows one model: pipe a single KMeansModel to each Export-KMeansReport."),
        "SeveralModels", ErrorCategory.InvalidArgument, model);

    public static ErrorRecord NotAModel(object item) => new(
        new ArgumentException(VectorConverter.UnwrapLive(item) is KMeansCentroid
            ? "A training report needs the model, with its history, not its centroids: pipe Invoke-KMeansTraining -AsModel (or the model it wrote) to Export-KMeansReport."
            : DeserializedOutput.Problem(item) is { } lost
                ? $"A training report needs a KMeansModel, and {lost}."
                : $"A training report needs a KMeansModel (from Invoke-KMeansTraining -AsModel), not {VectorConverter.Unwrap(item)?.GetType().Name ?? "null"}."),
        "NotAModel", ErrorCategory.InvalidArgument, item);

    /// <summary>A model put together from centroids whose file did not record their sizes: a report charts the sizes.</summary>
    public static ErrorRecord ModelWithoutSizes(KMeansModel model) => new(
        new ArgumentException("A training report charts the partitions' sizes, but this model's centroids do not record theirs (they came from a file without sizes, such as .npy): pipe the model Invoke-KMeansTraining -AsModel returned."),
        "NotAModel", ErrorCategory.InvalidArgument, model);

    public static ErrorRecord TargetExists(string path) => new(
        AtomicFile.AlreadyExists(path),
        "FileExists", ErrorCategory.ResourceExists, path);
}
