namespace KMeans.Core.Numerics;

/// <summary>
/// xoshiro256** seeded through SplitMix64: our own generator, so that a seed picks the same rows and centroids on
/// every .NET version and platform (System.Random's seeded sequence is not a documented contract).
/// </summary>
internal sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>One independent stream per (seed, stream) pair: sampling, and each redo, draw from their own.</summary>
    public SeededRandom(int seed, int stream = 0)
    {
        ulong state = ((ulong)(uint)seed << 32) ^ (ulong)(uint)stream ^ 0x9E3779B97F4A7C15UL;
        _s0 = SplitMix(ref state);
        _s1 = SplitMix(ref state);
        _s2 = SplitMix(ref state);
        _s3 = SplitMix(ref state);
    }

    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="bound"/>) without modulo bias.</summary>
    public long NextInt64(long bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        ulong limit = ulong.MaxValue - ulong.MaxValue % (ulong)bound;
        ulong value;
        do
            value = NextUInt64();
        while (value >= limit);
        return (long)(value % (ulong)bound);
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
