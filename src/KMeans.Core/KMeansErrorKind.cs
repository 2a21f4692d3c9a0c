namespace KMeans.Core;

/// <summary>
/// What went wrong, as a stable code: the PowerShell layer maps each kind to an ErrorId and an ErrorCategory,
/// so messages may be reworded without breaking scripts that test for a kind.
/// </summary>
public enum KMeansErrorKind
{
    InvalidOption,
    NotEnoughRows,
    NoRows,
    DimensionMismatch,
    NonFiniteValue,
    ValueOutOfRange,
    ZeroVector,
    InitialCentroidsShape,
    InvalidCentroid,
    TempDirectoryMissing,
    TempDirectoryNotWritable,
    InsufficientDiskSpace,
    InsufficientMemory,
    FileNotFound,
    InvalidFile,
    UnsupportedFile,
    ColumnNotFound,
    AmbiguousColumn,
    FileExists,
    CheckpointMismatch,
}
