using System.Diagnostics;
using KMeans.Core.Buffers;
using KMeans.Core.Distance;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// The 8-bit screen (<see cref="ScreenedAssignment"/>) against the float kernel (<see cref="AssignmentKernel.AssignTiled"/>)
/// on the same centroids, passes over every row alternating within one process (the order swapped every round), so
/// that the machine's drift counts for both: centroids from a few Lloyd iterations from the first K rows, as a
/// training's later passes see them. Labels and scores are checked equal once; each timed round checks the labels, the
/// screen scoring only what a training's folded passes need (labels).
/// </summary>
internal static class ScreenScenario
{
    private const int WarmIterations = 8;

    public static void Run(BenchOptions options, BenchReport report)
    {
        IReadOnlyList<Workload> workloads = options.WorkloadsOr(Workload.W1, Workload.W3);
        int samples = options.SamplesOr(15);
        Console.WriteLine($"== screen: 8-bit screen vs float kernel, {options.Threads} threads, {samples} rounds alternating, " +
                          $"centroids after {WarmIterations} Lloyd iterations; AVX-VNNI {ScreenedAssignment.Accelerated}");
        var table = new TextTable("workload", "float ms", "screen ms", "screen ÷ float (median of rounds)", "range",
            "block by block, 1 thread", "exact pairs / row", "rows to the float kernel");
        foreach (Workload workload in workloads)
        {
            DatasetFile data = DatasetFile.Locate(workload, options.DataDirectory);
            using var source = new RawFloat32Source(data.DataPath, workload.Rows, workload.Dimension);
            float[] rows = source.ReadAll();
            using var packed = new PackedCentroids(workload.K, workload.Dimension);
            (float[] centroids, int[] hints) = Warm(rows, workload, packed, options.Threads);
            packed.Pack(centroids, DistanceMetric.L2);
            using var quantized = new QuantizedCentroids(workload.K, workload.Dimension);
            quantized.Quantize(packed);
            var tiled = new Pass(rows, workload, packed, null);
            var screened = new Pass(rows, workload, packed, quantized) { ScoresWanted = true, Hints = hints };
            tiled.Timed(options.Threads);
            screened.Timed(options.Threads);
            if (!tiled.Labels.AsSpan().SequenceEqual(screened.Labels) || !tiled.Scores.AsSpan().SequenceEqual(screened.Scores))
                throw new InvalidOperationException($"{workload.Id}: the screen's labels or scores differ from the float kernel's.");
            // Timed as a training's folded passes run it: labels only.
            screened.ScoresWanted = false;
            var floatTimes = new List<double>();
            var screenTimes = new List<double>();
            var ratios = new List<double>();
            for (int round = -1; round < samples; round++)
            {
                bool screenFirst = round % 2 != 0;
                double first = (screenFirst ? screened : tiled).Timed(options.Threads);
                double second = (screenFirst ? tiled : screened).Timed(options.Threads);
                (double floatMs, double screenMs) = screenFirst ? (second, first) : (first, second);
                if (!tiled.Labels.AsSpan().SequenceEqual(screened.Labels))
                    throw new InvalidOperationException($"{workload.Id}: the screen's labels differ from the float kernel's.");
                if (round < 0)
                    continue;
                floatTimes.Add(floatMs);
                screenTimes.Add(screenMs);
                ratios.Add(screenMs / floatMs);
            }
            (double pairedFloat, double pairedScreen) = tiled.PairedWith(screened);
            Summary ratio = Summary.Of(ratios);
            table.Add(workload.Id, $"{Summary.Of(floatTimes).Median:F1}", $"{Summary.Of(screenTimes).Median:F1}",
                $"{ratio.Median:F3}", ratio.Range("F3"), $"{pairedScreen / pairedFloat:F3} ({pairedFloat:F0} / {pairedScreen:F0} ms)",
                $"{(double)screened.Pairs / workload.Rows:F2}", screened.Unscreened.ToString());
        }
        table.Write(Console.Out);
    }

