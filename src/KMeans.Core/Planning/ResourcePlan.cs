using KMeans.Core.Distance;

namespace KMeans.Core.Planning;

/// <summary>
/// The memory and disk a training run needs, computed exactly from its shape, and the one place that decides whether
/// it fits: training refuses what the plan says does not fit, and Get-KMeansDiskEstimate reports the same plan.
/// Every size is counted in checked 64-bit arithmetic; a shape whose sizes cannot be counted is refused with
/// <see cref="KMeansErrorKind.InvalidOption"/>.
/// </summary>
/// <param name="SampleRows">min(rows, SampleRate × K); SampleRate × K when the row count is unknown.</param>
/// <param name="SampleBytes">The sample: <paramref name="SampleRows"/> × dimension float32 values.</param>
/// <param name="WorkingBytes">What either buffer adds: per sample row a label, a distance, a norm and its place in
/// the update's row lists; centroids
/// (plain and packed); double-precision sums and counts; per-centroid bounds; per-thread kernel scratch; where Lloyd's
/// passes screen by 8-bit integers on this machine, the screen's copies of the centroids and its per-thread scratch
/// (<see cref="ScreenedAssignment.Bytes"/>; a tree's nodes, which share K between them, hold no more); for a
/// balanced run, what balancing holds; and for a tree in memory, its nodes' rows (an estimate: see
/// <see cref="TreeNodeShare"/>).</param>
/// <param name="AvailableMemoryBytes">Memory this process can take now (<see cref="AvailableMemory"/>).</param>
public sealed record ResourcePlan(
    long? Rows,
    int K,
    int Dimension,
    long SampleRows,
    long SampleBytes,
    long WorkingBytes,
    long AvailableMemoryBytes)
{
    /// <summary>Rows per block of the assignment kernel, whose per-thread scratch the working set counts.</summary>
    public const int RowsPerBlock = AssignmentKernel.BlockRows;

    /// <summary>
    /// A tree in memory holds, besides the sample, the top level's labels and the rows of the nodes that train at once
    /// (one per thread, each copied into its own buffer, with its per-row state). How many rows those nodes hold
    /// depends on the data: the plan counts this many times threads / HierarchicalK of the sample, since the nodes
    /// train largest first and k-means leaves them uneven. Measured in a fresh pwsh (peak RSS above that of a run of
    /// K = 2, 5 iterations, 2 threads): 131,072 × 512 at K = 512, Fashion-MNIST at K = 1,024 and K = 300, the trees
    /// took 0.99×, 0.81× and 0.96× the plan with this share, 1.36×, 1.09× and 1.31× without (bench/README.md).
    /// </summary>
    public const double TreeNodeShare = 3.0;

    /// <summary>An in-memory run is recommended when it needs at most this share of the available memory.</summary>
    public const double ComfortableShare = 0.8;

    /// <summary>Everything an in-memory run holds: the sample plus the working set.</summary>
    public long InMemoryBytes => SampleBytes + WorkingBytes;

    /// <summary>An in-memory run can start: it needs no more than the available memory.</summary>
    public bool FitsInMemory => InMemoryBytes <= AvailableMemoryBytes;

    /// <summary>In memory when the run needs at most <see cref="ComfortableShare"/> of the available memory.</summary>
    public SampleStorage Recommendation =>
        InMemoryBytes <= AvailableMemoryBytes * ComfortableShare ? SampleStorage.InMemory : SampleStorage.OnDisk;

    /// <summary>
    /// What a sample that reads its input again keeps per row: its input row and hash, and for the final pass its slot
    /// in input order and (after a reservoir) a copy of the input rows to sort them by.
    /// </summary>
    public const int RereadBytesPerRow = sizeof(long) + sizeof(ulong) + sizeof(int) + sizeof(long);

    /// <summary>
    /// The plan for a sample of min(<paramref name="rows"/>, <paramref name="sampleRate"/> × <paramref name="k"/>)
    /// rows of <paramref name="dimension"/> values, trained on <paramref name="threads"/> threads.
    /// <paramref name="availableMemoryBytes"/> defaults to <see cref="AvailableMemory.Bytes()"/>. With
    /// <paramref name="trainDimension"/> the sample is held twice, as it is and projected (the full rows serve the
    /// final pass), or with <paramref name="rereadsInput"/> only projected, with each row's origin and hash (<see cref="RereadBytesPerRow"/>)
    /// and a copy of each cluster's first row for the final pass, which reads the rows again from the input
    /// (<see cref="Training.KMeansOptions.RereadsInputForFinalPass"/>); the final pass adds a second label and distance
    /// per row (the labels the flat run kept, or after balancing or refinement those of one more assignment); the rest
    /// is counted at the full dimension, the larger of the two. A <paramref name="balanced"/> run adds what balancing holds
    /// (<see cref="BalancingMemory"/>); a tree of <paramref name="treeFanOut"/> nodes per level adds its nodes' rows
    /// (<see cref="TreeNodeShare"/>).
    /// </summary>
    public static ResourcePlan Compute(long? rows, int k, int dimension, int sampleRate, int threads, long? availableMemoryBytes = null,
        int? trainDimension = null, bool balanced = false, int? treeFanOut = null, bool rereadsInput = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (rows is < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "Rows cannot be negative.");
        EnsureCentroidsFit(k, dimension);
        long sampleRows = Math.Min(rows ?? long.MaxValue, (long)sampleRate * k);
        try
        {
            checked
            {
                if (rereadsInput && trainDimension is null)
                    throw new ArgumentException("Only a sample projected to a training dimension reads the input again.", nameof(rereadsInput));
                long sampleBytes = sampleRows * (rereadsInput ? trainDimension!.Value : dimension + (trainDimension ?? 0)) * sizeof(float);
                long paddedK = PaddedCentroids(k);
                // A label, a distance, a norm and the row's place in the update's row lists; a second label and
                // distance for the final full-dimension pass of a reduced training.
                long perRow = sampleRows * (sizeof(int) + sizeof(float) + sizeof(float) + sizeof(int)
                    + (trainDimension is null ? 0 : sizeof(int) + sizeof(float))
                    + (rereadsInput ? RereadBytesPerRow : 0));
                long firstRows = rereadsInput ? (long)k * dimension * sizeof(float) : 0;
                long centroids = (k + paddedK) * dimension * sizeof(float) + paddedK * sizeof(float);
                long sums = (long)k * dimension * sizeof(double) + (long)k * sizeof(long);
                long bounds = 24L * k + threads * 4L * k;
                long scratch = threads * (AssignmentKernel.ScratchBytesPerThread(RowsPerBlock)
                    + RowsPerBlock * (4L * dimension + 12) + 32L * dimension);
                long tree = treeFanOut is int fanOut
                    ? sampleRows * sizeof(int) + (long)Math.Ceiling(sampleRows * Math.Min(1.0, TreeNodeShare * threads / fanOut))
                        * ((trainDimension ?? dimension) * sizeof(float) + 16L)
                    : 0;
                int trainedDimension = trainDimension ?? dimension;
                long screen = ScreenedAssignment.Screens(null, k, trainedDimension)
                    ? ScreenedAssignment.Bytes(k, trainedDimension, threads, RowsPerBlock)
                    : 0;
                long working = perRow + centroids + sums + bounds + scratch + tree + firstRows + screen
                    + (balanced ? BalancingMemory.Bytes(sampleRows, k) : 0);
                _ = sampleBytes + working; // InMemoryBytes, unchecked later, must be countable too.
                return new ResourcePlan(rows, k, dimension, sampleRows, sampleBytes, working,
                    availableMemoryBytes ?? AvailableMemory.Bytes());
            }
        }
        catch (OverflowException e)
        {
            throw new KMeansException(KMeansErrorKind.InvalidOption,
                new OptionMessage($"A sample of {sampleRows:N0} rows of {dimension:N0} dimensions with K = {k:N0} needs more than " +
                    $"{long.MaxValue:N0} bytes, more than any machine holds: lower {{0}} or K.", KMeansOption.SampleRate),
                sampleRows, e);
        }
    }

    /// <summary>
    /// The centroids (K × dimension floats, padded to a multiple of 64 centroids when packed) must fit one array:
    /// the limit training enforces, checked before anything is read.
    /// </summary>
    public static void EnsureCentroidsFit(int k, int dimension)
    {
        if (PaddedCentroids(k) * dimension > Array.MaxLength)
            throw new KMeansException(KMeansErrorKind.InvalidOption,
                $"K = {k:N0} centroids of {dimension:N0} dimensions are {(long)k * dimension:N0} values, more than " +
                $"the {Array.MaxLength:N0} one array of centroids can hold: lower K.", k);
    }

    /// <summary>Refuses an in-memory run that does not fit, before anything is allocated (Linux would grant the
    /// allocation and kill the process, and the shell hosting it, only when the pages are written).</summary>
    public void EnsureFitsInMemory()
    {
        if (!FitsInMemory)
            throw new KMeansException(KMeansErrorKind.InsufficientMemory,
                new OptionMessage($"The in-memory run needs {InMemoryBytes:N0} bytes (sample {SampleBytes:N0}, working set " +
                    $"{WorkingBytes:N0}), but only {AvailableMemoryBytes:N0} bytes of memory are available. Train with {{0}} " +
                    "to keep the sample in a memory-mapped temporary file, or lower {1} or K.",
                    KMeansOption.OnDisk, KMeansOption.SampleRate),
                InMemoryBytes);
    }

    /// <summary>Refuses an on-disk run whose sample cannot be written in <paramref name="directory"/>.</summary>
    public void EnsureFitsOnDisk(string directory)
    {
        DiskRoom room = OnDisk(directory);
        if (room.Problem is { } problem)
            throw new KMeansException(room.ProblemKind!.Value, problem, room.Directory);
    }

    /// <summary>
    /// Why no run of this shape can train whatever the storage: a known row count of 0, or fewer rows than K. Null
    /// when the row count allows it (or is unknown). Training names the source in its own message for these.
    /// </summary>
    public OptionMessage? RowsProblem => Rows switch
    {
        0 => new OptionMessage("The input holds no rows: there is nothing to sample."),
        long rows when rows < K => new OptionMessage($"K is {K:N0}, but the input holds only {rows:N0} rows: K cannot exceed the number of rows."),
        _ => null,
    };

    /// <summary>
    /// Whether the on-disk sample can be written in <paramref name="directory"/>: it must exist, have the sample's
    /// bytes free, and let this user create a file.
    /// </summary>
    public DiskRoom OnDisk(string directory)
    {
        string full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
            return new DiskRoom(full, 0, KMeansErrorKind.TempDirectoryMissing,
                new OptionMessage($"The temporary directory '{OptionMessage.Literal(full)}' does not exist."));
        long free = FreeSpace.Bytes(full);
        if (SampleBytes > free)
            return new DiskRoom(full, free, KMeansErrorKind.InsufficientDiskSpace, DiskFull(full, SampleBytes, free, FitsInMemory));
        if (TempDirectoryProbe.CannotCreateFile(full) is { } reason)
            return new DiskRoom(full, free, KMeansErrorKind.TempDirectoryNotWritable,
                new OptionMessage(OptionMessage.Literal($"Cannot create the on-disk sample in '{full}': {reason}")));
        return new DiskRoom(full, free, null, null);
    }

    /// <summary>
    /// The sample file does not fit in the free space of <paramref name="directory"/>; training in memory is offered
    /// only where the sample fits there (<paramref name="fitsInMemory"/>).
    /// </summary>
    public static OptionMessage DiskFull(string directory, long needed, long free, bool fitsInMemory) =>
        new($"The on-disk sample needs {needed:N0} bytes in '{OptionMessage.Literal(directory)}', but only {free:N0} bytes are free. " +
            (fitsInMemory ? "Choose another {0}, a smaller {1} or K, or train in memory." : "Choose another {0}, or a smaller {1} or K: the sample does not fit in memory either."),
            KMeansOption.TempDirectory, KMeansOption.SampleRate);

    /// <summary>
    /// Whether an on-disk sample of <paramref name="sampleBytes"/> stays in the page cache between passes: if not,
    /// each pass reads it from disk again, and training takes the update's sums during the assignment instead.
    /// </summary>
    public static bool PageCacheHolds(long sampleBytes) => sampleBytes <= AvailableMemory.Bytes();

    private static long PaddedCentroids(int k) => (k + 63L) / 64 * 64;
}
