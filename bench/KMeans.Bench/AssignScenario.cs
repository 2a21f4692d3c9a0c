using System.Diagnostics;
using System.Globalization;
using KMeans.Core.Assigning;
using KMeans.Core.Distance;
using KMeans.Core.Files;

namespace KMeans.Bench;

/// <summary>
/// Assignment of every row of a .npy file to K centroids from a .npy file (W1 by default: 131,072 × 128, K = 512, the
/// first K rows as centroids), measured in one run, alternating per round: the training kernel's pass over the rows in
/// memory (the speed to reach), our streaming assignment from the file (nearest, and the 2 nearest), the cmdlet
/// (Get-KMeansAssignment -Summary, and into an Arrow file) in a pwsh child, and FAISS IndexFlatL2.search in a python
/// child. Ratios are taken within each round, so that other jobs on a shared machine weigh on both sides alike.
/// </summary>
internal static class AssignScenario
{
    public static void Run(BenchOptions options)
    {
        Workload workload = options.WorkloadsOr(Workload.W1)[0];
        int rounds = options.SamplesOr(3);
        Directory.CreateDirectory(options.DataDirectory);
        string rowsPath = Path.Combine(options.DataDirectory, $"assign-{workload.Id}.npy");
        string centroidsPath = Path.Combine(options.DataDirectory, $"assign-{workload.Id}-centroids.npy");
        float[] rows = LoadOrCreate(workload, rowsPath, centroidsPath, options.Seed);
        CacheAsReadFromDisk(rowsPath);
        CacheAsReadFromDisk(centroidsPath);
        float[][] centroids = Enumerable.Range(0, workload.K)
            .Select(c => rows.AsSpan(c * workload.Dimension, workload.Dimension).ToArray()).ToArray();
        using var search = new NearestCentroidSearch(centroids, DistanceMetric.L2);
        var kernel = new KernelPass(rows, workload, search.Packed);
        string repository = RepositoryRoot();
        string outFile = Path.Combine(options.DataDirectory, $"assign-{workload.Id}-labels.arrow");
        Console.WriteLine($"== assign: {workload.Id} ({workload.Rows:N0} × {workload.Dimension}, K = {workload.K}) from {rowsPath}, " +
                          $"{options.Threads} threads, {rounds} rounds alternating");

        var times = new Dictionary<string, List<double>>();
        void Add(string name, double seconds) => (times.TryGetValue(name, out var list) ? list : times[name] = []).Add(seconds);
        long kernelChecksum = 0, oursChecksum = 0, faissChecksum = 0, cmdletChecksum = 0;
        for (int round = 0; round < rounds; round++)
        {
            Add("training kernel (in memory)", Time(() => kernel.Run(options.Threads)));
            kernelChecksum = kernel.Labels.Sum(label => (long)label);
            Add("streaming, nearest", Time(() => oursChecksum = Stream(search, rowsPath, options.Threads, 1)));
            Add("streaming, 2 nearest", Time(() => Stream(search, rowsPath, options.Threads, 2)));
            (double cmdlet, cmdletChecksum) = Cmdlet(repository, rowsPath, centroidsPath, options.Threads, $"-Summary");
            Add("Get-KMeansAssignment -Summary", cmdlet);
            Add("Get-KMeansAssignment -OutFile .arrow", Cmdlet(repository, rowsPath, centroidsPath, options.Threads,
                $"-OutFile '{outFile}' -Force").Seconds);
            Add("Get-KMeansAssignment -Count 2 -OutFile .arrow", Cmdlet(repository, rowsPath, centroidsPath, options.Threads,
                $"-Count 2 -OutFile '{outFile}' -Force").Seconds);
            (double faiss, faissChecksum) = Faiss(repository, rowsPath, centroidsPath, options.Threads);
            Add("FAISS IndexFlatL2.search(k=1)", faiss);
        }

        double flops = workload.FlopsPerIteration;
        double[] kernelTimes = [.. times["training kernel (in memory)"]];
        double[] faissTimes = [.. times["FAISS IndexFlatL2.search(k=1)"]];
        var table = new TextTable("what", "median s", "range s", "GFLOP/s", "÷ kernel GFLOP/s", "÷ FAISS time");
        foreach ((string name, List<double> values) in times)
        {
            Summary summary = Summary.Of(values);
            double ofKernel = Summary.Of(values.Select((v, i) => kernelTimes[i] / v)).Median;
            double ofFaiss = Summary.Of(values.Select((v, i) => v / faissTimes[i])).Median;
            table.Add(name, $"{summary.Median:F3}", summary.Range("F3"), $"{flops / summary.Median / 1e9:F0}",
                $"{ofKernel:F2}", $"{ofFaiss:F2}");
        }
        table.Write(Console.Out);
        List<double> top1 = times["Get-KMeansAssignment -OutFile .arrow"];
        double topTwoOverOne = Summary.Of(times["Get-KMeansAssignment -Count 2 -OutFile .arrow"].Select((v, i) => v / top1[i])).Median;
        Console.WriteLine($"Top-2 into a file ÷ top-1 into a file (median of per-round ratios): {topTwoOverOne:F2}.");
        Console.WriteLine("Ratios are medians of per-round ratios. Label checksums (sum of labels): kernel " +
                          $"{kernelChecksum}, streaming {oursChecksum}, cmdlet {cmdletChecksum}, FAISS {faissChecksum}.");
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    private static long Stream(NearestCentroidSearch search, string rowsPath, int threads, int nearest)
    {
        using IVectorSource source = VectorFile.Open(rowsPath);
        long checksum = 0;
        foreach (AssignedRows chunk in new StreamingAssignment(search, threads, nearest).Run(source, 0, default))
        {
            ReadOnlySpan<int> ids = chunk.ClusterIds.Span;
            for (int i = 0; i < chunk.RowCount; i++)
                checksum += ids[i * nearest];
        }
        return checksum;
    }

    /// <summary>
    /// The cmdlet in a fresh pwsh, run once untimed (JIT) and once timed, both assigning the output to a variable: pwsh
    /// binds an assignment of each kind of output the first time it meets one (about 1.4 ms for the FileInfo of
    /// -OutFile, traced with DOTNET_JitDisasmSummary), a cost of the measuring script, not of the cmdlet.
    /// </summary>
    private static (double Seconds, long Checksum) Cmdlet(string repository, string rowsPath, string centroidsPath,
        int threads, string arguments)
    {
        string module = Path.Combine(repository, "out", "KMeans", "0.1.0", "KMeans.psd1");
        string command = $"Get-KMeansAssignment -LiteralPath '{rowsPath}' -Centroid '{centroidsPath}' -ThrottleLimit {threads} {arguments}";
        string script = $"$ErrorActionPreference = 'Stop'; Import-Module '{module}'; $s = {command}; " +
                        $"$t = Measure-Command {{ $s = {command} }}; " +
                        "$sum = 0; foreach ($c in $s) { if ($c.PSObject.Properties['Count']) { $sum += [long]$c.ClusterId * $c.Count } }; " +
                        "\"RESULT $($t.TotalSeconds.ToString([cultureinfo]::InvariantCulture)) $sum\"";
        string[] result = RunChild("dotnet", ["pwsh", "-NoProfile", "-Command", script], repository).Split(' ');
        return (double.Parse(result[0], CultureInfo.InvariantCulture), long.Parse(result[1], CultureInfo.InvariantCulture));
    }

    private static (double Seconds, long Checksum) Faiss(string repository, string rowsPath, string centroidsPath, int threads)
    {
        string script = Path.Combine(repository, "bench", "assignment", "faiss_assign.py");
        string[] result = RunChild("/usr/bin/python3", [script, rowsPath, centroidsPath, "1"], repository,
            ("OMP_NUM_THREADS", threads.ToString(CultureInfo.InvariantCulture))).Split(' ');
        return (double.Parse(result[0], CultureInfo.InvariantCulture), long.Parse(result[1], CultureInfo.InvariantCulture));
    }

    private static string RunChild(string executable, string[] arguments, string directory,
        params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        foreach ((string name, string value) in environment)
            start.Environment[name] = value;
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith(ChildProcess.ResultMarker, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"{executable} {string.Join(" ", arguments)} exited with code {process.ExitCode}:{Environment.NewLine}{output}");
        return line[ChildProcess.ResultMarker.Length..].Trim();
    }

    /// <summary>
    /// Leaves the file in the page cache as reading it from disk does, whoever wrote it: dropped, then read once in
    /// order. Pages a writer left behind are small (4 KiB folios on this machine's ext4, Linux 6.18), which the kernel
    /// copies out at about 6 GB/s; readahead from disk fills large folios, copied at about 20 GB/s (dd, 64 MiB). An
    /// input file comes from disk in production, and the figures would otherwise depend on whether the bench's own
    /// file had been evicted since it was written.
    /// </summary>
    private static void CacheAsReadFromDisk(string path)
    {
        using (FileStream written = new(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            PageCache.Drop(written.SafeFileHandle, path);
        using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        stream.CopyTo(System.IO.Stream.Null, 1 << 20);
    }

    /// <summary>The rows in memory; the .npy files are written first if missing (uniform values in [0, 1), seeded).</summary>
    private static float[] LoadOrCreate(Workload workload, string rowsPath, string centroidsPath, int seed)
    {
        int d = workload.Dimension;
        var rows = new float[workload.Rows * d];
        if (File.Exists(rowsPath) && File.Exists(centroidsPath))
        {
            using IVectorSource source = VectorFile.Open(rowsPath);
            foreach (VectorBatch batch in source.ReadBatches(default))
                batch.Values.Span.CopyTo(rows.AsSpan((int)(batch.FirstRow * d)));
            return rows;
        }
        var random = new Random(seed);
        for (long i = 0; i < rows.LongLength; i++)
            rows[i] = random.NextSingle();
        float[][] asRows = Enumerable.Range(0, (int)workload.Rows).Select(r => rows.AsSpan(r * d, d).ToArray()).ToArray();
        VectorFileWriter.Write(new InMemoryVectorSource(asRows), rowsPath, VectorFileFormat.Npy, default);
        VectorFileWriter.Write(new InMemoryVectorSource(asRows[..workload.K]), centroidsPath, VectorFileFormat.Npy, default);
        return rows;
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "KMeans.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No KMeans.sln above {AppContext.BaseDirectory}.");
    }
}
