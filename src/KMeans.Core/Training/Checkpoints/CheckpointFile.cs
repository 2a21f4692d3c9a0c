using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using KMeans.Core.Files;
using KMeans.Core.Sampling;

namespace KMeans.Core.Training.Checkpoints;

/// <summary>
/// The checkpoint file (.kmc), little-endian: a 24-byte header (the magic bytes 0x89 "KMCKPT" 0x0A, the format
/// version as uint32, 4 reserved zero bytes, the payload's length as int64), the payload, then the XXH3 64-bit hash of
/// the payload. Reading checks the magic, the version, that the header's length matches the file's size and the hash
/// before it parses anything, and then every count against the bytes left; any failure is
/// <see cref="KMeansErrorKind.InvalidFile"/> naming the file. Writes are atomic (<see cref="AtomicFile"/>). Version 2
/// adds, after the finished result, its tree's levels and the sample's distinct rows; version 3 the levels of each
/// finished tree node's own subtree (after the node) and the finished result's loss in the training dimension, and a
/// training in a reduced dimension (its TrainDimension setting) keeps its progress in that dimension while its finished
/// result has the sample's. Version 4 has version 3's layout; it marks L2 losses summed from direct squares of the
/// differences (<see cref="Distance.SquaredDistance"/>), where earlier versions squared TensorPrimitives.Distance, so
/// their saved losses differ from a recomputed one in the last bits (<see cref="CheckpointState.ExactLosses"/>).
/// Version 5 has version 4's layout; it marks the kernel scoring L2 centroids relative to their common offset
/// (<see cref="Distance.PackedCentroids"/>), under which a near tie of an earlier version's may fall the other way, so
/// its losses too are compared within rounding. Version 6 has version 5's layout; it marks the sample's probe as taken
/// over every row's hash, which a reduced-dimension training that reads its input again
/// (<see cref="KMeansOptions.RereadsInputForFinalPass"/>) keeps instead of the rows that earlier versions probed
/// (<see cref="CheckpointState.ProbesRowHashes"/>). Version 7 has version 6's layout; it marks L2 rows whose float
/// scores lie within rounding of two centroids assigned to the exact nearer one (<see cref="Distance.NearTies"/>),
/// where earlier versions kept the float choice, so their losses are not compared exactly: a resumed run's may lie
/// below them by far more than rounding (<see cref="CheckpointFingerprint.VerifyLoss"/>). Versions 1 to 6 are still
/// read (without what came later).
/// </summary>
internal static class CheckpointFile
{
    public const uint FormatVersion = 7;

    /// <summary>The first version whose saved losses a resumed run recomputes bit for bit.</summary>
    public const uint ExactLossVersion = 7;

    /// <summary>The first version whose sample probe hashes every row's hash.</summary>
    public const uint RowHashProbeVersion = 6;

    /// <summary>The oldest format version read.</summary>
    public const uint OldestFormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => [0x89, (byte)'K', (byte)'M', (byte)'C', (byte)'K', (byte)'P', (byte)'T', 0x0A];

    private const int HeaderLength = 24;
    private const int TrailerLength = 8;

