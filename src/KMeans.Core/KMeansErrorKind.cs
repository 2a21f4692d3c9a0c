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

    /// <summary>Another training holds the checkpoint (see Training.Checkpoints.CheckpointLock).</summary>
    CheckpointInUse,

    /// <summary>A well-formed file whose content the module cannot use (a dtype, a shape, a column type).</summary>
    UnsupportedContent,

    /// <summary>A write would replace something that is not a regular file (a directory, a device, a FIFO).</summary>
    TargetNotRegularFile,

    /// <summary>Writing a file failed (permissions, a full disk); the target is unchanged.</summary>
    FileNotWritable,

    /// <summary>An input read again during training holds other rows than when it was sampled.</summary>
    InputChanged,
}
