using System.Diagnostics;
using KMeans.Core.Distance;

namespace KMeans.Bench;

/// <summary>
/// The assignment kernel (AVX-512 tiles where the machine has them) on one thread at K around the 64-centroid tile's
/// quarters: 65,536 uniform rows of d = 128 in the trainer's 192-row blocks, best of the samples. A last tile of one or
/// two quarters of real centroids runs a 6 × 16 tile per quarter, of three or four the whole 6 × 64 tile
/// (<c>RegisterTiles.WholeTileFrom</c>), so the time per K shows which is faster where.
/// </summary>
internal static class TileWidthScenario
{
    private const int Dimension = 128;
    private const int Rows = 65_536;
    private const int BlockRows = 192;

    public static void Run(BenchOptions options)
    {
        int samples = options.SamplesOr(5);
        Console.WriteLine($"== tile-widths: AssignmentKernel.Assign ({KernelPaths.Machine}), 1 thread, {Rows:N0} rows × d = {Dimension}, best of {samples}");
        var random = new Random(options.Seed);
        float[] x = Enumerable.Range(0, Rows * Dimension).Select(_ => (float)random.NextDouble()).ToArray();
        var table = new TextTable("K", "quarters in the last tile", "ms", "GFLOP/s of real centroids");
        foreach (int k in new[] { 16, 17, 32, 33, 48, 49, 64, 100, 128 })
        {
            float[] c = Enumerable.Range(0, k * Dimension).Select(_ => (float)random.NextDouble()).ToArray();
            using var packed = new PackedCentroids(k, Dimension);
            packed.Pack(c, DistanceMetric.L2);
            var scratch = new AssignmentKernel.Scratch(BlockRows);
            var labels = new int[BlockRows];
            var scores = new float[BlockRows];
            double best = double.MaxValue;
            for (int sample = 0; sample <= samples; sample++)
            {
                var watch = Stopwatch.StartNew();
                for (int first = 0; first + BlockRows <= Rows; first += BlockRows)
                    AssignmentKernel.Assign(x.AsSpan(first * Dimension, BlockRows * Dimension), BlockRows, packed, labels, scores, scratch);
                // The first pass warms up the JIT.
                if (sample > 0)
                    best = Math.Min(best, watch.Elapsed.TotalSeconds);
            }
            int lastTile = k - (k - 1) / PackedCentroids.TileWidth * PackedCentroids.TileWidth;
            double flops = 2.0 * (Rows / BlockRows * BlockRows) * k * Dimension;
            table.Add($"{k}", $"{(lastTile + 15) / 16}", $"{best * 1e3:F1}", $"{flops / best / 1e9:F0}");
        }
        table.Write(Console.Out);
    }
}
