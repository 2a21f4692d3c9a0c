using KMeans.Core.Distance;

namespace KMeans.Core.Training;

/// <summary>
/// Every setting of a training run, with documented defaults. <see cref="Validate"/> checks them all before any work
/// starts and names the bad value.
/// </summary>
public sealed record KMeansOptions
{
    /// <summary>Number of centroids (≥ 1).</summary>
    public int K { get; init; }

    /// <summary>Upper bound on Lloyd iterations (≥ 1). Default 50.</summary>
    public int MaxIterations { get; init; } = 50;

    /// <summary>Stop when |previous loss − loss| &lt; Tolerance·|loss|; 0 runs all MaxIterations. Default 1e-4.</summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>Independent runs from different initialisations; the lowest-loss run is kept. Default 1.</summary>
    public int Redos { get; init; } = 1;

    /// <summary>Seed for sampling, initialisation and repairs; null picks one at random (reported in the result).</summary>
    public int? Seed { get; init; }

    /// <summary>Initialisation when <see cref="InitialCentroids"/> is null. Default Auto.</summary>
    public InitMethod Init { get; init; } = InitMethod.Auto;

    /// <summary>From this K on, Auto initialisation uses k-means‖: greedy k-means++ costs K passes over the sample.</summary>
    public const int ParallelInitThreshold = 64;

    /// <summary>The initialisation Auto resolves to for this K.</summary>
    public InitMethod EffectiveInit => Init != InitMethod.Auto ? Init
        : K >= ParallelInitThreshold ? InitMethod.KMeansParallel : InitMethod.KMeansPlusPlus;

    /// <summary>K rows of the training dimension to start from (to resume or refine); overrides <see cref="Init"/>.</summary>
    public IReadOnlyList<float[]>? InitialCentroids { get; init; }

    public DistanceMetric Distance { get; init; } = DistanceMetric.L2;

    /// <summary>Train on at most SampleRate × K rows, chosen uniformly with the seed (≥ 1). Default 256.</summary>
    public int SampleRate { get; init; } = DefaultSampleRate;

    public const int DefaultSampleRate = 256;

    /// <summary>Keep the sample in a memory-mapped temporary file instead of RAM.</summary>
    public bool OnDisk { get; init; }

    /// <summary>Directory for the on-disk sample; null means the system temporary directory.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>Worker threads; -1 (default) uses every core. Results do not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Drop rows holding NaN or ±Infinity (and count them) instead of failing on the first one.</summary>
    public bool SkipNonFinite { get; init; }

    /// <summary>Train a tree of smaller problems instead of one flat problem. Default Auto.</summary>
    public HierarchicalMode Hierarchical { get; init; } = HierarchicalMode.Auto;

    /// <summary>Clusters per tree node (≥ 2). Default 16.</summary>
    public int HierarchicalK { get; init; } = DefaultHierarchicalK;

    public const int DefaultHierarchicalK = 16;

    /// <summary>Global Lloyd iterations over all K centroids after the tree is trained (≥ 0). Default 0.</summary>
    public int RefineIterations { get; init; }

    /// <summary>
    /// Bounds every partition of the sample to at most this multiple of the mean size (≥ 1); with
    /// <see cref="MinSizeRatio"/>, turns balancing on (<see cref="Balancing.PartitionBalancer"/>). Default none.
    /// </summary>
    public double? MaxSizeRatio { get; init; }

    /// <summary>Bounds every partition to at least this multiple of the mean size (0 to 1). Default none.</summary>
    public double? MinSizeRatio { get; init; }

    public bool BalancesPartitions => MaxSizeRatio is not null || MinSizeRatio is not null;

    /// <summary>Auto trains hierarchically above this K (Lance's threshold).</summary>
    public const int HierarchicalThreshold = 256;

    /// <summary>Whether this K is trained as a tree: never when one node would hold every centroid.</summary>
    public bool UsesHierarchy => K > HierarchicalK && Hierarchical switch
    {
        HierarchicalMode.On => true,
        HierarchicalMode.Off => false,
        _ => K > HierarchicalThreshold,
    };

    /// <summary>
    /// Train on the sample projected to this many dimensions (a seeded randomised Hadamard transform, see
    /// <see cref="Sampling.RandomizedHadamardProjection"/>), then give each cluster the mean of its full-dimension rows
    /// in one final pass; null (default) trains in the full dimension. Must be less than the vectors' dimension.
    /// </summary>
    public int? TrainDimension { get; init; }

    /// <summary>
    /// Keep a row's label without scoring it against every centroid when bounds prove no other centroid can win,
    /// even after float rounding; labels, sizes, centroids and losses stay bit-identical to skipping nothing. Off only
    /// to compare. Default on.
    /// </summary>
    public bool SkipByBounds { get; init; } = true;

    /// <summary>Rows per block read from the buffer; tests shrink it to exercise the block arithmetic.</summary>
    internal int RowsPerBlock { get; init; } = DefaultRowsPerBlock;

    internal const int DefaultRowsPerBlock = Planning.ResourcePlan.RowsPerBlock;

    /// <summary>
    /// Sample bytes per range of blocks that the assignment hands to the next update as soon as the range's labels are
    /// final (<see cref="OrderedRangeUpdate"/>): small enough that the rows are still cached when they are added, and
    /// that the last range, added after every block is assigned, is a short tail. A 1 MiB range (one block at
    /// d = 1,024) fits a core's L2 cache; with 16 MiB ranges W1's last range alone held a quarter of the adds, made
    /// after the other threads had finished (bench/README.md, issue 14). Tests shrink it to exercise the range arithmetic.
    /// </summary>
    internal long BytesPerRange { get; init; } = DefaultBytesPerRange;

