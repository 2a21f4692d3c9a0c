using KMeans.Core.Numerics;

namespace KMeans.Core.SampleData;

/// <summary>
/// Standard normal draws by the Box–Muller transform, two per pair of uniforms. Sequences are fixed by the seed;
/// they rely on Math.Log, Sqrt, Sin and Cos, which agree across mainstream platforms to within a last bit that the
/// rounding to float32 almost always hides.
/// </summary>
internal sealed class NormalSampler(SeededRandom random)
{
    private double _spare;
    private bool _hasSpare;

    public double Next()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
        double angle = 2.0 * Math.PI * random.NextDouble();
        _spare = radius * Math.Sin(angle);
        _hasSpare = true;
        return radius * Math.Cos(angle);
    }
}
