// AvxVnni is marked as a preview API in net8.0's reference assemblies only; the module runs on .NET 10, where it is not.
#pragma warning disable CA2252
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using KMeans.Core.Numerics;

namespace KMeans.Core.Distance;

/// <summary>
/// The nearest centroid of each row by screening with 8-bit integers first: every centroid gets an approximate score
/// from <see cref="QuantizedCentroids"/> and the row quantised the same way (one VPDPBUSD does 32 byte products, twice
/// the products of a 512-bit fused multiply-add, so the screen runs at about twice the float kernel's rate), and only
/// the centroids whose approximate score could still be the lowest are scored exactly, by the float kernel's own
/// arithmetic. Labels and scores are bit-identical to <see cref="AssignmentKernel.AssignTiled"/>'s: every approximate
/// score lies within a proven bound W of the kernel's float score for the same pair, so a centroid whose approximate
/// score exceeds the row's lowest by more than 2·W scores more than the kernel's lowest and cannot be its choice, nor
/// tie with it.
/// </summary>
/// <remarks>
/// The bound, with u = 2⁻²⁴, x′ and c′ the row and centroid as the kernels score them (less the offset, rounded),
/// x′_j = δ_x·(p_j + e_j) and c′_j = δ_c·(q_j + f_j) with residues |e_j|, |f_j| ≤ ½:
/// x′·c′ − δ_x·δ_c·Σ p_j·q_j = δ_x·δ_c·Σ (p_j·f_j + e_j·q_j + e_j·f_j), at most, by Cauchy–Schwarz,
/// D = δ_x·(‖p‖·max δ_c·‖f‖ + ‖e‖·(max δ_c·‖q‖ + max δ_c·‖f‖)) in magnitude (the residues' norms as computed, widened
/// for their rounding); the integer sum is exact. Against the worst case of every residue at ½ this keeps W1's rows to
/// 1.3–2.5 candidates instead of 1.7–4 (a numpy model). The approximate score ‖c′‖² − 2·δ_x·δ_c·Σ p_j·q_j
/// is formed with three roundings, off by at most 10u·(X·C + D) + 2u·N (X ≥ ‖x′‖, C ≥ max ‖c′‖, N the largest norm
/// term); the kernel's score is off from the exact one by at most 2γ_{d+2}·X·C + u·(N + 3·X·C) plus underflow (as in
/// <see cref="NearTies"/>). W is the sum, 2·D included. A row's second-lowest score, which
/// <see cref="NearTies"/> needs, is its candidates' second or, if lower, the bound below which no other centroid
/// scores: the lowest approximate score plus W.
/// </remarks>
internal static unsafe class ScreenedAssignment
{
    private const int GroupRows = 6;
    private const int GroupWidth = QuantizedCentroids.GroupWidth;
    private const int StepBytes = QuantizedCentroids.GroupWidth * QuantizedCentroids.StepDimensions;

    /// <summary>A row's count of candidates once it is left to the float kernel.</summary>
    private const int Left = -1;

    /// <summary>A row's count of candidates once its label is certain without an exact score.</summary>
    private const int Certain = -2;

    /// <summary>Candidates a row may hold; a row that needs more is scored by the float kernel instead.</summary>
    private const int MostCandidates = 32;

    /// <summary>Whether this machine can screen: beside the AVX-512 kernel, whose scores the exact pairs reproduce.</summary>
    public static bool Runs => Avx512F.IsSupported;

    /// <summary>
    /// Whether it has the 256-bit integer dot products that make screening pay (AVX-VNNI); without them the integer
    /// sums are taken one pair at a time, which only tests ask for.
    /// </summary>
    public static bool Accelerated => Runs && AvxVnni.IsSupported;

    /// <summary>
    /// Centroids, dimensions and their product from which Lloyd's passes screen. Whole trainings with the screen on and
    /// off, alternating (bench/README.md): median iterations 0.88–0.94× at W1's d = 128 and K = 512, 0.77–0.86× at W2's
    /// d = 1,024 and K = 256, 0.63× at W4's d = 128 and K = 4,096, 1.00× on W3's blobs, whose rows the skip bounds keep;
    /// but at K = 256 and d = 128 about 1.2× (W2's rows projected to 128 dimensions, a reduced-dimension training's
    /// shape: 1.86 exact pairs a row) and 1.0× on uniform rows. The work per row beside the integer loop (quantising
    /// the row, its bounds, its candidates and their exact scores) weighs less the more products the loop does per row,
    /// K·d, and below 65,536 it took what the faster products saved.
    /// </summary>
    public const int ScreensFromCentroids = 256;

    /// <inheritdoc cref="ScreensFromCentroids"/>
    public const int ScreensFromDimension = 128;

    /// <inheritdoc cref="ScreensFromCentroids"/>
    public const long ScreensFromProducts = 65_536;

    /// <summary>
    /// Dimensions a screened row may have: the squares of its bytes are summed exactly in float lanes only while a lane's
    /// sum, d / 16 squares of up to 127², stays below 2²⁴ (d ≤ 16,640).
    /// </summary>
    public const int MostDimensions = 16_384;

    /// <summary>
    /// Whether Lloyd's passes over K = <paramref name="k"/> centroids of <paramref name="dimension"/> values screen:
    /// where it pays on this machine, unless <paramref name="forced"/> (tests) says otherwise.
    /// </summary>
    public static bool Screens(bool? forced, int k, int dimension) =>
        Runs && dimension <= MostDimensions
             && (forced ?? (Accelerated && k >= ScreensFromCentroids && dimension >= ScreensFromDimension
                            && (long)k * dimension >= ScreensFromProducts));

