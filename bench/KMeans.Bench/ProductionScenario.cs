using System.Diagnostics;
using KMeans.Core.Assigning;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Training;

namespace KMeans.Bench;

/// <summary>
/// The IVF build end to end at production shape: 4,194,304 × 128 float32 rows (a Gaussian mixture of 4,096 components
/// weighted 1/rank, so one partition would swallow far more than its share; 2 GiB as .npy), K = 16,384 trained from an
/// on-disk sample (256 × K rows: the whole file), then every row assigned exactly into an Arrow IPC file; with
/// --case balanced the training also bounds the partitions (MaxSizeRatio 2). Each phase reports its time and the
/// process's peak anonymous memory, which must not grow with the row count: the sample and the input live in the page
/// cache, the writer streams. Rows and K can be shrunk with --case small (262,144 rows, K = 1,024) for a quick check.
/// </summary>
internal static class ProductionScenario
{
    public static void Run(BenchOptions options)
    {
        bool small = options.Case?.Contains("small", StringComparison.Ordinal) == true;
        bool balanced = options.Case?.Contains("balanced", StringComparison.Ordinal) == true;
        long rows = small ? 262_144 : 4_194_304;
        int k = small ? 1_024 : 16_384;
        const int dimension = 128;
        Directory.CreateDirectory(options.DataDirectory);
        string data = Path.Combine(options.DataDirectory, $"production-{rows}.npy");
        string labels = Path.Combine(options.DataDirectory, $"production-{rows}-labels.arrow");
        Console.WriteLine($"== production: {rows:N0} × {dimension}, K = {k:N0}, on-disk sample, {options.Threads} threads" +
                          (balanced ? ", MaxSizeRatio 2" : ""));
        var table = new TextTable("phase", "seconds", "peak anon MiB", "notes");

        if (!File.Exists(data))
        {
            (double seconds, long anon) = Measure(() =>
                VectorFileWriter.Write(new MixtureSource(rows, dimension, 4_096, options.Seed), data, VectorFileFormat.Npy, default));
            table.Add("generate .npy", $"{seconds:F1}", Mib(anon), $"{new FileInfo(data).Length / (1 << 20):N0} MiB");
        }

        KMeansResult? model = null;
        (double trainSeconds, long trainAnon) = Measure(() =>
        {
            using IVectorSource source = VectorFile.Open(data);
            model = KMeansTrainer.Train(source, new KMeansOptions
            {
                K = k, Seed = options.Seed, OnDisk = true, TempDirectory = options.DataDirectory,
                MaxDegreeOfParallelism = options.Threads, MaxSizeRatio = balanced ? 2.0 : null,
            });
        });
        var sizes = model!.PartitionSizes;
        table.Add("train", $"{trainSeconds:F1}", Mib(trainAnon),
            $"{model.Iterations} iterations, {model.BalanceHistory.Count} balance passes" +
            (balanced ? $" ({model.BalanceHistory[^1].Displaced:N0} rows displaced)" : "") + $"; sizes {sizes.Min}–{sizes.Max}, " +
            $"max/mean {sizes.MaxOverMean:F2}, CV {sizes.CoefficientOfVariation:F2}; loss {model.Loss:G6}");

        float[][] centroids = Enumerable.Range(0, k).Select(c => model.Centroid(c).ToArray()).ToArray();
        long[] assigned = new long[k];
        (double assignSeconds, long assignAnon) = Measure(() =>
        {
            // A balanced model's partition prices, as Get-KMeansAssignment applies them.
            using var search = new NearestCentroidSearch(centroids, DistanceMetric.L2, model.PartitionPrices);
            using IVectorSource source = VectorFile.Open(data);
            using var writer = new AssignmentFileWriter(labels, AssignmentFileFormat.Arrow, 1, overwrite: true, rows);
            foreach (AssignedRows chunk in new StreamingAssignment(search, options.Threads).Run(source, 0, default))
            {
                writer.Write(chunk);
                foreach (int label in chunk.ClusterIds.Span)
                    assigned[label]++;
            }
            writer.Commit();
        });
        var all = KMeans.Core.Training.Balancing.PartitionSizeStatistics.Of(assigned);
        double flops = 2.0 * rows * k * dimension;
        table.Add("assign all rows → .arrow", $"{assignSeconds:F1}", Mib(assignAnon),
            $"{flops / assignSeconds / 1e9:F0} GFLOP/s; {(balanced ? "priced" : "nearest-centroid")} sizes {all.Min}–{all.Max}, max/mean {all.MaxOverMean:F2}, " +
            $"CV {all.CoefficientOfVariation:F2}");
        table.Write(Console.Out);
        Console.WriteLine($"Total (train + assign): {trainSeconds + assignSeconds:F1} s.");
        if (balanced)
        {
            var passes = new BalancePassTable();
            passes.Add($"{rows:N0} × {dimension}, K = {k:N0}", model, 2.0);
            Console.WriteLine("Balance passes:");
            passes.Write(Console.Out);
        }
    }

    private static (double Seconds, long PeakAnonymous) Measure(Action phase)
    {
        GC.Collect();
        using var memory = new PeakMemorySampler();
        var watch = Stopwatch.StartNew();
        phase();
        double seconds = watch.Elapsed.TotalSeconds;
        memory.Stop();
        return (seconds, memory.PeakAnonymous);
    }

    private static string Mib(long bytes) => $"{bytes / (1 << 20):N0}";

    /// <summary>Rows of a Gaussian mixture drawn batch by batch, never all in memory; weights 1/rank.</summary>
    private sealed class MixtureSource(long rows, int dimension, int components, int seed) : IVectorSource
    {
        private const int RowsPerBatch = 8_192;

        public string Description => "the generated mixture";

        public int Dimension => dimension;

        public long? RowCount => rows;

        public IEnumerable<VectorBatch> ReadBatches(CancellationToken cancellationToken)
        {
            var random = new Random(seed);
            var centres = new float[components * dimension];
            for (int i = 0; i < centres.Length; i++)
                centres[i] = (float)(random.NextDouble() * 16);
            var cumulative = new double[components];
            double total = 0;
            for (int c = 0; c < components; c++)
                cumulative[c] = total += 1.0 / (c + 1);
            var values = new float[RowsPerBatch * dimension];
            for (long first = 0; first < rows; first += RowsPerBatch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = (int)Math.Min(RowsPerBatch, rows - first);
                for (int i = 0; i < count; i++)
                {
                    int component = Array.BinarySearch(cumulative, random.NextDouble() * total);
                    component = Math.Min(components - 1, component < 0 ? ~component : component);
                    for (int j = 0; j < dimension; j++)
                        values[i * dimension + j] = centres[component * dimension + j] + (float)(random.NextDouble() - 0.5) * 2;
                }
                yield return new VectorBatch(first, count, values.AsMemory(0, count * dimension));
            }
        }

        public void Dispose()
        {
        }
    }
}
