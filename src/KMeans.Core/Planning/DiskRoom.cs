namespace KMeans.Core.Planning;

/// <summary>
/// Whether the on-disk sample can be written in <see cref="Directory"/>: <see cref="Problem"/> says why not (and
/// <see cref="ProblemKind"/> is the error training would raise), or is null when it can.
/// </summary>
public sealed record DiskRoom(string Directory, long FreeBytes, KMeansErrorKind? ProblemKind, OptionMessage? Problem)
{
    public bool Fits => Problem is null;
}