    /// <summary>
    /// What screening adds to a run of <paramref name="threads"/> threads: the quantised centroids and each thread's
    /// scratch for a block of <paramref name="rowsPerBlock"/> rows.
    /// </summary>
    public static long Bytes(int k, int dimension, int threads, int rowsPerBlock) =>
        QuantizedCentroids.Bytes(k, dimension) + threads * Scratch.Bytes(rowsPerBlock, dimension);

    /// <summary>Per-thread memory for a block of rows, sized on first use for the centroids' dimension.</summary>
    public sealed class Scratch(int rows)
    {
        /// <summary>
        /// What a scratch for <paramref name="rows"/> rows of <paramref name="dimension"/> values holds once reserved:
        /// per row twelve floats, three doubles and four ints, five values per candidate, the row's bytes and a copy of
        /// the row for the float kernel.
        /// </summary>
        public static long Bytes(int rows, int dimension) =>
            rows * (12L * sizeof(float) + 3L * sizeof(double) + 4L * sizeof(int) + 5L * MostCandidates * sizeof(int)
                    + QuantizedCentroids.RowBytesOf(dimension) + (long)dimension * sizeof(float));

        public LineAligned<byte> Rows { get; private set; } = new(64);
        public float[] RowFactors { get; } = new float[rows];

        /// <summary>Per row, 2·δ_x·‖p‖ and 2·δ_x·‖e‖ (widened, rounded up) and the float roundings' share R: a pair's
        /// approximate score lies within E = 2δ_x‖p‖·δ_c‖f‖ + 2δ_x‖e‖·δ_c(‖q‖ + ‖f‖) + R of the kernel's.</summary>
        public float[] IntegerFactors { get; } = new float[rows];
        public float[] ResidueFactors { get; } = new float[rows];
        public float[] Roundings { get; } = new float[rows];

        /// <summary>
        /// Per row E formed with the largest centroid terms: at least every pair's E as formed (each rounding is
        /// monotone), so a centroid whose score less it exceeds the threshold needs no pair's E (<see cref="Take"/>).
        /// </summary>
        public float[] LargestErrors { get; } = new float[rows];

        /// <summary>Per row, Σ p² (exact) and Σ e² as computed.</summary>
        public double[] IntegerSquares { get; } = new double[rows];
        public float[] ResidueSquares { get; } = new float[rows];

        /// <summary>Each row's M, NearTies' margin (0 where it does not settle).</summary>
        public double[] Margins { get; } = new double[rows];

        /// <summary>Each row's candidate of lowest approximate score, and a bound below the scores of those not scored.</summary>
        public int[] Lowest { get; } = new int[rows];
        public double[] Beyond { get; } = new double[rows];
        public float[] Best { get; } = new float[rows];
        public float[] Second { get; } = new float[rows];

        public float[] Thresholds { get; } = new float[rows];
        public int[] Counts { get; } = new int[rows];
        public float[] CandidateScores { get; } = new float[rows * MostCandidates];
        public int[] CandidateCentroids { get; } = new int[rows * MostCandidates];
        public float[] Seconds { get; } = new float[rows];
        public float[] Exact { get; } = new float[rows * MostCandidates];
        public int[] PairRows { get; } = new int[rows * MostCandidates];
        public int[] PairCentroids { get; } = new int[rows * MostCandidates];
        public float[] Unscreened { get; private set; } = [];

        public int[] UnscreenedLabels { get; } = new int[rows];
        public int[] NearRows { get; } = new int[rows];
        public float[] NearSeconds { get; } = new float[rows];
        public float[] UnscreenedScores { get; } = new float[rows];

        public void Reserve(int count, int steps, int dimension)
        {
            int bytes = count * steps * QuantizedCentroids.StepDimensions;
            if (Rows.Length < bytes)
                Rows = new LineAligned<byte>(bytes);
            if (Unscreened.Length < count * dimension)
                Unscreened = new float[count * dimension];
        }
    }

