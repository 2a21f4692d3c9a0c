using KMeans.Core.Buffers;

namespace KMeans.Core.Sampling;

/// <summary>The sampled rows at full dimension and, when a projection was asked for, the same rows projected.</summary>
public sealed class ProjectedSample(TrainingBuffer full, TrainingBuffer? projected) : IDisposable
{
    public TrainingBuffer Full { get; } = full;

    /// <summary>Row i of <see cref="Full"/> projected; null when the sample was built without a projection.</summary>
    public TrainingBuffer? Projected { get; } = projected;

    public void Dispose()
    {
        Projected?.Dispose();
        Full.Dispose();
    }
}
