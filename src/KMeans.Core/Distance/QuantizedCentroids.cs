using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KMeans.Core.Distance;

/// <summary>
/// The packed centroids as 8-bit integers, for <see cref="ScreenedAssignment"/>: each centroid c′ (c − m, as the panels
/// hold it) as a scale δ = max|c′_j| / 127 and integers q_j = round(c′_j / δ) in [−127, 127], so that
/// c′_j = δ·(q_j + f_j) with |f_j| ≤ ½ (a residue). Laid out for the integer dot products of four bytes per
/// lane (VPDPBUSD): groups of 16 centroids, each group four dimensions at a time, 8 centroids' four bytes per 256-bit
/// vector, two vectors per group and step; dimensions past the last are 0.
/// </summary>
internal sealed unsafe class QuantizedCentroids : IDisposable
{
    public const int GroupWidth = 16;
    public const int StepDimensions = 4;
    private const int StepBytes = GroupWidth * StepDimensions;

    /// <summary>
    /// How far a residue as computed (the value times the scale's rounded reciprocal, less its integer) can be from the
    /// exact one (the value divided by the scale, less its integer), per dimension: three roundings of at most 2⁻²⁴
    /// relative on a quotient up to 127, below 2⁻¹⁵; over d dimensions √d times that.
    /// </summary>
    private const double ResiduePerDimension = 1.0 / (1 << 15);

    /// <summary>What <see cref="ResiduePerDimension"/> adds to a residue norm of <see cref="Dimension"/> values.</summary>
    public double ResidueSlack => Math.Sqrt(Dimension) * ResiduePerDimension;

    /// <summary>
    /// What the copy of <paramref name="k"/> centroids of <paramref name="dimension"/> values holds: the grouped and
    /// the row-major bytes, the row-major floats and four values per centroid (padded to whole groups).
    /// </summary>
    public static long Bytes(int k, int dimension)
    {
        long padded = (k + GroupWidth - 1L) / GroupWidth * GroupWidth;
        return padded * RowBytesOf(dimension) + (long)k * RowBytesOf(dimension) + (long)k * dimension * sizeof(float)
               + 4 * padded * sizeof(float);
    }

    /// <summary>Bytes a quantised row or centroid of <paramref name="dimension"/> values takes: whole steps of four dimensions.</summary>
    public static int RowBytesOf(int dimension) => (dimension + StepDimensions - 1) / StepDimensions * StepDimensions;

    public QuantizedCentroids(int k, int dimension)
    {
        K = k;
        Dimension = dimension;
        GroupCount = (k + GroupWidth - 1) / GroupWidth;
        Steps = (dimension + StepDimensions - 1) / StepDimensions;
        Values = (sbyte*)NativeMemory.AlignedAlloc((nuint)((long)GroupCount * Steps * StepBytes), 64);
        Scales = (float*)NativeMemory.AlignedAlloc((nuint)(GroupCount * GroupWidth * sizeof(float)), 64);
        Biases = (int*)NativeMemory.AlignedAlloc((nuint)(GroupCount * GroupWidth * sizeof(int)), 64);
        ResidueTerms = (float*)NativeMemory.AlignedAlloc((nuint)(GroupCount * GroupWidth * sizeof(float)), 64);
        CombinedTerms = (float*)NativeMemory.AlignedAlloc((nuint)(GroupCount * GroupWidth * sizeof(float)), 64);
        Scored = (float*)NativeMemory.AlignedAlloc((nuint)((long)k * dimension * sizeof(float)), 64);
        RowBytes = RowBytesOf(dimension);
        Rows = (sbyte*)NativeMemory.AlignedAlloc((nuint)((long)k * RowBytes), 64);
    }

    /// <summary>Bytes a quantised row or centroid takes: whole steps of four dimensions.</summary>
    public int RowBytes { get; }

    /// <summary>Each centroid's integers row-major (<see cref="RowBytes"/> apart), for one centroid's dot product at a time.</summary>
    public sbyte* Rows { get; private set; }