    /// <summary>
    /// Labels and scores for <paramref name="count"/> rows as <see cref="AssignmentKernel.AssignTiled"/> gives them.
    /// <paramref name="hints"/> names a centroid per row likely to be near it (its label from the last pass): its
    /// approximate score bounds the row's lowest from above before the screen starts, so that the screen keeps only
    /// what lies within the window of it, and stores nothing else (a poor hint costs time, never a result).
    /// Rows the screen cannot take (a value or bound that is not finite, more than <see cref="MostCandidates"/>
    /// candidates) go to that kernel, gathered. <paramref name="integerDots"/> selects the VPDPBUSD loop, else a
    /// portable one with the same integer sums (tests take both).
    /// </summary>
    /// <returns>How many (row, centroid) pairs were scored exactly, and how many rows went to the float kernel.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int Pairs, int Unscreened) Assign(ReadOnlySpan<float> rows, int count, PackedCentroids centroids,
        QuantizedCentroids quantized, ReadOnlySpan<int> hints, Span<int> labels, Span<float> scores, AssignmentKernel.Scratch kernel,
        bool integerDots, bool scoresWanted = true)
    {
        Scratch scratch = kernel.Screening;
        int d = centroids.Dimension;
        scratch.Reserve(count, quantized.Steps, d);
        int pairs;
        // Rows are taken less the offset as they are read (x_j − m_j rounded, as the kernels take them), rather than
        // from a translated copy of the block.
        fixed (float* x = rows)
        fixed (float* offset = centroids.Offset)
        fixed (byte* q = scratch.Rows.Span)
        {
            QuantizeRows(x, offset, count, centroids, quantized, q, hints, integerDots, scratch);
            if (integerDots)
                ScreenVnni(q, count, quantized, centroids.Norms, scratch);
            else
                ScreenPortable(q, count, quantized, centroids.Norms, scratch);
            pairs = Refine(x, offset, count, centroids, quantized, labels, scores, scratch, scoresWanted);
        }
        if (centroids.SettlesNearTies)
            SettleNearTies(rows, count, centroids, labels, scores, scratch);
        int unscreened = 0;
        for (int i = 0; i < count; i++)
        {
            if (scratch.Counts[i] == Left)
                rows.Slice(i * d, d).CopyTo(scratch.Unscreened.AsSpan(unscreened++ * d, d));
        }
        if (unscreened > 0)
            AssignUnscreened(count, centroids, labels, scores, kernel, scratch, unscreened);
        return (pairs, unscreened);
    }

    /// <summary>
    /// <see cref="NearTies"/> on the rows whose second-lowest score lies within M of their lowest, gathered: the others
    /// are certain (M is at least NearTies' margin for any of their centroids), and they are most rows.
    /// </summary>
    private static void SettleNearTies(ReadOnlySpan<float> rows, int count, PackedCentroids centroids, Span<int> labels,
        Span<float> scores, Scratch scratch)
    {
        int d = centroids.Dimension;
        int near = 0;
        for (int i = 0; i < count; i++)
        {
            // NaN for rows certain already or left to the float kernel: not taken.
            if (!((double)scratch.Seconds[i] - scores[i] <= scratch.Margins[i]))
                continue;
            rows.Slice(i * d, d).CopyTo(scratch.Unscreened.AsSpan(near * d, d));
            scratch.NearRows[near] = i;
            scratch.UnscreenedLabels[near] = labels[i];
            scratch.UnscreenedScores[near] = scores[i];
            scratch.NearSeconds[near++] = scratch.Seconds[i];
        }
        if (near == 0)
            return;
        NearTies.Settle(scratch.Unscreened.AsSpan(0, near * d), near, centroids, scratch.UnscreenedLabels.AsSpan(0, near),
            scratch.UnscreenedScores.AsSpan(0, near), scratch.NearSeconds.AsSpan(0, near), KernelPath.Avx512);
        for (int n = 0; n < near; n++)
        {
            labels[scratch.NearRows[n]] = scratch.UnscreenedLabels[n];
            scores[scratch.NearRows[n]] = scratch.UnscreenedScores[n];
        }
    }

    /// <summary>The rows the screen left, gathered in <see cref="Scratch.Unscreened"/>, through the float kernel.</summary>
    private static void AssignUnscreened(int count, PackedCentroids centroids, Span<int> labels, Span<float> scores,
        AssignmentKernel.Scratch kernel, Scratch scratch, int unscreened)
    {
        Span<int> unscreenedLabels = scratch.UnscreenedLabels.AsSpan(0, unscreened);
        Span<float> unscreenedScores = scratch.UnscreenedScores.AsSpan(0, unscreened);
        AssignmentKernel.AssignTiled(scratch.Unscreened.AsSpan(0, unscreened * centroids.Dimension), unscreened, centroids,
            unscreenedLabels, unscreenedScores, kernel, wide: true);
        int next = 0;
        for (int i = 0; i < count; i++)
        {
            if (scratch.Counts[i] != Left)
                continue;
            labels[i] = unscreenedLabels[next];
            scores[i] = unscreenedScores[next++];
        }
    }

    /// <summary>
    /// Each row as unsigned bytes p_j + 128 (padding dimensions 128), then its factors for the scores and their error
    /// bounds, then its threshold from its hint; a row that cannot be screened is marked as left (<see cref="Leave"/>).
    /// Three loops over the rows, so that the second and third, whose steps wait on one another within a row (square
    /// roots, divisions), overlap across rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QuantizeRows(float* x, float* offset, int count, PackedCentroids centroids, QuantizedCentroids quantized,
        byte* q, ReadOnlySpan<int> hints, bool integerDots, Scratch scratch)
    {
        int d = centroids.Dimension;
        int rowBytes = quantized.Steps * QuantizedCentroids.StepDimensions;
        for (int i = 0; i < count; i++)
            QuantizeRow(x + (long)i * d, offset, d, q + (long)i * rowBytes, rowBytes, scratch, i);
        Bound(count, centroids, quantized, scratch);
        for (int i = 0; i < count; i++)
        {
            int hint = hints[i];
            if (scratch.Counts[i] == Left || (uint)hint >= (uint)quantized.K)
                continue;
            float approximate = HintScore(q + (long)i * rowBytes, quantized, centroids.Norms, hint, scratch.RowFactors[i], integerDots);
            float error = PairError(scratch.IntegerFactors[i], quantized.ResidueTerms[hint], scratch.ResidueFactors[i],
                quantized.CombinedTerms[hint], scratch.Roundings[i]);
            scratch.Thresholds[i] = Threshold((double)approximate + error, scratch.Margins[i]);
        }
    }

    /// <summary>
    /// One row as bytes, with its scale (−2·δ_x into <see cref="Scratch.RowFactors"/>), Σ p² and Σ e² as computed;
    /// marked as left where a value is not finite or the scale not normal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void QuantizeRow(float* row, float* offset, int d, byte* bytes, int rowBytes, Scratch scratch, int i)
    {
        int j = 0;
        Vector512<float> largest512 = Vector512<float>.Zero;
        for (; j <= d - 16; j += 16)
            largest512 = Avx512F.Max(largest512, Vector512.Abs(Vector512.Load(row + j) - Vector512.Load(offset + j)));
        float largest = QuantizedCentroids.Largest(largest512);
        for (; j < d; j++)
            largest = Math.Max(largest, Math.Abs(row[j] - offset[j]));
        float scale = largest / 127f;
        if (!float.IsFinite(largest) || (largest > 0 && !float.IsNormal(scale)))
        {
            Leave(scratch, i);
            return;
        }
        float reciprocal = largest > 0 ? 127f / largest : 0f;
        Vector512<float> reciprocal512 = Vector512.Create(reciprocal);
        Vector512<int> half = Vector512.Create(128);
        // Squares of integers up to 127 summed in float: exact while a lane's sum stays below 2²⁴ (d ≤ 16,640).
        Vector512<float> integerSquares512 = Vector512<float>.Zero, residueSquares512 = Vector512<float>.Zero;
        j = 0;
        for (; j <= d - 16; j += 16)
        {
            Vector512<float> scaled = (Vector512.Load(row + j) - Vector512.Load(offset + j)) * reciprocal512;
            Vector512<int> p = Avx512F.ConvertToVector512Int32(scaled);
            Vector512<float> integer = Avx512F.ConvertToVector512Single(p);
            Vector512<float> residue = scaled - integer;
            integerSquares512 = Avx512F.FusedMultiplyAdd(integer, integer, integerSquares512);
            residueSquares512 = Avx512F.FusedMultiplyAdd(residue, residue, residueSquares512);
            Avx512F.ConvertToVector128Byte(p + half).Store(bytes + j);
        }
        double integerSquares = Vector512.Sum(Vector512.WidenLower(integerSquares512) + Vector512.WidenUpper(integerSquares512));
        float residueSquares = Vector512.Sum(residueSquares512);
        for (; j < d; j++)
        {
            float scaled = (row[j] - offset[j]) * reciprocal;
            int p = (int)MathF.Round(scaled);
            integerSquares += p * p;
            residueSquares += (scaled - p) * (scaled - p);
            bytes[j] = (byte)(p + 128);
        }
        for (; j < rowBytes; j++)
            bytes[j] = 128;
        // A NaN among the values leaves its residues NaN.
        if (!float.IsFinite(residueSquares))
        {
            Leave(scratch, i);
            return;
        }
        scratch.Counts[i] = 0;
        scratch.RowFactors[i] = -2f * scale;
        scratch.IntegerSquares[i] = integerSquares;
        scratch.ResidueSquares[i] = residueSquares;
    }

    /// <summary>
    /// Each row's error factors and roundings, NearTies' margin M, and a threshold of float's largest value (no hint);
    /// marked as left where its scores could come near float's limits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Bound(int count, PackedCentroids centroids, QuantizedCentroids quantized, Scratch scratch)
    {
        int d = centroids.Dimension;
        double rowWidening = 1 + FloatRounding.Gamma(d + 4);
        double rowUnderflow = Math.Sqrt(d * Math.ScaleB(1.0, -149));
        double gamma = FloatRounding.Gamma(d + 2);
        const double u = FloatRounding.UnitRoundoff;
        // Widened so that the error formed in float (two roundings) stays above the bound.
        const double widening = 1 + 1.0 / (1 << 20);
        var margins = new NearTies.AnyCentroidMargin(centroids);
        bool settles = centroids.SettlesNearTies;
        double underflows = (d + 2) * Math.ScaleB(1.0, -147) + Math.ScaleB(1.0, -140);
        // Read once: the JIT reloads fields and properties after every store to the scratch arrays.
        double residueSlack = quantized.ResidueSlack, largestResidueNorm = quantized.LargestResidueNorm;
        double largestIntegerNorm = quantized.LargestIntegerNorm, largestNorm = quantized.LargestNorm;
        double normTerm = quantized.LargestNormTerm;
        float largestResidueTerm = quantized.LargestResidueTerm, largestCombinedTerm = quantized.LargestCombinedTerm;
        bool usable = quantized.Usable;
        // The approximate score's three roundings, 10u·(X·C + D) + 2u·N, the kernel's, 2γ·X·C + u·(N + 3·X·C), and
        // 4u·(N + 2·X·C + 2·D) for the lower bound's subtraction, gathered by term (in double, so far below the
        // widening that the order of the additions does not matter).
        double perRowByCentroid = 21 * u + 2 * gamma, perDotError = 18 * u, fixedRoundings = 7 * u * normTerm + underflows;
        for (int i = 0; i < count; i++)
        {
            if (scratch.Counts[i] == Left)
                continue;
            double scale = scratch.RowFactors[i] / -2.0;
            // ‖p‖ exactly; ‖e‖ from the residues as computed, widened for their rounding and for the scale's; and
            // ‖x′‖ = δ_x·‖p + e‖ at most δ_x·(‖p‖ + ‖e‖).
            double integerNorm = Math.Sqrt(scratch.IntegerSquares[i]) * (1 + 1e-15);
            double residueNorm = Math.Sqrt(scratch.ResidueSquares[i] * rowWidening) + rowUnderflow + residueSlack;
            double rowNorm = scale * (integerNorm + residueNorm) * (1 + 1e-12);
            // The dot product's error is at most a·δ_c‖f‖ + b·δ_c(‖q‖ + ‖f‖) for each centroid; its largest bounds the
            // scores' magnitudes for the roundings' share.
            double integerFactor = scale * integerNorm, residueFactor = scale * residueNorm;
            double dotError = integerFactor * largestResidueNorm + residueFactor * (largestIntegerNorm + largestResidueNorm);
            double rowByCentroid = rowNorm * largestNorm;
            double roundings = perRowByCentroid * rowByCentroid + perDotError * dotError + fixedRoundings;
            // Scores far from float's limits only: no approximate or kernel score overflows then.
            if (!(normTerm + 2 * (rowByCentroid + dotError) + 4 * (dotError + roundings) < 1e37) || !usable)
            {
                Leave(scratch, i);
                continue;
            }
            float integerFactorBound = QuantizedCentroids.RoundedUp(2 * integerFactor * widening);
            float residueFactorBound = QuantizedCentroids.RoundedUp(2 * residueFactor * widening);
            float roundingsBound = QuantizedCentroids.RoundedUp(roundings * widening);
            scratch.IntegerFactors[i] = integerFactorBound;
            scratch.ResidueFactors[i] = residueFactorBound;
            scratch.Roundings[i] = roundingsBound;
            scratch.LargestErrors[i] = PairError(integerFactorBound, largestResidueTerm, residueFactorBound, largestCombinedTerm, roundingsBound);
            // A row with one candidate keeps it without an exact score only if every other centroid scores beyond
            // NearTies' margin above it: the threshold is the least upper bound plus that margin.
            scratch.Margins[i] = settles ? margins.Of(rowNorm) : 0;
            scratch.Thresholds[i] = float.MaxValue;
        }
    }

    /// <summary>
    /// The approximate score of a row's bytes against one centroid, bit for bit as <see cref="Take"/> forms it: the
    /// integer sum is exact (in any order), and the same three float operations follow.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HintScore(byte* bytes, QuantizedCentroids quantized, float* norms, int centroid, float factor,
        bool integerDots)
    {
        sbyte* c = quantized.Rows + (long)centroid * quantized.RowBytes;
        int length = quantized.RowBytes, j = 0, sum = -quantized.Biases[centroid];
        if (integerDots)
        {
            Vector256<int> sums = Vector256<int>.Zero;
            for (; j + 32 <= length; j += 32)
                sums = AvxVnni.MultiplyWideningAndAdd(sums, Vector256.Load(bytes + j), Vector256.Load(c + j));
            sum += Vector256.Sum(sums);
        }
        for (; j < length; j++)
            sum += bytes[j] * c[j];
        return MathF.FusedMultiplyAdd((float)sum * quantized.Scales[centroid], factor, norms[centroid]);
    }

    /// <summary>A pair's E, as <see cref="Take"/> forms it lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float PairError(float integerFactor, float residueTerm, float residueFactor, float combinedTerm, float roundings) =>
        MathF.FusedMultiplyAdd(integerFactor, residueTerm, MathF.FusedMultiplyAdd(residueFactor, combinedTerm, roundings));

    /// <summary>
    /// Leaves row <paramref name="i"/> to the float kernel: a count of −1, and a threshold no score is at or below, so
    /// that the screen keeps nothing more for it.
    /// </summary>
    private static void Leave(Scratch scratch, int i)
    {
        scratch.Counts[i] = Left;
        scratch.Thresholds[i] = float.NegativeInfinity;
        scratch.RowFactors[i] = 0;
        scratch.Margins[i] = 0;
    }

    /// <summary>
    /// Approximate scores of every row against every centroid, group by group of 16 centroids (2 KiB at d = 128, in the
    /// first-level cache while the block's rows pass), six rows at a time in twelve accumulators: the VEX-encoded
    /// integer dot product reaches only the first 16 vector registers. Each row keeps the centroids at or below its
    /// threshold (<see cref="Take"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScreenVnni(byte* q, int count, QuantizedCentroids quantized, float* norms, Scratch scratch)
    {
        int steps = quantized.Steps;
        int rowBytes = steps * QuantizedCentroids.StepDimensions;
        int* sums = stackalloc int[GroupRows * GroupWidth];
        for (int g = 0; g < quantized.GroupCount; g++)
        {
            sbyte* group = quantized.Values + (long)g * steps * StepBytes;
            int first = g * GroupWidth;
            Vector256<int> start0 = -Vector256.Load(quantized.Biases + first), start1 = -Vector256.Load(quantized.Biases + first + 8);
            for (int r = 0; r < count; r += GroupRows)
            {
                int groupRows = Math.Min(GroupRows, count - r);
                byte* x0 = q + (long)r * rowBytes;
                byte* x1 = groupRows > 1 ? x0 + rowBytes : x0;
                byte* x2 = groupRows > 2 ? x1 + rowBytes : x1;
                byte* x3 = groupRows > 3 ? x2 + rowBytes : x2;
                byte* x4 = groupRows > 4 ? x3 + rowBytes : x3;
                byte* x5 = groupRows > 5 ? x4 + rowBytes : x4;
                // Each sum starts at −128·Σ q_j, the share of the rows' +128: the integer dot products of p and q remain.
                Vector256<int> a00 = start0, a01 = start1, a10 = start0, a11 = start1, a20 = start0, a21 = start1;
                Vector256<int> a30 = start0, a31 = start1, a40 = start0, a41 = start1, a50 = start0, a51 = start1;
                sbyte* c = group;
                for (int s = 0; s < steps; s++, c += StepBytes)
                {
                    Vector256<sbyte> c0 = Vector256.LoadAligned(c);
                    Vector256<sbyte> c1 = Vector256.LoadAligned(c + 32);
                    int at = s * QuantizedCentroids.StepDimensions;
                    Vector256<byte> b = Vector256.Create(*(int*)(x0 + at)).AsByte();
                    a00 = AvxVnni.MultiplyWideningAndAdd(a00, b, c0);
                    a01 = AvxVnni.MultiplyWideningAndAdd(a01, b, c1);
                    b = Vector256.Create(*(int*)(x1 + at)).AsByte();
                    a10 = AvxVnni.MultiplyWideningAndAdd(a10, b, c0);
                    a11 = AvxVnni.MultiplyWideningAndAdd(a11, b, c1);
                    b = Vector256.Create(*(int*)(x2 + at)).AsByte();
                    a20 = AvxVnni.MultiplyWideningAndAdd(a20, b, c0);
                    a21 = AvxVnni.MultiplyWideningAndAdd(a21, b, c1);
                    b = Vector256.Create(*(int*)(x3 + at)).AsByte();
                    a30 = AvxVnni.MultiplyWideningAndAdd(a30, b, c0);
                    a31 = AvxVnni.MultiplyWideningAndAdd(a31, b, c1);
                    b = Vector256.Create(*(int*)(x4 + at)).AsByte();
                    a40 = AvxVnni.MultiplyWideningAndAdd(a40, b, c0);
                    a41 = AvxVnni.MultiplyWideningAndAdd(a41, b, c1);
                    b = Vector256.Create(*(int*)(x5 + at)).AsByte();
                    a50 = AvxVnni.MultiplyWideningAndAdd(a50, b, c0);
                    a51 = AvxVnni.MultiplyWideningAndAdd(a51, b, c1);
                }
                // Stored before the scores are formed, so that the accumulators' lives end in the loop (the JIT stored
                // each to the stack at every step while they reached the epilogue's calls).
                a00.Store(sums); a01.Store(sums + 8); a10.Store(sums + 16); a11.Store(sums + 24);
                a20.Store(sums + 32); a21.Store(sums + 40); a30.Store(sums + 48); a31.Store(sums + 56);
                a40.Store(sums + 64); a41.Store(sums + 72); a50.Store(sums + 80); a51.Store(sums + 88);
                for (int i = 0; i < groupRows; i++)
                    Take(r + i, sums + GroupWidth * i, quantized, norms, first, scratch);
            }
        }
    }

    /// <summary>The same integer sums as <see cref="ScreenVnni"/>, one pair at a time.</summary>
    private static void ScreenPortable(byte* q, int count, QuantizedCentroids quantized, float* norms, Scratch scratch)
    {
        int steps = quantized.Steps;
        int rowBytes = steps * QuantizedCentroids.StepDimensions;
        int* sums = stackalloc int[GroupWidth];
        for (int g = 0; g < quantized.GroupCount; g++)
        {
            sbyte* group = quantized.Values + (long)g * steps * StepBytes;
            for (int r = 0; r < count; r++)
            {
                byte* x = q + (long)r * rowBytes;
                for (int lane = 0; lane < GroupWidth; lane++)
                {
                    int sum = -quantized.Biases[g * GroupWidth + lane];
                    sbyte* c = group + lane / 8 * (StepBytes / 2) + lane % 8 * QuantizedCentroids.StepDimensions;
                    for (int s = 0; s < steps; s++)
                    {
                        for (int b = 0; b < QuantizedCentroids.StepDimensions; b++)
                            sum += x[s * QuantizedCentroids.StepDimensions + b] * c[(long)s * StepBytes + b];
                    }
                    sums[lane] = sum;
                }
                Take(r, sums, quantized, norms, g * GroupWidth, scratch);
            }
        }
    }

    /// <summary>
    /// A row's approximate scores against 16 centroids from <paramref name="first"/>, ‖c′‖² + (−2·δ_x)·(δ_c·Σ p_j·q_j)
    /// from its 16 integer sums Σ p_j·q_j, each with its error bound E; the centroids whose lower bound (score less E)
    /// is at or below the row's threshold are kept. The scores less the row's largest E first: most groups of 16 hold no
    /// centroid within it, and need no pair's E.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(int row, int* sums, QuantizedCentroids quantized, float* norms, int first, Scratch scratch)
    {
        Vector512<float> scores = Avx512F.FusedMultiplyAdd(
            Avx512F.ConvertToVector512Single(Vector512.Load(sums)) * Vector512.Load(quantized.Scales + first),
            Vector512.Create(scratch.RowFactors[row]), Vector512.Load(norms + first));
        Vector512<float> threshold = Vector512.Create(scratch.Thresholds[row]);
        if (Vector512.LessThanOrEqual(scores - Vector512.Create(scratch.LargestErrors[row]), threshold).ExtractMostSignificantBits() == 0)
            return;
        Vector512<float> errors = Avx512F.FusedMultiplyAdd(Vector512.Create(scratch.IntegerFactors[row]), Vector512.Load(quantized.ResidueTerms + first),
            Avx512F.FusedMultiplyAdd(Vector512.Create(scratch.ResidueFactors[row]), Vector512.Load(quantized.CombinedTerms + first),
                Vector512.Create(scratch.Roundings[row])));
        ulong within = Vector512.LessThanOrEqual(scores - errors, threshold).ExtractMostSignificantBits();
        if (within != 0)
            Keep(row, scores, errors, (uint)within, first, quantized.K, scratch);
    }

    /// <summary>
    /// Adds the centroids in <paramref name="within"/> to the row's candidates (their lower bounds), in centroid order,
    /// each checked again against the threshold, which each upper bound lowers to it plus M. A row that would hold more
    /// than <see cref="MostCandidates"/> after dropping those above the threshold is left to the float kernel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Keep(int row, Vector512<float> scores, Vector512<float> errors, uint within, int first, int k, Scratch scratch)
    {
        int at = row * MostCandidates;
        // Stored once, where each lane's element taken by index would store the vector again.
        float* lanes = stackalloc float[2 * GroupWidth];
        scores.Store(lanes);
        errors.Store(lanes + GroupWidth);
        for (; within != 0; within &= within - 1)
        {
            int lane = System.Numerics.BitOperations.TrailingZeroCount(within);
            float approximate = lanes[lane];
            float error = lanes[GroupWidth + lane];
            float lower = approximate - error;
            if (!(lower <= scratch.Thresholds[row]) || first + lane >= k)
                continue;
            scratch.Thresholds[row] = Math.Min(scratch.Thresholds[row], Threshold((double)approximate + error, scratch.Margins[row]));
            ref int kept = ref scratch.Counts[row];
            if (kept == MostCandidates)
            {
                kept = Compact(scratch, at, kept, scratch.Thresholds[row]);
                if (kept == MostCandidates)
                {
                    Leave(scratch, row);
                    return;
                }
            }
            scratch.CandidateScores[at + kept] = lower;
            scratch.CandidateCentroids[at + kept] = first + lane;
            kept++;
        }
    }

    /// <summary>Drops the candidates above <paramref name="threshold"/>, keeping the others' order; returns how many remain.</summary>
    private static int Compact(Scratch scratch, int at, int kept, float threshold)
    {
        int remaining = 0;
        for (int c = 0; c < kept; c++)
        {
            if (scratch.CandidateScores[at + c] <= threshold)
            {
                scratch.CandidateScores[at + remaining] = scratch.CandidateScores[at + c];
                scratch.CandidateCentroids[at + remaining] = scratch.CandidateCentroids[at + c];
                remaining++;
            }
        }
        return remaining;
    }

    /// <summary><paramref name="upper"/> + <paramref name="margin"/> rounded up to float (at most float's largest value).</summary>
    private static float Threshold(double upper, double margin) =>
        Math.Min(QuantizedCentroids.RoundedUp(upper + margin), float.MaxValue);

    /// <summary>
    /// Each row's label from its candidates within its final threshold, scored as the kernel scores them, in two rounds:
    /// first each row's lowest approximate one, then only those whose approximate score less W does not exceed that
    /// exact score plus NearTies' margin M (the others score more than M above it: neither the kernel's choice nor near
    /// it). The label is the lowest exact score, ties to the lower index; the row's second-lowest score for
    /// <see cref="NearTies"/> is the least of its other exact scores and the bounds of the rest. A row left with one
    /// candidate where scores are not wanted needs no exact score at all: every other centroid scores more than M above
    /// any score it can have. Returns the pairs scored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Refine(float* x, float* offset, int count, PackedCentroids centroids, QuantizedCentroids quantized, Span<int> labels,
        Span<float> scores, Scratch scratch, bool scoresWanted)
    {
        int firstRound = 0;
        for (int i = 0; i < count; i++)
        {
            if (scratch.Counts[i] < 0)
                continue;
            int at = i * MostCandidates;
            float threshold = scratch.Thresholds[i];
            int within = 0, lowest = -1;
            for (int c = 0; c < scratch.Counts[i]; c++)
            {
                float approximate = scratch.CandidateScores[at + c];
                if (!(approximate <= threshold))
                    continue;
                // Kept in place, in centroid order: the first `within` entries are the candidates from now on.
                scratch.CandidateScores[at + within] = approximate;
                scratch.CandidateCentroids[at + within] = scratch.CandidateCentroids[at + c];
                if (lowest < 0 || approximate < scratch.CandidateScores[at + lowest])
                    lowest = within;
                within++;
            }
            scratch.Counts[i] = within;
            scratch.Lowest[i] = lowest;
            if (within == 1 && !scoresWanted)
            {
                // Alone within the window: the kernel's choice, and certain.
                labels[i] = scratch.CandidateCentroids[at];
                scores[i] = float.NaN;
                scratch.Seconds[i] = float.PositiveInfinity;
                scratch.Counts[i] = Certain;
                continue;
            }
            scratch.PairRows[firstRound] = i;
            scratch.PairCentroids[firstRound++] = scratch.CandidateCentroids[at + lowest];
        }
        ScorePairs(x, offset, centroids, quantized.Scored, 0, firstRound, scratch);
        int pairs = firstRound;
        for (int p = 0; p < firstRound; p++)
        {
            int i = scratch.PairRows[p];
            int at = i * MostCandidates;
            float first = scratch.Exact[p];
            double limit = first + scratch.Margins[i];
            double beyond = double.PositiveInfinity;
            for (int c = 0; c < scratch.Counts[i]; c++)
            {
                if (c == scratch.Lowest[i])
                    continue;
                double lower = scratch.CandidateScores[at + c];
                if (lower > limit)
                {
                    beyond = Math.Min(beyond, lower);
                    continue;
                }
                scratch.PairRows[pairs] = i;
                scratch.PairCentroids[pairs++] = scratch.CandidateCentroids[at + c];
            }
            // Every centroid not kept scores above the threshold.
            scratch.Beyond[i] = Math.Min(beyond, scratch.Thresholds[i]);
        }
        ScorePairs(x, offset, centroids, quantized.Scored, firstRound, pairs, scratch);
        for (int i = 0; i < count; i++)
        {
            if (scratch.Counts[i] == Left)
            {
                // Scored by the float kernel with the rest of the rows left; certain as far as this pass goes.
                labels[i] = 0;
                scores[i] = float.PositiveInfinity;
                scratch.Seconds[i] = float.PositiveInfinity;
            }
            scratch.Best[i] = float.PositiveInfinity;
            scratch.Second[i] = float.PositiveInfinity;
        }
        for (int p = 0; p < pairs; p++)
        {
            int i = scratch.PairRows[p], centroid = scratch.PairCentroids[p];
            float score = scratch.Exact[p];
            // Pairs come in no order of centroids across the rounds: ties go to the lower index explicitly.
            if (score < scratch.Best[i] || (score == scratch.Best[i] && centroid < labels[i]) || float.IsPositiveInfinity(scratch.Best[i]))
            {
                if (!float.IsPositiveInfinity(scratch.Best[i]))
                    scratch.Second[i] = Math.Min(scratch.Second[i], scratch.Best[i]);
                scratch.Best[i] = score;
                labels[i] = centroid;
            }
            else
            {
                scratch.Second[i] = Math.Min(scratch.Second[i], score);
            }
        }
        for (int p = 0; p < firstRound; p++)
        {
            int i = scratch.PairRows[p];
            scores[i] = scratch.Best[i];
            double beyond = scratch.Beyond[i];
            float others = (float)beyond;
            if (others > beyond)
                others = MathF.BitDecrement(others);
            scratch.Seconds[i] = Math.Min(scratch.Second[i], others);
        }
        return pairs;
    }

    /// <summary>
    /// The kernel's score of each pair: one fused multiply-add per dimension in order from 0 on the row as the tiles
    /// take it and the centroid's panel column, then −2·dot + ‖c′‖² fused. Four pairs at a time, so that four chains
    /// overlap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScorePairs(float* x, float* m, PackedCentroids centroids, float* scored, int from, int pairs, Scratch scratch)
    {
        int d = centroids.Dimension;
        int p = from;
        for (; p + 4 <= pairs; p += 4)
        {
            float* x0 = x + (long)scratch.PairRows[p] * d, x1 = x + (long)scratch.PairRows[p + 1] * d;
            float* x2 = x + (long)scratch.PairRows[p + 2] * d, x3 = x + (long)scratch.PairRows[p + 3] * d;
            float* c0 = Row(scored, d, scratch.PairCentroids[p]), c1 = Row(scored, d, scratch.PairCentroids[p + 1]);
            float* c2 = Row(scored, d, scratch.PairCentroids[p + 2]), c3 = Row(scored, d, scratch.PairCentroids[p + 3]);
            float dot0 = 0f, dot1 = 0f, dot2 = 0f, dot3 = 0f;
            for (int j = 0; j < d; j++)
            {
                float offset = m[j];
                dot0 = MathF.FusedMultiplyAdd(x0[j] - offset, c0[j], dot0);
                dot1 = MathF.FusedMultiplyAdd(x1[j] - offset, c1[j], dot1);
                dot2 = MathF.FusedMultiplyAdd(x2[j] - offset, c2[j], dot2);
                dot3 = MathF.FusedMultiplyAdd(x3[j] - offset, c3[j], dot3);
            }
            scratch.Exact[p] = MathF.FusedMultiplyAdd(dot0, -2f, centroids.Norms[scratch.PairCentroids[p]]);
            scratch.Exact[p + 1] = MathF.FusedMultiplyAdd(dot1, -2f, centroids.Norms[scratch.PairCentroids[p + 1]]);
            scratch.Exact[p + 2] = MathF.FusedMultiplyAdd(dot2, -2f, centroids.Norms[scratch.PairCentroids[p + 2]]);
            scratch.Exact[p + 3] = MathF.FusedMultiplyAdd(dot3, -2f, centroids.Norms[scratch.PairCentroids[p + 3]]);
        }
        for (; p < pairs; p++)
        {
            float* row = x + (long)scratch.PairRows[p] * d;
            float* column = Row(scored, d, scratch.PairCentroids[p]);
            float dot = 0f;
            for (int j = 0; j < d; j++)
                dot = MathF.FusedMultiplyAdd(row[j] - m[j], column[j], dot);
            scratch.Exact[p] = MathF.FusedMultiplyAdd(dot, -2f, centroids.Norms[scratch.PairCentroids[p]]);
        }
    }

    /// <summary>Centroid <paramref name="c"/> as the kernels score it.</summary>
    private static float* Row(float* scored, int d, int c) => scored + (long)c * d;
}