    /// <summary>
    /// Centroids after <see cref="WarmIterations"/> Lloyd iterations from the first K rows (means in double), and the
    /// labels they were the means of: the hints a training's next pass has.
    /// </summary>
    private static (float[] Centroids, int[] Labels) Warm(float[] rows, Workload workload, PackedCentroids packed, int threads)
    {
        int d = workload.Dimension, k = workload.K;
        float[] centroids = rows.AsSpan(0, k * d).ToArray();
        var pass = new Pass(rows, workload, packed, null);
        for (int iteration = 0; iteration < WarmIterations; iteration++)
        {
            packed.Pack(centroids, DistanceMetric.L2);
            pass.Timed(threads);
            var sums = new double[k * d];
            var counts = new long[k];
            for (long i = 0; i < workload.Rows; i++)
            {
                int label = pass.Labels[i];
                counts[label]++;
                for (int j = 0; j < d; j++)
                    sums[label * d + j] += rows[i * d + j];
            }
            for (int c = 0; c < k; c++)
            {
                if (counts[c] == 0)
                    continue;
                for (int j = 0; j < d; j++)
                    centroids[c * d + j] = (float)(sums[c * d + j] / counts[c]);
            }
        }
        return (centroids, pass.Labels.ToArray());
    }

    /// <summary>One pass over every row by the float kernel, or by the screen where <paramref name="quantized"/> is given.</summary>
    private sealed class Pass(float[] rows, Workload workload, PackedCentroids packed, QuantizedCentroids? quantized)
    {
        private readonly RowBlocks _blocks = new(workload.Rows, KMeansOptions.DefaultRowsPerBlock);
        private long _pairs, _unscreened;

        public int[] Labels { get; } = new int[workload.Rows];

        public float[] Scores { get; } = new float[workload.Rows];

        public bool ScoresWanted { get; set; } = true;

        public int[] Hints { get; init; } = [];

        public long Pairs { get; private set; }

        public long Unscreened { get; private set; }

        public double Timed(int threads)
        {
            _pairs = _unscreened = 0;
            var watch = Stopwatch.StartNew();
            Parallel.For(0L, _blocks.Count, new ParallelOptions { MaxDegreeOfParallelism = threads },
                () => new AssignmentKernel.Scratch(_blocks.RowsPerBlock),
                (block, _, scratch) =>
                {
                    Assign(block, scratch);
                    return scratch;
                },
                _ => { });
            double ms = watch.Elapsed.TotalMilliseconds;
            (Pairs, Unscreened) = (_pairs, _unscreened);
            return ms;
        }

        /// <summary>
        /// Both passes block by block on one thread, each block by this pass and <paramref name="other"/> in turn (the
        /// order swapped every block), so that both see the machine as it is within microseconds; total ms of each.
        /// </summary>
        public (double Mine, double Others) PairedWith(Pass other, int rounds = 3)
        {
            var scratch = new AssignmentKernel.Scratch(_blocks.RowsPerBlock);
            long mine = 0, others = 0;
            for (int round = 0; round < rounds; round++)
            {
                for (long block = 0; block < _blocks.Count; block++)
                {
                    bool mineFirst = (block + round) % 2 == 0;
                    long start = Stopwatch.GetTimestamp();
                    (mineFirst ? this : other).Assign(block, scratch);
                    long middle = Stopwatch.GetTimestamp();
                    (mineFirst ? other : this).Assign(block, scratch);
                    long end = Stopwatch.GetTimestamp();
                    mine += mineFirst ? middle - start : end - middle;
                    others += mineFirst ? end - middle : middle - start;
                }
            }
            double ms = 1000.0 / Stopwatch.Frequency / rounds;
            return (mine * ms, others * ms);
        }

        private void Assign(long block, AssignmentKernel.Scratch scratch)
        {
            int first = (int)_blocks.First(block);
            int count = _blocks.Length(block);
            int d = workload.Dimension;
            ReadOnlySpan<float> blockRows = rows.AsSpan(first * d, count * d);
            Span<int> labels = Labels.AsSpan(first, count);
            Span<float> scores = Scores.AsSpan(first, count);
            if (quantized is null)
            {
                AssignmentKernel.AssignTiled(blockRows, count, packed, labels, scores, scratch, wide: true);
                return;
            }
            (int pairs, int unscreened) = ScreenedAssignment.Assign(blockRows, count, packed, quantized, Hints.AsSpan(first, count),
                labels, scores, scratch, integerDots: ScreenedAssignment.Accelerated, ScoresWanted);
            Interlocked.Add(ref _pairs, pairs);
            Interlocked.Add(ref _unscreened, unscreened);
        }
    }
}
