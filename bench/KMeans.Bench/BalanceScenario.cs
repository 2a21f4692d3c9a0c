using System.Diagnostics;
using System.IO.Compression;
using KMeans.Core.Distance;
using KMeans.Core.Files;
using KMeans.Core.Training;
using KMeans.Core.Training.Balancing;

namespace KMeans.Bench;

/// <summary>
/// Balanced training against unbalanced on Fashion-MNIST (Debian's dataset-fashion-mnist, 60,000 × 784) and on a skewed
/// Gaussian mixture (65,536 × 128, 64 components weighted 1/rank), K = 256, the same iterations for all: per round
/// one unbalanced run, one with MaxSizeRatio 2 and one with 1.2, alternating, so ratios of time and loss come from
/// the same round of a shared machine. Beside the sample's sizes it gives those of all rows assigned with the model's
/// partition prices (as Get-KMeansAssignment does) and by nearest centroid, the rows the balancer displaced, and the
/// peak anonymous memory of each training; then, with SampleRate 128 (half the rows), how the prices carry over to the
/// rows the training never saw.
/// </summary>
internal static class BalanceScenario
{
    private const string FashionMnist = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
    private const int K = 256;
    private const int Iterations = 20;

    public static void Run(BenchOptions options)
    {
        int rounds = options.SamplesOr(2);
        var datasets = new List<(string Name, float[][] Rows)>();
        if (options.Case is null or "fashion-mnist")
        {
            if (File.Exists(FashionMnist))
                datasets.Add(("Fashion-MNIST 60,000 × 784", ReadIdxImages(FashionMnist)));
            else
                Console.WriteLine($"{FashionMnist} is missing: apt-get install -y dataset-fashion-mnist. Running the mixture only.");
        }
        if (options.Case is null or "mixture")
            datasets.Add(("skewed mixture 65,536 × 128", SkewedMixture(65_536, 128, components: 64, seed: options.Seed)));
        Console.WriteLine($"== balance: K = {K}, {Iterations} iterations (tolerance 0), {options.Threads} threads, {rounds} rounds alternating");
        var table = new TextTable("data", "max ratio", "train s (median)", "÷ unbalanced time", "loss ÷ unbalanced", "max/mean",
            "min/mean", "CV", "passes", "displaced", "all rows priced", "all rows nearest", "peak anon MiB");
        var heldOut = new TextTable("data", "max ratio", "sample rows", "sample max/mean", "all rows priced", "all rows nearest");
        var passes = new BalancePassTable();
        foreach ((string name, float[][] rows) in datasets)
        {
            double?[] ratios = [null, 2.0, 1.2];
            var times = ratios.Select(_ => new List<double>()).ToArray();
            var results = new KMeansResult[ratios.Length];
            var peaks = new long[ratios.Length];
            for (int round = 0; round < rounds; round++)
            {
                for (int r = 0; r < ratios.Length; r++)
                {
                    GC.Collect();
                    using var memory = new PeakMemorySampler();
                    var watch = Stopwatch.StartNew();
                    results[r] = KMeansTrainer.Train(new InMemoryVectorSource(rows), new KMeansOptions
                    {
                        K = K, Seed = options.Seed, MaxIterations = Iterations, Tolerance = 0,
                        MaxDegreeOfParallelism = options.Threads, MaxSizeRatio = ratios[r],
                    });
                    times[r].Add(watch.Elapsed.TotalSeconds);
                    memory.Stop();
                    peaks[r] = Math.Max(peaks[r], memory.PeakAnonymous);
                }
            }
            for (int r = 0; r < ratios.Length; r++)
            {
                double timeRatio = Summary.Of(times[r].Select((t, i) => t / times[0][i])).Median;
                var sizes = results[r].PartitionSizes;
                table.Add(name, ratios[r]?.ToString("0.0") ?? "none", $"{Summary.Of(times[r]).Median:F2}", $"{timeRatio:F2}",
                    $"{results[r].Loss / results[0].Loss:F4}", $"{sizes.MaxOverMean:F2}", $"{sizes.MinOverMean:F2}",
                    $"{sizes.CoefficientOfVariation:F2}", $"{results[r].BalanceHistory.Count}",
                    $"{(results[r].BalanceHistory.Count > 0 ? results[r].BalanceHistory[^1].Displaced : 0)}",
                    $"{AssignedSizes(rows, results[r], withPrices: true).MaxOverMean:F2}",
                    $"{AssignedSizes(rows, results[r], withPrices: false).MaxOverMean:F2}", $"{peaks[r] / (1 << 20):N0}");
                if (ratios[r] is double ratio)
                    passes.Add(name, results[r], ratio);
            }
            foreach (double ratio in new[] { 2.0, 1.2 })
            {
                KMeansResult half = KMeansTrainer.Train(new InMemoryVectorSource(rows), new KMeansOptions
                {
                    K = K, Seed = options.Seed, MaxIterations = Iterations, Tolerance = 0, SampleRate = 128,
                    MaxDegreeOfParallelism = options.Threads, MaxSizeRatio = ratio,
                });
                heldOut.Add(name, $"{ratio:0.0}", $"{half.SampleRows:N0} of {rows.Length:N0}", $"{half.PartitionSizes.MaxOverMean:F2}",
                    $"{AssignedSizes(rows, half, withPrices: true).MaxOverMean:F2}",
                    $"{AssignedSizes(rows, half, withPrices: false).MaxOverMean:F2}");
            }
        }
        table.Write(Console.Out);
        Console.WriteLine("The balance passes of the last round:");
        passes.Write(Console.Out);
        Console.WriteLine("Trained on half the rows (SampleRate 128), every row assigned:");
        heldOut.Write(Console.Out);
    }

