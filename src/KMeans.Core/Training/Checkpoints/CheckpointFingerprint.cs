using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using KMeans.Core.Buffers;
using KMeans.Core.Planning;
using KMeans.Core.Sampling;

namespace KMeans.Core.Training.Checkpoints;

/// <summary>
/// What a checkpoint must match to be resumed: the settings that fix the result (not the thread count, the buffer's
/// kind or its directory, which do not change it), the input, and the sample. Each is a (name, value) pair, so a
/// mismatch names what differs.
/// </summary>
internal static class CheckpointFingerprint
{
    private const string SeedName = "Seed";
    private const int ProbeRows = 64;

    /// <summary>The name under which a training in a reduced dimension records it; absent for a full-dimension one.</summary>
    public const string TrainDimensionName = "TrainDimension";

    public static List<KeyValuePair<string, string>> Settings(KMeansOptions options, int seed)
    {
        List<KeyValuePair<string, string>> settings =
        [
            Pair("K", options.K),
            Pair("MaxIterations", options.MaxIterations),
            Pair("Tolerance", options.Tolerance.ToString("R", CultureInfo.InvariantCulture)),
            Pair("Redos", options.Redos),
            Pair(SeedName, seed),
            Pair("Init", options.Init),
            Pair("InitialCentroids", InitialCentroids(options.InitialCentroids)),
            Pair("Distance", options.Distance),
            Pair("SampleRate", options.SampleRate),
            Pair("SkipNonFinite", options.SkipNonFinite),
            Pair("Hierarchical", options.Hierarchical),
            Pair("HierarchicalK", options.HierarchicalK),
            Pair("RefineIterations", options.RefineIterations),
            Pair("SkipByBounds", options.SkipByBounds),
        ];
        // Only when given, so that checkpoints of full-dimension trainings written before it existed still match.
        if (options.TrainDimension is int trainDimension)
            settings.Add(Pair(TrainDimensionName, trainDimension));
        return settings;
    }

    /// <param name="rows">The rows (pipeline items) the input holds, or null when only a full read can tell.</param>
    public static List<KeyValuePair<string, string>> Inputs(int dimension, long? rows, IReadOnlyList<string> files)
    {
        var pairs = new List<KeyValuePair<string, string>>
        {
            Pair("Dimension", dimension),
            Pair("Rows", rows?.ToString(CultureInfo.InvariantCulture) ?? "unknown"),
            Pair("Files", files.Count),
        };
        for (int i = 0; i < files.Count; i++)
        {
            var file = new FileInfo(files[i]);
            FileInfo read = FileRead(file);
            pairs.Add(Pair($"File {i + 1}", read.Exists
                ? string.Create(CultureInfo.InvariantCulture, $"{file.FullName} ({read.Length} bytes, modified {read.LastWriteTimeUtc:O})")
                : $"{file.FullName} (missing)"));
        }
        return pairs;
    }

    /// <summary>
    /// The file whose rows are read: the one a symbolic link leads to, whose size and time change with its rows (the
    /// link's own stayed the same, so a resume through a link missed a changed input).
    /// </summary>
    private static FileInfo FileRead(FileInfo file)
    {
        if (file.LinkTarget is null)
            return file;
        try
        {
            return file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
        }
        catch (IOException)
        {
            return file;
        }
    }

    /// <summary>
    /// The sample's shape and a hash of the hashes of all its rows at full dimension
    /// (<see cref="SampledRowOrigins.HashOf"/>): O(n·d) work, one read of a sample that keeps its full rows (taken once
    /// per checkpointed training), which catches any input that changed under the same names, sizes and times, even
    /// where nothing else is checked (a finished training's checkpoint). The row hashes are those a sample that reads
    /// its input again keeps instead of its full rows, so the probe is the same whether the rows are kept or read
    /// again (balancing, which keeps them, may differ on resuming).
    /// </summary>
    public static SampleFingerprint Sample(ProjectedSample sample, CancellationToken cancellationToken)
    {
        var hash = new XxHash3();
        var rowHash = new byte[sizeof(ulong)];
        void Append(ulong value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(rowHash, value);
            hash.Append(rowHash);
        }
        if (sample.Full is { } full)
        {
            var blocks = new RowBlocks(full.RowCount, Math.Min(ResourcePlan.RowsPerBlock, full.MaxRowsPerBlock));
            for (long block = 0; block < blocks.Count; block++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                blocks.ReadAhead(full, block);
                ReadOnlySpan<float> rows = full.Rows(blocks.First(block), blocks.Length(block));
                for (int row = 0; row < blocks.Length(block); row++)
                    Append(SampledRowOrigins.HashOf(rows.Slice(row * full.Dimension, full.Dimension)));
            }
        }
        else
        {
            for (long row = 0; row < sample.RowCount; row++)
                Append(sample.Rereading!.Origins.Hash(row));
        }
        return new SampleFingerprint(sample.RowCount, sample.Dimension, hash.GetCurrentHashAsUInt64());
    }

