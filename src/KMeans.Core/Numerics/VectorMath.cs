namespace KMeans.Core.Numerics;

/// <summary>Vector operations shared by the distance kernels, the sampler and the trainer.</summary>
public static class VectorMath
{
    /// <summary>Scales <paramref name="vector"/> to unit length in place; the zero vector, which has no direction, stays zero.</summary>
    public static void Normalize(Span<float> vector) => VectorNorm.TryNormalize(vector, vector);
}