    /// <summary>
    /// The centroids as the kernels score them (c − m rounded), row-major: candidates are scored along a row, where the
    /// panels would give each dimension's value from another cache line.
    /// </summary>
    public float* Scored { get; private set; }

    public int K { get; }

    public int Dimension { get; }

    public int GroupCount { get; }

    /// <summary>Steps of four dimensions a row takes.</summary>
    public int Steps { get; }

    /// <summary>Group g's step s: its first 8 centroids' four values, then its last 8's, at <c>(g · Steps + s) · 64</c>.</summary>
    public sbyte* Values { get; private set; }

    /// <summary>δ per centroid, 0 for padding.</summary>
    public float* Scales { get; private set; }

    /// <summary>128·Σ q_j per centroid: what rows taken as unsigned bytes (q + 128) add to the integer dot product.</summary>
    public int* Biases { get; private set; }

    /// <summary>δ·‖f‖ per centroid (an upper bound, rounded up; 0 for padding): its residues' share of a pair's error bound.</summary>
    public float* ResidueTerms { get; private set; }

    /// <summary>δ·(‖q‖ + ‖f‖) per centroid (rounded up; 0 for padding).</summary>
    public float* CombinedTerms { get; private set; }

    /// <summary>The largest of <see cref="ResidueTerms"/> and of <see cref="CombinedTerms"/>.</summary>
    public float LargestResidueTerm { get; private set; }

    /// <inheritdoc cref="LargestResidueTerm"/>
    public float LargestCombinedTerm { get; private set; }

    /// <summary>Whether every centroid quantised with a finite, normal (or zero) scale; else no row is screened.</summary>
    public bool Usable { get; private set; }

    /// <summary>The largest δ·‖q‖.</summary>
    public double LargestIntegerNorm { get; private set; }

    /// <summary>The largest δ·‖f‖ (f_j = c′_j / δ − q_j, an upper bound).</summary>
    public double LargestResidueNorm { get; private set; }

    /// <summary>The largest ‖c′‖ (an upper bound).</summary>
    public double LargestNorm { get; private set; }

    /// <summary>The largest |norm term| the kernels add (‖c − m‖², or 0 for inner-product metrics).</summary>
    public double LargestNormTerm { get; private set; }