    internal const long DefaultBytesPerRange = 1L << 20;

    /// <summary>
    /// Whether the assignment pass also takes the next update's sums (see <see cref="LloydRun"/>); null decides by the
    /// sample: on disk and larger than the memory available. Results are bit-identical either way; tests force it.
    /// </summary>
    internal bool? FoldUpdate { get; init; }

    /// <summary>
    /// Whether Lloyd's passes screen rows by 8-bit integers before scoring the centroids left in float
    /// (<see cref="Distance.ScreenedAssignment"/>); null decides by the machine and the shape
    /// (<see cref="Distance.ScreenedAssignment.Screens"/>). Results are bit-identical either way; tests force it.
    /// </summary>
    internal bool? Screen { get; init; }

    /// <summary>
    /// With <see cref="TrainDimension"/>, also assign every sample row to its nearest full-dimension centroid and
    /// report the share that is its own cluster and the loss of that assignment
    /// (<see cref="KMeansResult.NearestCentroidAgreement"/>, <see cref="KMeansResult.NearestCentroidLoss"/>): one
    /// full-dimension assignment pass more. The bench and tests ask for it.
    /// </summary>
    internal bool MeasureNearestCentroidAgreement { get; init; }

    /// <summary>
    /// Whether a sample drawn from files keeps only the projected rows, and the final pass of a
    /// <see cref="TrainDimension"/> training reads the sampled rows again from the input (one more read of it) instead
    /// of keeping them at full dimension: the sample then needs m/d of its memory or disk space. Balancing keeps
    /// them, as it assigns the full-dimension rows under its prices many times, and so does measuring
    /// <see cref="MeasureNearestCentroidAgreement"/>; pipeline input, which cannot be read again, keeps them always.
    /// </summary>
    public bool RereadsInputForFinalPass => TrainDimension is not null && !BalancesPartitions && !MeasureNearestCentroidAgreement;

    public int EffectiveParallelism => MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : MaxDegreeOfParallelism;

    public string EffectiveTempDirectory => TempDirectory ?? Path.GetTempPath();

    /// <summary>Number of rows the sample will hold for a source of <paramref name="sourceRows"/> rows.</summary>
    public long SampleCapacity(long? sourceRows)
    {
        long cap = (long)SampleRate * K;
        return sourceRows is long rows ? Math.Min(rows, cap) : cap;
    }

    /// <summary>Throws a <see cref="KMeansException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (K < 1)
            Fail($"K must be at least 1, but was {K}.", K);
        if (MaxIterations < 1)
            Fail($"MaxIterations must be at least 1, but was {MaxIterations}.", MaxIterations);
        if (!(Tolerance >= 0) || double.IsInfinity(Tolerance))
            Fail($"Tolerance must be a finite number ≥ 0, but was {Tolerance}.", Tolerance);
        if (Redos < 1)
            Fail($"Redos must be at least 1, but was {Redos}.", Redos);
        if (SampleRate < 1)
            Fail($"SampleRate must be at least 1, but was {SampleRate}.", SampleRate);
        if (MaxDegreeOfParallelism == 0 || MaxDegreeOfParallelism < -1)
            Fail($"MaxDegreeOfParallelism must be -1 (all cores) or at least 1, but was {MaxDegreeOfParallelism}.", MaxDegreeOfParallelism);
        if (!Enum.IsDefined(Distance))
            Fail($"Distance must be L2, Cosine or Dot, but was {Distance}.", Distance);
        if (!Enum.IsDefined(Init))
            Fail($"Init must be Random, KMeansPlusPlus, KMeansParallel or Auto, but was {Init}.", Init);
        if (!Enum.IsDefined(Hierarchical))
            Fail($"Hierarchical must be Auto, On or Off, but was {Hierarchical}.", Hierarchical);
        if (HierarchicalK < 2)
            Fail($"HierarchicalK must be at least 2, but was {HierarchicalK}.", HierarchicalK);
        if (RefineIterations < 0)
            Fail($"RefineIterations must be at least 0, but was {RefineIterations}.", RefineIterations);
        if (TrainDimension is < 1)
            Fail($"TrainDimension must be at least 1, but was {TrainDimension}.", TrainDimension);
        if (RowsPerBlock < 1)
            Fail($"RowsPerBlock must be at least 1, but was {RowsPerBlock}.", RowsPerBlock);
        if (BytesPerRange < 1)
            Fail($"BytesPerRange must be at least 1, but was {BytesPerRange}.", BytesPerRange);
        if (MaxSizeRatio is double max && !(max >= 1 && double.IsFinite(max)))
            Fail($"MaxSizeRatio must be a finite number ≥ 1, but was {max}.", max);
        if (MinSizeRatio is double min && !(min >= 0 && min <= 1))
            Fail($"MinSizeRatio must be between 0 and 1, but was {min}.", min);
        if (InitialCentroids is { } initial && initial.Count != K)
            throw new KMeansException(KMeansErrorKind.InitialCentroidsShape,
                $"{initial.Count} initial centroids were given, but K is {K}: give exactly K.", initial);
    }

    private static void Fail(string message, object value) =>
        throw new KMeansException(KMeansErrorKind.InvalidOption, message, value);
}