    public static void Write(string path, CheckpointState state)
    {
        RequireLittleEndian();
        AtomicFile.Write(path, overwrite: true, stream =>
        {
            stream.Write(new byte[HeaderLength]);
            var writer = new CheckpointWriter(stream);
            WritePayload(writer, state);
            ulong hash = writer.Finish();
            Span<byte> trailer = stackalloc byte[TrailerLength];
            BinaryPrimitives.WriteUInt64LittleEndian(trailer, hash);
            stream.Write(trailer);
            Span<byte> header = stackalloc byte[HeaderLength];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], FormatVersion);
            BinaryPrimitives.WriteInt64LittleEndian(header[16..], writer.Written);
            stream.Position = 0;
            stream.Write(header);
        });
    }

    /// <summary>
    /// Whether the file at <paramref name="path"/> begins as a checkpoint does (a truncated or empty one too): what tells a damaged
    /// checkpoint, which may be deleted, from another file given as one (a helper's ops script named its training data),
    /// which must not be.
    /// </summary>
    public static bool IsCheckpoint(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            Span<byte> start = stackalloc byte[Magic.Length];
            int read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
            return start[..read].SequenceEqual(Magic[..read]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>The error for an existing file that is no checkpoint: named as such, and not to be deleted.</summary>
    public static KMeansException NotACheckpoint(string path, KMeansErrorKind kind) => new(kind,
        $"'{path}' exists and is not a checkpoint (it does not start with the checkpoint signature); name the checkpoint, or a path where no file exists to start a new training.",
        path);

    public static CheckpointState Read(string path)
    {
        RequireLittleEndian();
        Exception Damaged(string problem) => new KMeansException(KMeansErrorKind.InvalidFile,
            $"The checkpoint '{path}' is damaged: {problem}. Delete it to start over.", path);
        if (!IsCheckpoint(path))
            throw NotACheckpoint(path, KMeansErrorKind.InvalidFile);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            long length = stream.Length;
            if (length < HeaderLength + TrailerLength)
                throw Damaged($"it holds {length} bytes, fewer than the {HeaderLength + TrailerLength} of an empty checkpoint");
            Span<byte> header = stackalloc byte[HeaderLength];
            stream.ReadExactly(header);
            uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
            if (version < OldestFormatVersion || version > FormatVersion)
                throw new KMeansException(KMeansErrorKind.InvalidFile,
                    $"The checkpoint '{path}' has format version {version}; this module reads versions {OldestFormatVersion} to {FormatVersion}. " +
                    "Resume it with the module version that wrote it, or delete it to start over.", path);
            long payload = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
            if (payload != length - HeaderLength - TrailerLength)
                throw Damaged($"its header announces {payload} bytes of state, but the file holds {length - HeaderLength - TrailerLength} (truncated or extended)");

            var hash = new XxHash3();
            var chunk = new byte[1 << 16];
            for (long left = payload; left > 0;)
            {
                int read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, left));
                if (read == 0)
                    throw Damaged("it ended while being read");
                hash.Append(chunk.AsSpan(0, read));
                left -= read;
            }
            Span<byte> trailer = stackalloc byte[TrailerLength];
            stream.ReadExactly(trailer);
            if (BinaryPrimitives.ReadUInt64LittleEndian(trailer) != hash.GetCurrentHashAsUInt64())
                throw Damaged("its checksum does not match its content");

            stream.Position = HeaderLength;
            var reader = new CheckpointReader(stream, payload, Damaged);
            CheckpointState state = ReadPayload(reader, Damaged, version);
            if (reader.Remaining != 0)
                throw Damaged($"{reader.Remaining} bytes follow the state");
            return state;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KMeansException(KMeansErrorKind.InvalidFile, $"Cannot read the checkpoint '{path}': {e.Message}", path, e);
        }
    }

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Checkpoints are supported on little-endian machines only.");
    }

    private static void WritePayload(CheckpointWriter writer, CheckpointState state)
    {
        WritePairs(writer, state.Settings);
        WritePairs(writer, state.Inputs);
        writer.Int32(state.Seed);
        writer.Int64(state.Sample.Rows);
        writer.Int32(state.Sample.Dimension);
        writer.UInt64(state.Sample.Probe);
        writer.Boolean(state.Sampling is not null);
        if (state.Sampling is { } sampling)
        {
            writer.Int64(sampling.RowsRead);
            writer.Int64(sampling.RowsSampled);
            writer.Int64(sampling.NullRowsSkipped);
            writer.Int64(sampling.NonFiniteRowsSkipped);
        }
        WriteProgress(writer, state.Flat);
        writer.Int32(state.Nodes.Count);
        foreach ((int node, RunSnapshot snapshot) in state.Nodes)
        {
            writer.Int32(node);
            WriteSnapshot(writer, snapshot);
            WriteLevels(writer, snapshot.Levels);
        }
        WriteProgress(writer, state.Refine);
        WriteOptional(writer, state.Final);
        WriteLevels(writer, state.FinalLevels);
        writer.Boolean(state.FinalDistinctRows is not null);
        if (state.FinalDistinctRows is int distinct)
            writer.Int32(distinct);
        writer.Boolean(state.FinalTrainDimensionLoss is not null);
        if (state.FinalTrainDimensionLoss is double trainDimensionLoss)
            writer.Double(trainDimensionLoss);
    }

    private const int LevelLength = 4 + 4 + 8 + 8 + 4 + 4 + 8 + 4;

    private static void WriteLevels(CheckpointWriter writer, IReadOnlyList<HierarchyLevel> levels)
    {
        writer.Int32(levels.Count);
        foreach (HierarchyLevel level in levels)
        {
            writer.Int32(level.Level);
            writer.Int32(level.Nodes);
            writer.Int64(level.Centroids);
            writer.Int64(level.Rows);
            writer.Int32(level.MaxIterations);
            writer.Int32(level.ConvergedNodes);
            writer.Double(level.Loss);
            writer.Int32(level.GatheringPasses);
        }
    }

    private static HierarchyLevel[] ReadLevels(CheckpointReader reader)
    {
        int count = reader.Count(reader.Int32(), LevelLength, "the tree's levels");
        var levels = new HierarchyLevel[count];
        for (int i = 0; i < count; i++)
        {
            levels[i] = new HierarchyLevel(reader.Int32(), reader.Int32(), reader.Int64(), reader.Int64(), reader.Int32(),
                reader.Int32(), reader.Double()) { GatheringPasses = reader.Int32() };
        }
        return levels;
    }

    private static CheckpointState ReadPayload(CheckpointReader reader, Func<string, Exception> damaged, uint version)
    {
        var settings = ReadPairs(reader);
        var inputs = ReadPairs(reader);
        int seed = reader.Int32();
        var sample = new SampleFingerprint(reader.Int64(), reader.Int32(), reader.UInt64());
        if (sample.Rows < 1 || sample.Dimension < 1)
            throw damaged($"its sample has {sample.Rows} rows of {sample.Dimension} dimensions");
        SamplingSummary? sampling = reader.Boolean()
            ? new SamplingSummary(reader.Int64(), reader.Int64(), reader.Int64(), reader.Int64())
            : null;
        int trained = TrainingDimension(settings, sample.Dimension, damaged);
        var state = new CheckpointState
        {
            ExactLosses = version >= ExactLossVersion,
            ProbesRowHashes = version >= RowHashProbeVersion,
            Settings = settings,
            Inputs = inputs,
            Seed = seed,
            Sample = sample,
            Sampling = sampling,
            Flat = ReadProgress(reader, damaged, trained),
        };
        int nodes = reader.Count(reader.Int32(), 4, "the tree nodes");
        for (int i = 0; i < nodes; i++)
        {
            int node = reader.Int32();
            RunSnapshot snapshot = ReadSnapshot(reader, damaged, trained);
            if (version >= 3)
                snapshot = snapshot with { Levels = ReadLevels(reader) };
            if (node < 0 || !state.Nodes.TryAdd(node, snapshot))
                throw damaged($"tree node {node} is out of range or listed twice");
        }
        state.Refine = ReadProgress(reader, damaged, trained);
        state.Final = ReadOptional(reader, damaged, sample.Dimension);
        if (version < 2)
            return state;
        state.FinalLevels = ReadLevels(reader);
        state.FinalDistinctRows = reader.Boolean() ? reader.Int32() : null;
        if (state.FinalDistinctRows < 1 || (state.Final is null && (state.FinalLevels.Count > 0 || state.FinalDistinctRows is not null)))
            throw damaged("the finished result's levels or distinct rows are inconsistent");
        if (version < 3)
            return state;
        state.FinalTrainDimensionLoss = reader.Boolean() ? reader.Double() : null;
        if (state.FinalTrainDimensionLoss is not null && (state.Final is null || trained == sample.Dimension))
            throw damaged("a loss in the training dimension is recorded without a finished training in a reduced dimension");
        return state;
    }

    /// <summary>The dimension the progress was saved in: the TrainDimension setting, else the sample's.</summary>
    private static int TrainingDimension(IReadOnlyList<KeyValuePair<string, string>> settings, int sampleDimension,
        Func<string, Exception> damaged)
    {
        foreach ((string name, string value) in settings)
        {
            if (name != CheckpointFingerprint.TrainDimensionName)
                continue;
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int trained)
                || trained < 1 || trained >= sampleDimension)
                throw damaged($"its training dimension '{value}' is not a whole number from 1 to {sampleDimension - 1}");
            return trained;
        }
        return sampleDimension;
    }

    private static void WritePairs(CheckpointWriter writer, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        writer.Int32(pairs.Count);
        foreach ((string name, string value) in pairs)
        {
            writer.String(name);
            writer.String(value);
        }
    }

    private static List<KeyValuePair<string, string>> ReadPairs(CheckpointReader reader)
    {
        int count = reader.Count(reader.Int32(), 8, "the settings");
        var pairs = new List<KeyValuePair<string, string>>(count);
        for (int i = 0; i < count; i++)
            pairs.Add(new(reader.String(), reader.String()));
        return pairs;
    }

    private static void WriteProgress(CheckpointWriter writer, RunProgress? progress)
    {
        writer.Boolean(progress is not null);
        if (progress is null)
            return;
        writer.Int32(progress.Redo);
        writer.Boolean(progress.Finished);
        writer.Int32(progress.Schedule.PauseLeft);
        writer.Int32(progress.Schedule.NextPause);
        WriteOptional(writer, progress.Best);
        WriteOptional(writer, progress.Current);
    }

    private static RunProgress? ReadProgress(CheckpointReader reader, Func<string, Exception> damaged, int dimension)
    {
        if (!reader.Boolean())
            return null;
        int redo = reader.Int32();
        bool finished = reader.Boolean();
        var schedule = new SkipSchedule.State(reader.Int32(), reader.Int32());
        RunSnapshot? best = ReadOptional(reader, damaged, dimension);
        RunSnapshot? current = ReadOptional(reader, damaged, dimension);
        if (redo < 0 || schedule.PauseLeft < 0 || schedule.NextPause < 1 || (finished ? best is null : current is null))
            throw damaged("a run's progress is inconsistent");
        return new RunProgress(redo, best, current, schedule, finished);
    }

    private static void WriteOptional(CheckpointWriter writer, RunSnapshot? snapshot)
    {
        writer.Boolean(snapshot is not null);
        if (snapshot is not null)
            WriteSnapshot(writer, snapshot);
    }

    private static RunSnapshot? ReadOptional(CheckpointReader reader, Func<string, Exception> damaged, int dimension) =>
        reader.Boolean() ? ReadSnapshot(reader, damaged, dimension) : null;

    private static void WriteSnapshot(CheckpointWriter writer, RunSnapshot snapshot)
    {
        writer.Int32(snapshot.K);
        writer.Int32(snapshot.Dimension);
        writer.Floats(snapshot.Centroids.AsSpan(0, snapshot.K * snapshot.Dimension));
        writer.Int64s(snapshot.Sizes);
        writer.Double(snapshot.Loss);
        writer.Int32(snapshot.Iterations);
        writer.Boolean(snapshot.Converged);
        writer.Int32(snapshot.Redo);
        writer.Int32(snapshot.History.Count);
        foreach (IterationReport report in snapshot.History)
        {
            writer.Int32(report.Redo);
            writer.Int32(report.Iteration);
            writer.Int32(report.MaxIterations);
            writer.Double(report.Loss);
            writer.Double(report.RelativeChange);
            writer.Int32(report.RepairedClusters);
            writer.Int64(report.Reassigned);
            writer.Double(report.ImbalanceFactor);
            writer.Int64(report.Elapsed.Ticks);
            writer.Int64(report.SkippedRows);
        }
    }

    private const int HistoryEntryLength = 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 8 + 8;

    private static RunSnapshot ReadSnapshot(CheckpointReader reader, Func<string, Exception> damaged, int dimension)
    {
        int k = reader.Int32();
        int d = reader.Int32();
        if (k < 1 || d != dimension || (long)k * d > Array.MaxLength)
            throw damaged($"a set of centroids claims K = {k} of {d} dimensions (the sample has {dimension})");
        float[] centroids = reader.Floats((long)k * d, "a set of centroids");
        long[] sizes = reader.Int64s(k, "a set of cluster sizes");
        double loss = reader.Double();
        int iterations = reader.Int32();
        bool converged = reader.Boolean();
        int redo = reader.Int32();
        int count = reader.Count(reader.Int32(), HistoryEntryLength, "an iteration history");
        var history = new IterationReport[count];
        for (int i = 0; i < count; i++)
        {
            history[i] = new IterationReport(reader.Int32(), reader.Int32(), reader.Int32(), reader.Double(),
                reader.Double(), reader.Int32(), reader.Int64(), reader.Double(), TimeSpan.FromTicks(reader.Int64()),
                reader.Int64());
        }
        if (iterations < 0 || redo < 0)
            throw damaged("a run claims a negative iteration or redo");
        return new RunSnapshot(k, d, centroids, sizes, loss, iterations, converged, history, redo);
    }
}