    /// <summary>Quantises the centroids <paramref name="packed"/> holds, as its panels score them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Quantize(PackedCentroids packed)
    {
        int d = Dimension;
        Span<sbyte> quantized = new sbyte[Steps * StepDimensions];
        bool usable = true;
        double largestIntegerNorm = 0, largestResidueNorm = 0, largestNorm = 0, largestNormTerm = 0;
        float largestResidueTerm = 0, largestCombinedTerm = 0;
        for (int c = 0; c < GroupCount * GroupWidth; c++)
        {
            quantized.Clear();
            float scale = 0, residue = 0, combined = 0;
            int bias = 0;
            if (c < K)
            {
                float* centroid = Scored + (long)c * d;
                packed.CopyScored(c, new Span<float>(centroid, d));
                (float largest, double squares) = LargestAndSquares(centroid, d);
                scale = largest / 127f;
                // A value that is not finite leaves its square sum NaN or infinite.
                if (!double.IsFinite(squares) || (largest > 0 && !float.IsNormal(scale)))
                {
                    usable = false;
                    scale = 0;
                }
                else if (largest > 0)
                {
                    (bias, long integerSquares, double residueSquares) = Quantize(centroid, d, 127f / largest, quantized);
                    double integerTerm = scale * Math.Sqrt(integerSquares) * (1 + 1e-12);
                    double residueTerm = scale * (Math.Sqrt(residueSquares) + ResidueSlack) * (1 + 1e-12);
                    largestIntegerNorm = Math.Max(largestIntegerNorm, integerTerm);
                    largestResidueNorm = Math.Max(largestResidueNorm, residueTerm);
                    residue = RoundedUp(residueTerm);
                    combined = RoundedUp(integerTerm + residueTerm);
                }
                largestNorm = Math.Max(largestNorm, Math.Sqrt(squares));
                largestNormTerm = Math.Max(largestNormTerm, Math.Abs((double)packed.Norms[c]));
            }
            Scales[c] = scale;
            Biases[c] = 128 * bias;
            ResidueTerms[c] = residue;
            CombinedTerms[c] = combined;
            largestResidueTerm = Math.Max(largestResidueTerm, residue);
            largestCombinedTerm = Math.Max(largestCombinedTerm, combined);
            if (c < K)
                quantized.CopyTo(new Span<sbyte>(Rows + (long)c * RowBytes, RowBytes));
            int group = c / GroupWidth, lane = c % GroupWidth;
            sbyte* at = Values + (long)group * Steps * StepBytes + lane / 8 * (StepBytes / 2) + lane % 8 * StepDimensions;
            fixed (sbyte* bytes = quantized)
            {
                for (int s = 0; s < Steps; s++)
                    *(int*)(at + (long)s * StepBytes) = *(int*)(bytes + s * StepDimensions);
            }
        }
        _blocksUnscreened = 0;
        Usable = usable && double.IsFinite(largestNormTerm) && double.IsFinite(largestNorm);
        // Products and square roots in double of values from float: relative errors far below 2⁻⁴⁰.
        LargestIntegerNorm = largestIntegerNorm * (1 + 1e-12);
        LargestResidueNorm = largestResidueNorm * (1 + 1e-12);
        // Squares of float values, exact in double, summed: off by at most d·2⁻⁵³ relatively (below 2⁻³⁹ for the
        // 16,384 dimensions screened at most), half that after the square root, under the widening.
        LargestNorm = largestNorm * (1 + 1e-12);
        LargestNormTerm = largestNormTerm;
        LargestResidueTerm = largestResidueTerm;
        LargestCombinedTerm = largestCombinedTerm;
    }

    /// <summary>max |v_j| and Σ v_j² (in double, exact products) of a centroid's <paramref name="d"/> values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float Largest, double Squares) LargestAndSquares(float* values, int d)
    {
        int j = 0;
        Vector512<float> largest = Vector512<float>.Zero;
        Vector512<double> squares = Vector512<double>.Zero;
        for (; j <= d - 16; j += 16)
        {
            Vector512<float> v = Vector512.Load(values + j);
            largest = Vector512.Max(largest, Vector512.Abs(v));
            Vector512<double> low = Vector512.WidenLower(v), high = Vector512.WidenUpper(v);
            squares += low * low + high * high;
        }
        float most = Largest(largest);
        double sum = Vector512.Sum(squares);
        for (; j < d; j++)
        {
            most = Math.Max(most, Math.Abs(values[j]));
            sum += (double)values[j] * values[j];
        }
        return (most, sum);
    }

    /// <summary>The largest of 16 values, none NaN (a NaN among them is caught by the caller's sums).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Largest(Vector512<float> values)
    {
        Vector256<float> half = Avx.Max(values.GetLower(), values.GetUpper());
        Vector128<float> quarter = Sse.Max(half.GetLower(), half.GetUpper());
        quarter = Sse.Max(quarter, Sse.Shuffle(quarter, quarter, 0b01_00_11_10));
        return Sse.Max(quarter, Sse.Shuffle(quarter, quarter, 0b10_11_00_01)).ToScalar();
    }

