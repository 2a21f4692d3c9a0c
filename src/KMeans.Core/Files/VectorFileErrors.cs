namespace KMeans.Core.Files;

/// <summary>The exceptions every vector reader and writer throws, worded alike and always naming the file.</summary>
internal static class VectorFileErrors
{
    public static KMeansException Invalid(string path, string problem, Exception? inner = null) =>
        new(KMeansErrorKind.InvalidFile, $"'{path}' cannot be read: {problem}", path, inner);

    public static KMeansException Unsupported(string path, string problem) =>
        new(KMeansErrorKind.UnsupportedContent, $"'{path}' cannot be used: {problem}", path);

    public static KMeansException Truncated(string path, long expectedBytes, long actualBytes) =>
        Invalid(path, $"it should hold at least {expectedBytes} bytes but holds {actualBytes}; it is probably truncated.");

    public static KMeansException RaggedRow(string path, long row, int length, int dimension) =>
        new(KMeansErrorKind.DimensionMismatch,
            $"Row {row} of '{path}' has {length} values, but the rows before it have {dimension}: all vectors must have the same dimension.",
            row);

    /// <summary>The first non-null row of a list column, empty, cannot give the file its dimension.</summary>
    public static KMeansException EmptyFirstVector(string path, long row) =>
        new(KMeansErrorKind.DimensionMismatch,
            $"Row {row} of '{path}', its first vector, is an empty list: a vector needs at least one value, and the first one gives the dimension.",
            row);

    public static KMeansException NoVectors(string path) =>
        new(KMeansErrorKind.NoRows, $"'{path}' holds no non-null vector, so its dimension is unknown.", path);

    /// <summary>A file a library could not parse; the library's own words stay in the inner exception.</summary>
    public static KMeansException Damaged(string path, Exception inner) =>
        Invalid(path, inner is EndOfStreamException
            ? "it ends before the data its headers describe; it is truncated or damaged."
            : "its bytes do not form a valid file of its format; it is damaged (see the inner exception for where the reader stopped).", inner);

    /// <summary>
    /// Whether an exception thrown inside a file library's call is the file's fault and should be wrapped: libraries
    /// report damaged data with anything from IOException to IndexOutOfRangeException, so only our own
    /// exceptions, cancellation, out-of-memory and a file that vanished or became unreadable pass through.
    /// </summary>
    public static bool IsLibraryFailure(Exception exception) =>
        exception is not (KMeansException or OperationCanceledException or OutOfMemoryException or UnauthorizedAccessException
            or FileNotFoundException or DirectoryNotFoundException);
}
