using KMeans.Core.Buffers;

namespace KMeans.Core.Sampling;

/// <summary>
/// A training's sample: its rows at full dimension and, when a projection was asked for, the same rows projected; or,
/// where the input is read again for the final pass (<see cref="Training.KMeansOptions.RereadsInputForFinalPass"/>),
/// only the projected rows and where each came from.
/// </summary>
public sealed class ProjectedSample : IDisposable
{
    /// <summary>A sample that keeps its full-dimension rows, with their projections or none.</summary>
    public ProjectedSample(TrainingBuffer full, TrainingBuffer? projected)
    {
        Full = full;
        Projected = projected;
    }

    /// <summary>A sample that keeps only the projected rows; the final pass reads the others through <paramref name="rereading"/>.</summary>
    internal ProjectedSample(TrainingBuffer projected, SampleRereading rereading)
    {
        Projected = projected;
        Rereading = rereading;
    }

    /// <summary>The rows at full dimension; null when they are read again from the input (<see cref="Rereading"/>).</summary>
    public TrainingBuffer? Full { get; }

    /// <summary>Row i of the sample projected; null when the sample was built without a projection.</summary>
    public TrainingBuffer? Projected { get; }

    /// <summary>How the final pass reads the full-dimension rows again; null when <see cref="Full"/> keeps them.</summary>
    internal SampleRereading? Rereading { get; }

    /// <summary>The buffer training starts from: the full rows when kept, else the projected ones.</summary>
    private TrainingBuffer Kept => Full ?? Projected!;

    public long RowCount => Kept.RowCount;

    /// <summary>The dimension of the input rows (not of their projections).</summary>
    public int Dimension => Full?.Dimension ?? Rereading!.Dimension;

    public bool IsOnDisk => Kept.IsOnDisk;

    public bool IsSealed => Kept.IsSealed && (Projected?.IsSealed ?? true);

    public void Dispose()
    {
        Projected?.Dispose();
        Full?.Dispose();
    }
}