    /// <summary>
    /// q_j = round(v_j · <paramref name="reciprocal"/>) to nearest, ties to even, into <paramref name="bytes"/>, with
    /// Σ q_j, Σ q_j² (exact) and Σ (v_j · reciprocal − q_j)² (the residues exact in float, their squares exact in
    /// double, summed in double).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Sum, long IntegerSquares, double ResidueSquares) Quantize(float* values, int d, float reciprocal, Span<sbyte> bytes)
    {
        int j = 0;
        Vector512<float> scale = Vector512.Create(reciprocal);
        // Per lane at most d / 16 squares of 127² each: within an int for the dimensions screened.
        Vector512<int> sums = Vector512<int>.Zero, integerSquares = Vector512<int>.Zero;
        Vector512<double> residueSquares = Vector512<double>.Zero;
        fixed (sbyte* q = bytes)
        {
            for (; j <= d - 16; j += 16)
            {
                Vector512<float> scaled = Vector512.Load(values + j) * scale;
                // The current rounding mode: to nearest, ties to even, as MathF.Round.
                Vector512<int> integers = Avx512F.ConvertToVector512Int32(scaled);
                Vector512<float> residues = scaled - Avx512F.ConvertToVector512Single(integers);
                sums += integers;
                integerSquares += integers * integers;
                Vector512<double> low = Vector512.WidenLower(residues), high = Vector512.WidenUpper(residues);
                residueSquares += low * low + high * high;
                Avx512F.ConvertToVector128SByte(integers).Store(q + j);
            }
        }
        int sum = Vector512.Sum(sums);
        long squares = Vector512.Sum(Vector512.WidenLower(integerSquares) + Vector512.WidenUpper(integerSquares));
        double residueSum = Vector512.Sum(residueSquares);
        for (; j < d; j++)
        {
            float scaled = values[j] * reciprocal;
            int integer = (int)MathF.Round(scaled);
            bytes[j] = (sbyte)integer;
            sum += integer;
            squares += integer * integer;
            residueSum += (double)(scaled - integer) * (scaled - integer);
        }
        return (sum, squares, residueSum);
    }

    /// <summary><paramref name="value"/> in float, rounded up.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RoundedUp(double value)
    {
        float rounded = (float)value;
        // Where it fell below, the next float up (MathF.BitIncrement): one step away from zero from a positive float,
        // toward zero from a negative one (−0 never falls below: a positive value rounds to +0). Without branches, as
        // the comparison goes either way from row to row.
        int bits = BitConverter.SingleToInt32Bits(rounded);
        bits += (rounded < value ? 1 : 0) * ((bits >> 31) | 1);
        return BitConverter.Int32BitsToSingle(bits);
    }

    /// <summary>Rows the screen has assigned since this copy was made (not those it left to the float kernel).</summary>
    public long RowsScreened => Interlocked.Read(ref _rowsScreened);

    private long _rowsScreened;

    /// <summary>Blocks to leave to the float kernel before screening again.</summary>
    private int _blocksUnscreened;

    /// <summary>Blocks left to the float kernel after one whose screening did not pay.</summary>
    private const int PauseBlocks = 64;

    /// <summary>
    /// Whether to screen the next block: not for <see cref="PauseBlocks"/> blocks after one whose exact scores cost more
    /// than half of what screening saved (<see cref="Observe"/>). Either way the results are the same.
    /// </summary>
    public bool ScreenNext()
    {
        if (Volatile.Read(ref _blocksUnscreened) <= 0)
            return true;
        Interlocked.Decrement(ref _blocksUnscreened);
        return false;
    }

    /// <summary>
    /// Counts a screened block's rows, and takes what screening it cost: <paramref name="pairs"/> exact scores, each
    /// about 64 times a screened score (d dependent multiply-adds against d / 64 cycles), and
    /// <paramref name="unscreened"/> rows the float kernel scored again, at about twice a screened score each.
    /// </summary>
    public void Observe(int rows, int pairs, int unscreened)
    {
        Interlocked.Add(ref _rowsScreened, rows - unscreened);
        if (64.0 * pairs + 2.0 * K * unscreened > K * rows / 2.0)
            Volatile.Write(ref _blocksUnscreened, PauseBlocks);
    }

    public void Dispose()
    {
        if (Values == null)
            return;
        NativeMemory.AlignedFree(Values);
        NativeMemory.AlignedFree(Scales);
        NativeMemory.AlignedFree(Biases);
        NativeMemory.AlignedFree(ResidueTerms);
        NativeMemory.AlignedFree(CombinedTerms);
        NativeMemory.AlignedFree(Scored);
        NativeMemory.AlignedFree(Rows);
        Values = null;
        Scales = null;
        Biases = null;
    }
}