    /// <summary>
    /// The probe as format 1 to 5 took it (<see cref="CheckpointState.ProbesRowHashes"/>): a hash of the values of
    /// <see cref="ProbeRows"/> evenly spaced rows. A sample that does not keep its full rows reads them again for it.
    /// </summary>
    public static SampleFingerprint FullRowSample(ProjectedSample sample, CancellationToken cancellationToken)
    {
        List<long> probed = ProbedRows(sample.RowCount).ToList();
        var rows = new float[probed.Count][];
        if (sample.Full is { } full)
        {
            for (int i = 0; i < probed.Count; i++)
                rows[i] = full.Rows(probed[i], 1).ToArray();
        }
        else
        {
            long step = probed.Count > 1 ? probed[1] : 1;
            sample.Rereading!.Read((slot, row) =>
            {
                if (slot % step == 0 && slot / step < rows.Length)
                    rows[slot / step] = row.ToArray();
            }, rowsRead: null, cancellationToken);
        }
        var hash = new XxHash3();
        foreach (float[] row in rows)
            hash.Append(MemoryMarshal.AsBytes(row.AsSpan()));
        return new SampleFingerprint(sample.RowCount, sample.Dimension, hash.GetCurrentHashAsUInt64());
    }

    private static IEnumerable<long> ProbedRows(long rows)
    {
        long step = Math.Max(1, rows / ProbeRows);
        for (long row = 0; row < rows; row += step)
            yield return row;
    }

    /// <summary>Throws CheckpointMismatch naming every setting and input that differs; a seed left open takes the saved one.</summary>
    public static void Verify(string path, CheckpointState saved, List<KeyValuePair<string, string>> settings,
        bool seedGiven, List<KeyValuePair<string, string>> inputs)
    {
        var differences = new List<string>();
        Compare(saved.Settings, settings, name => name != SeedName || seedGiven, differences);
        Compare(saved.Inputs, inputs, _ => true, differences);
        if (differences.Count > 0)
            throw Mismatch(path, string.Join("; ", differences));
    }

    /// <summary>The sample's rows and dimension must be the saved ones (checked before any probe is taken).</summary>
    public static void VerifyShape(string path, SampleFingerprint saved, SampleFingerprint now)
    {
        if (saved.Rows != now.Rows || saved.Dimension != now.Dimension)
            throw Mismatch(path, string.Create(CultureInfo.InvariantCulture,
                $"the sample had {saved.Rows} rows of {saved.Dimension} dimensions, and has {now.Rows} of {now.Dimension} now"));
    }

    public static void VerifySample(string path, SampleFingerprint saved, SampleFingerprint now)
    {
        VerifyShape(path, saved, now);
        if (saved.Probe != now.Probe)
            throw Mismatch(path, "the sample holds other values than when the checkpoint was written (the input changed)");
    }

    /// <summary>
    /// The loss of the restored centroids over the rebuilt sample must be the saved one: bit for bit when
    /// <paramref name="exact"/>, else (a checkpoint of an earlier arithmetic, <see cref="CheckpointState.ExactLosses"/>)
    /// at most <see cref="EarlierArithmeticTolerance"/> above it, which a changed input moves the loss beyond unless it
    /// changed next to nothing. Below it is allowed: earlier versions kept float32's choice where rounding could not
    /// tell two centroids apart, and each such row's exact nearest lies nearer (rows with a column spread over
    /// 0–20,000 moved from centroids 79 away to their own copies); the probe rows of <see cref="VerifySample"/> are
    /// checked either way.
    /// </summary>
    public static void VerifyLoss(string path, double saved, double now, bool exact)
    {
        bool same = exact
            ? BitConverter.DoubleToInt64Bits(saved) == BitConverter.DoubleToInt64Bits(now)
            : now - saved <= EarlierArithmeticTolerance * Math.Abs(saved);
        if (!same)
            throw Mismatch(path, string.Create(CultureInfo.InvariantCulture,
                $"the rebuilt sample gives the saved centroids a loss of {now:R}, not the saved {saved:R} (the input changed)"));
    }

    /// <summary>
    /// Relative difference allowed between an earlier version's saved loss and the loss recomputed now: each row's
    /// float loss differs by at most a few units in its last place (about 10⁻⁷), and the sums are in double (a 65,536
    /// × 128 training's differed by 1.1 · 10⁻¹⁰).
    /// </summary>
    private const double EarlierArithmeticTolerance = 1e-6;

    public static KMeansException Mismatch(string path, string differences) => new(KMeansErrorKind.CheckpointMismatch,
        $"Cannot resume from the checkpoint '{path}': {differences}. Resume with the parameters and input it was " +
        "written with, or delete it to start over.", path);

    private static void Compare(IReadOnlyList<KeyValuePair<string, string>> saved,
        IReadOnlyList<KeyValuePair<string, string>> now, Func<string, bool> compared, List<string> differences)
    {
        var savedValues = saved.ToDictionary(pair => pair.Key, pair => pair.Value);
        foreach ((string name, string value) in now)
        {
            bool recorded = savedValues.Remove(name, out string? before);
            if (!compared(name))
                continue;
            if (!recorded)
                differences.Add($"{name} is {value} now and was not given then");
            else if (before != value)
                differences.Add($"{name} was {before} and is {value} now");
        }
        foreach ((string name, string value) in savedValues)
            differences.Add($"{name} was {value} and is not given now");
    }

    private static string InitialCentroids(IReadOnlyList<float[]>? centroids)
    {
        if (centroids is null)
            return "none";
        var hash = new XxHash3();
        foreach (float[] centroid in centroids)
            hash.Append(MemoryMarshal.AsBytes(centroid.AsSpan()));
        return string.Create(CultureInfo.InvariantCulture, $"{centroids.Count} centroids, hash {hash.GetCurrentHashAsUInt64():x16}");
    }

    private static KeyValuePair<string, string> Pair(string name, object value) =>
        new(name, Convert.ToString(value, CultureInfo.InvariantCulture)!);
}
