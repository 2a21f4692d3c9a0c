using System.Diagnostics;
using KMeans.Core.Distance;

namespace KMeans.Bench;

/// <summary>
/// The n nearest centroids per row (NearestKernel.Assign, what balancing's candidate cache and Get-KMeansAssignment
/// -Count use), its lists taken from all scores and kept sorted per row, against the branch-free two-nearest kernel on the same rows,
/// single-threaded, in blocks of 256 rows, best of the samples, from K = 256 (the balance scenario's mixture) to
/// K = 16,384 (the production run), 4 to 16 million row-centroid pairs a shape, rows and centroids drawn from the
/// skewed mixture; the column "default" marks the one <c>NearestKernel.ListsFromAllScores</c> picks.
/// </summary>
internal static class NearestListsScenario
{
    private const int Dimension = 128;
    private const int BlockRows = 256;

    public static void Run(BenchOptions options)
    {
        int samples = options.SamplesOr(7);
        Console.WriteLine($"== nearest-lists: NearestKernel.Assign ({KernelPaths.Machine}), 1 thread, {BlockRows} rows per block, best of {samples}");
        var table = new TextTable("rows × K", "n", "lists", "default", "ms", "GFLOP/s", "÷ two-nearest time");
        foreach ((int rows, int k) in new[] { (16_384, 256), (8_192, 512), (4_096, 1_024), (2_048, 2_048), (2_048, 4_096), (1_024, 16_384) })
        {
            float[][] mixture = BalanceScenario.SkewedMixture(rows + k, Dimension, components: 64, seed: options.Seed);
            float[] x = mixture.Take(rows).SelectMany(row => row).ToArray();
            float[] c = mixture.Skip(rows).SelectMany(row => row).ToArray();
            using var packed = new PackedCentroids(k, Dimension);
            packed.Pack(c, DistanceMetric.L2);
            double flops = 2.0 * rows * k * Dimension;
            var scratch = new TwoNearestKernel.Scratch(BlockRows);
            double two = Best(samples, rows, (first, ids, scores) => TwoNearestKernel.Assign(
                x.AsSpan(first * Dimension, BlockRows * Dimension), BlockRows, packed, ids, scores, scratch,
                KernelPaths.Machine == KernelPath.Avx512), 2);
            table.Add($"{rows:N0} × {k:N0}", "2", "two-nearest kernel", "", $"{two * 1e3:F2}", $"{flops / two / 1e9:F0}", "1.00");
            foreach (int n in new[] { 2, 8, 16 })
            {
                foreach (bool fromAllScores in new[] { true, false })
                {
                    double seconds = Best(samples, rows, (first, ids, scores) => NearestKernel.Assign(
                        x.AsSpan(first * Dimension, BlockRows * Dimension), BlockRows, packed, n, ids, scores, KernelPaths.Machine,
                        fromAllScores), n);
                    table.Add($"{rows:N0} × {k:N0}", $"{n}", fromAllScores ? "from all scores" : "sorted per row",
                        NearestKernel.ListsFromAllScores(k, n) == fromAllScores ? "yes" : "", $"{seconds * 1e3:F2}",
                        $"{flops / seconds / 1e9:F0}", $"{seconds / two:F2}");
                }
            }
        }
        table.Write(Console.Out);
    }

    private delegate void Block(int firstRow, Span<int> ids, Span<float> scores);

    private static double Best(int samples, int rows, Block block, int n)
    {
        var ids = new int[BlockRows * n];
        var scores = new float[BlockRows * n];
        double best = double.MaxValue;
        for (int sample = 0; sample < samples; sample++)
        {
            var watch = Stopwatch.StartNew();
            for (int first = 0; first < rows; first += BlockRows)
                block(first, ids, scores);
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        return best;
    }
}
