using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KMeans.Core.Numerics;

namespace KMeans.Core.Sampling;

/// <summary>
/// A seeded fast Johnson–Lindenstrauss transform from <see cref="InputDimension"/> to <see cref="OutputDimension"/>
/// values: the subsampled randomised Hadamard transform (SRHT) y = S·H·D·x / √m, where D flips the sign of each input
/// coordinate at random, H is the Walsh–Hadamard matrix of the next power of two P ≥ the input dimension (the input
/// padded with zeros), and S keeps m of its P outputs chosen at random. ‖y‖² equals ‖x‖² in expectation, and distances
/// between rows are kept within 1 ± ε for m in O(log n / ε²) (Ailon and Chazelle, "The fast Johnson–Lindenstrauss
/// transform", 2009; Tropp, "Improved analysis of the subsampled randomized Hadamard transform", 2011).
/// </summary>
/// <remarks>
/// Chosen over a dense Gaussian or sparse projection because it needs no m × d matrix (the state is d signs and m
/// indices), costs O(P·log P) additions per row instead of O(m·d) multiply-adds, and its random signs spread every
/// input coordinate over all outputs, so sparse or axis-aligned rows are not lost by the subsampling. It is the
/// transform VectorChord applies before its IVF k-means (build.internal.kmeans_dimension). Every output is a fixed
/// sequence of exactly rounded additions and subtractions followed by one multiplication, on the vector and the
/// scalar path alike, so a row projects to the same bits wherever and whenever it is projected.
/// </remarks>
public sealed class RandomizedHadamardProjection
{
    private readonly float[] _signs;
    private readonly int[] _kept;
    private readonly float _scale;

    private RandomizedHadamardProjection(int inputDimension, int outputDimension, float[] signs, int[] kept)
    {
        InputDimension = inputDimension;
        OutputDimension = outputDimension;
        PaddedDimension = signs.Length;
        _signs = signs;
        _kept = kept;
        _scale = (float)(1 / Math.Sqrt(outputDimension));
    }

    public int InputDimension { get; }

    public int OutputDimension { get; }

    /// <summary>The power of two the Hadamard transform runs over.</summary>
    public int PaddedDimension { get; }

    /// <summary>The projection drawn from <paramref name="seed"/>; 1 ≤ outputDimension &lt; inputDimension.</summary>
    public static RandomizedHadamardProjection Create(int inputDimension, int outputDimension, int seed)
    {
        Validate(inputDimension, outputDimension);
        int padded = (int)Math.Min(1L << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)inputDimension));
        var random = new SeededRandom(seed, stream: ProjectionStream);
        var signs = new float[padded];
        for (int j = 0; j < padded; j++)
            signs[j] = j < inputDimension && (random.NextUInt64() >> 63) == 0 ? 1f : -1f;
        // A partial Fisher–Yates shuffle keeps m distinct outputs, each subset equally likely.
        int[] order = Enumerable.Range(0, padded).ToArray();
        for (int i = 0; i < outputDimension; i++)
        {
            int other = i + (int)random.NextInt64(padded - i);
            (order[i], order[other]) = (order[other], order[i]);
        }
        int[] kept = order[..outputDimension];
        Array.Sort(kept);
        return new RandomizedHadamardProjection(inputDimension, outputDimension, signs, kept);
    }

    /// <summary>Throws an InvalidOption <see cref="KMeansException"/> unless 1 ≤ outputDimension &lt; inputDimension.</summary>
    public static void Validate(int inputDimension, int outputDimension)
    {
        if (outputDimension >= 1 && outputDimension < inputDimension)
            return;
        throw new KMeansException(KMeansErrorKind.InvalidOption, inputDimension == 1
                ? new OptionMessage($"{{0}} needs vectors of 2 or more dimensions to project, but these have 1 (it was {outputDimension}).", KMeansOption.TrainDimension)
                : new OptionMessage($"{{0}} must be at least 1 and less than the vectors' {inputDimension} dimensions, but was {outputDimension}.", KMeansOption.TrainDimension),
            outputDimension);
    }

    /// <summary>Separate from the sampling (0) and redo (1 ..) streams of the same seed.</summary>
    private const int ProjectionStream = -17;

    /// <summary>Scratch for <see cref="Project"/>: one per thread.</summary>
    public float[] NewScratch() => new float[PaddedDimension];

    /// <summary>Writes the projection of <paramref name="row"/> to <paramref name="projected"/>.</summary>
    // Fully optimized from the first call, the signs included: sampling projects every chosen row in one call sequence,
    // so tiering would leave most of a first training's rows to unoptimised code. TensorPrimitives.Multiply, which
    // applied the signs before, ran at tier 0 there (a probe projecting Fashion-MNIST's 16,384 rows: 36 ms at first and
    // 17 ms once tiered up with it, 9.6 ms with this loop).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Project(ReadOnlySpan<float> row, Span<float> projected, float[] scratch)
    {
        if (row.Length != InputDimension || projected.Length != OutputDimension || scratch.Length != PaddedDimension)
            throw new ArgumentException("The row, output or scratch length does not match the projection.");
        ApplySigns(row, scratch);
        scratch.AsSpan(InputDimension).Clear();
        WalshHadamard.Transform(scratch);
        for (int i = 0; i < OutputDimension; i++)
            projected[i] = scratch[_kept[i]] * _scale;
    }

    /// <summary>The row times the ±1 signs, into the scratch: exact products, whatever the vector width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ApplySigns(ReadOnlySpan<float> row, float[] scratch)
    {
        ref float x = ref MemoryMarshal.GetReference(row);
        ref float sign = ref MemoryMarshal.GetArrayDataReference(_signs);
        ref float y = ref MemoryMarshal.GetArrayDataReference(scratch);
        int n = row.Length;
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count)
                (Vector512.LoadUnsafe(ref x, (nuint)j) * Vector512.LoadUnsafe(ref sign, (nuint)j)).StoreUnsafe(ref y, (nuint)j);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= n - Vector256<float>.Count; j += Vector256<float>.Count)
                (Vector256.LoadUnsafe(ref x, (nuint)j) * Vector256.LoadUnsafe(ref sign, (nuint)j)).StoreUnsafe(ref y, (nuint)j);
        }
        for (; j < n; j++)
            Unsafe.Add(ref y, j) = Unsafe.Add(ref x, j) * Unsafe.Add(ref sign, j);
    }
}