    /// <summary>The partition sizes of every row assigned to the model's centroids, with or without its prices.</summary>
    private static PartitionSizeStatistics AssignedSizes(float[][] rows, KMeansResult model, bool withPrices)
    {
        float[][] centroids = Enumerable.Range(0, model.K).Select(c => model.Centroid(c).ToArray()).ToArray();
        using var search = new NearestCentroidSearch(centroids, model.Distance, withPrices ? model.PartitionPrices : null);
        int d = model.Dimension;
        var values = new float[rows.Length * d];
        for (int i = 0; i < rows.Length; i++)
            rows[i].CopyTo(values, i * d);
        var labels = new int[rows.Length];
        search.Assign(values, labels, new float[rows.Length], search.CreateWorkspace());
        var sizes = new long[model.K];
        foreach (int label in labels)
            sizes[label]++;
        return PartitionSizeStatistics.Of(sizes);
    }

    /// <summary>The images of an IDX3 file (gzip), one row per image, bytes scaled to [0, 1].</summary>
    private static float[][] ReadIdxImages(string path)
    {
        using var file = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new BinaryReader(file);
        static int BigEndian(BinaryReader r) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(r.ReadInt32());
        if (BigEndian(reader) != 0x803)
            throw new InvalidDataException($"{path} is not an IDX3 image file.");
        int count = BigEndian(reader), height = BigEndian(reader), width = BigEndian(reader);
        var rows = new float[count][];
        for (int i = 0; i < count; i++)
            rows[i] = reader.ReadBytes(height * width).Select(b => b / 255f).ToArray();
        return rows;
    }

    /// <summary>Gaussian components with weights 1/rank (the first holds about a fifth of the rows), unit spread.</summary>
    internal static float[][] SkewedMixture(int rows, int dimension, int components, int seed)
    {
        var random = new Random(seed);
        float[][] centres = Enumerable.Range(0, components)
            .Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 8)).ToArray()).ToArray();
        double[] cumulative = new double[components];
        double total = Enumerable.Range(1, components).Sum(rank => 1.0 / rank);
        for (int c = 0; c < components; c++)
            cumulative[c] = (c == 0 ? 0 : cumulative[c - 1]) + 1.0 / (c + 1) / total;
        var result = new float[rows][];
        for (int i = 0; i < rows; i++)
        {
            double u = random.NextDouble();
            int component = Array.FindIndex(cumulative, c => u < c);
            float[] centre = centres[component < 0 ? components - 1 : component];
            result[i] = centre.Select(x => x + (float)Gaussian(random)).ToArray();
        }
        return result;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
