using KMeans.Core.Distance;
using KMeans.Core.Planning;

namespace KMeans.Core.Tests.Planning;

public class ResourcePlanTests
{
    private const long GiB = 1L << 30;

    [Fact]
    public void AgreesWithThePublishedEstimate()
    {
        // 256 × k × dim × 4 for k = 65,536 and dim = 1,024: the ~68.7 GB sample of a production IVF build.
        ResourcePlan plan = ResourcePlan.Compute(rows: null, k: 65_536, dimension: 1_024, sampleRate: 256, threads: 2);

        Assert.Equal(16_777_216, plan.SampleRows);
        Assert.Equal(68_719_476_736, plan.SampleBytes);
    }

    [Fact]
    public void SmallSourcesAreSampledWhole()
    {
        ResourcePlan plan = ResourcePlan.Compute(rows: 1000, k: 16, dimension: 8, sampleRate: 256, threads: 1);

        Assert.Equal(1000, plan.SampleRows);
        Assert.Equal(1000 * 8 * 4, plan.SampleBytes);
        Assert.True(plan.WorkingBytes > 16 * 8 * 8, "the working set holds at least the double-precision sums");
        Assert.Equal(plan.SampleBytes + plan.WorkingBytes, plan.InMemoryBytes);
    }

    [Fact]
    public void WorkingSetGrowsWithThreads()
    {
        long one = ResourcePlan.Compute(null, 64, 128, 256, 1).WorkingBytes;
        long four = ResourcePlan.Compute(null, 64, 128, 256, 4).WorkingBytes;
        Assert.True(four > one);
    }

    /// <summary>
    /// A tree adds the top level's labels and the rows of the nodes that train at once: 3 × threads / fan-out of the
    /// sample (all of it when that exceeds 1), each row in the training dimension with 16 bytes of per-row state.
    /// </summary>
    [Theory]
    [InlineData(2, 16, null, 3750L)]
    [InlineData(4, 16, null, 7500L)]
    [InlineData(2, 4, null, 10_000L)]
    [InlineData(2, 16, 8, 3750L)]
    public void ATreeAddsTheRowsOfTheNodesThatTrainAtOnce(int threads, int fanOut, int? trainDimension, long nodeRows)
    {
        ResourcePlan flat = ResourcePlan.Compute(rows: 10_000, k: 512, dimension: 32, sampleRate: 256, threads, trainDimension: trainDimension);
        ResourcePlan tree = ResourcePlan.Compute(rows: 10_000, k: 512, dimension: 32, sampleRate: 256, threads,
            trainDimension: trainDimension, treeFanOut: fanOut);

        Assert.Equal(10_000L * 4 + nodeRows * ((trainDimension ?? 32) * 4 + 16), tree.WorkingBytes - flat.WorkingBytes);
        Assert.Equal(flat.SampleBytes, tree.SampleBytes);
    }

    [Fact]
    public void MemoryFitsUpToTheAvailableBytesAndIsRecommendedUpToTheComfortableShare()
    {
        ResourcePlan plan = ResourcePlan.Compute(rows: null, k: 1024, dimension: 128, sampleRate: 256, threads: 2, availableMemoryBytes: 0);
        long needed = plan.InMemoryBytes;

        Assert.True((plan with { AvailableMemoryBytes = needed }).FitsInMemory);
        Assert.False((plan with { AvailableMemoryBytes = needed - 1 }).FitsInMemory);
        Assert.Equal(SampleStorage.InMemory, (plan with { AvailableMemoryBytes = (long)Math.Ceiling(needed / 0.8) }).Recommendation);
        Assert.Equal(SampleStorage.OnDisk, (plan with { AvailableMemoryBytes = needed }).Recommendation);
    }

    [Fact]
    public void AnInMemoryRunThatDoesNotFitIsInsufficientMemoryNamingTheOnDiskOption()
    {
        ResourcePlan plan = ResourcePlan.Compute(rows: null, k: 1024, dimension: 128, sampleRate: 256, threads: 2, availableMemoryBytes: GiB / 1024);

        var error = Assert.Throws<KMeansException>(plan.EnsureFitsInMemory);

        Assert.Equal(KMeansErrorKind.InsufficientMemory, error.Kind);
        Assert.StartsWith($"The in-memory run needs {plan.InMemoryBytes:N0} bytes (sample {plan.SampleBytes:N0}, working set {plan.WorkingBytes:N0})", error.Message);
        Assert.Contains("Train with OnDisk to keep the sample", error.Message);
        Assert.Equal([KMeansOption.OnDisk, KMeansOption.SampleRate], error.OptionMessage!.Options);
        Assert.Contains("Train with --on-disk", error.OptionMessage.Render(option => option == KMeansOption.OnDisk ? "--on-disk" : "--rate"));
    }

    [Theory]
    [InlineData(1_073_741_824, 1_024, 2_147_483_647)]
    [InlineData(1_073_741_824, 16_777_216, 256)]
    [InlineData(1_048_576, 65_536, 256)]
    public void CentroidsBeyondOneArrayAreRefusedAsTrainingRefusesThem(int k, int dimension, int sampleRate)
    {
        var error = Assert.Throws<KMeansException>(() => ResourcePlan.Compute(null, k, dimension, sampleRate, threads: 2));

        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.Contains("one array of centroids can hold: lower K", error.Message);
    }

    [Fact]
    public void SizesBeyondSixtyFourBitsAreAClearErrorNotANegativeCount()
    {
        // 2^31 − 1 rows per centroid × 2^20 centroids × 1,024 dimensions × 4 bytes is about 2^73 bytes.
        var error = Assert.Throws<KMeansException>(() => ResourcePlan.Compute(null, 1 << 20, 1024, int.MaxValue, threads: 2));

        Assert.Equal(KMeansErrorKind.InvalidOption, error.Kind);
        Assert.Contains($"needs more than {long.MaxValue:N0} bytes", error.Message);
        Assert.IsType<OverflowException>(error.InnerException);
    }

    [Fact]
    public void NoRowsOrFewerRowsThanKIsAProblemWhateverTheStorage()
    {
        Assert.Equal("The input holds no rows: there is nothing to sample.", ResourcePlan.Compute(0, 4, 8, 256, 1).RowsProblem?.ToString());
        Assert.StartsWith("K is 4, but the input holds only 3 rows", ResourcePlan.Compute(3, 4, 8, 256, 1).RowsProblem?.ToString());
        Assert.Null(ResourcePlan.Compute(4, 4, 8, 256, 1).RowsProblem);
        Assert.Null(ResourcePlan.Compute(null, 4, 8, 256, 1).RowsProblem);
    }

    [Fact]
    public void AWritableDirectoryWithRoomFitsAndTheProbeLeavesNothing()
    {
        using var temp = new TempDirectory();

        DiskRoom room = ResourcePlan.Compute(1000, 4, 8, 256, 1).OnDisk(temp.Path);

        Assert.True(room.Fits);
        Assert.Null(room.ProblemKind);
        Assert.Equal(new DriveInfo(temp.Path).AvailableFreeSpace, room.FreeBytes, (double)GiB);
        Assert.Empty(temp.Entries());
    }

    [Fact]
    public void AMissingDirectoryDoesNotFit()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"));

        DiskRoom room = ResourcePlan.Compute(1000, 4, 8, 256, 1).OnDisk(missing);

        Assert.False(room.Fits);
        Assert.Equal(KMeansErrorKind.TempDirectoryMissing, room.ProblemKind);
    }

    [GatedFact(Gate.Linux)]
    public void ADirectoryWhereNoFileCanBeCreatedDoesNotFit()
    {
        using var temp = new TempDirectory();
        string deep = temp.NestedBeyondAnyFileName();

        DiskRoom room = ResourcePlan.Compute(1000, 4, 8, 256, 1).OnDisk(deep);

        Assert.False(room.Fits);
        Assert.Equal(KMeansErrorKind.TempDirectoryNotWritable, room.ProblemKind);
        Assert.StartsWith($"Cannot create the on-disk sample in '{deep}': the system reported \"", room.Problem!.ToString());
        Assert.DoesNotContain(".kmeans-probe", room.Problem!.ToString());
    }

    [Fact]
    public void ASampleLargerThanTheFreeSpaceDoesNotFitAndNamesTheDirectoryOption()
    {
        using var temp = new TempDirectory();

        DiskRoom room = ResourcePlan.Compute(null, 1000, 1024, int.MaxValue / 1024, 1).OnDisk(temp.Path);

        Assert.False(room.Fits);
        Assert.Equal(KMeansErrorKind.InsufficientDiskSpace, room.ProblemKind);
        Assert.Equal([KMeansOption.TempDirectory, KMeansOption.SampleRate], room.Problem!.Options);
    }

    [Fact]
    public void ABalancedRunAddsTheBalancersStatePerRowAndItsCache()
    {
        ResourcePlan plain = ResourcePlan.Compute(rows: 10_000, k: 64, dimension: 32, sampleRate: 256, threads: 2, availableMemoryBytes: GiB);
        ResourcePlan balanced = ResourcePlan.Compute(rows: 10_000, k: 64, dimension: 32, sampleRate: 256, threads: 2, availableMemoryBytes: GiB,
            balanced: true);

        // Label, gap and 12 bytes of sorting per row; every row cached: 8 × (id, cost), 5 assignment and 3 split values;
        // every row's 64 scores kept for the searches.
        Assert.Equal(plain.WorkingBytes + 10_000 * 20L + 10_000 * 96L + 10_000 * 64L * 4, balanced.WorkingBytes);
        Assert.Equal(plain.SampleBytes, balanced.SampleBytes);
    }

    [Fact]
    public void TheBalancingCacheStaysWithinItsBoundWhateverTheSample()
    {
        long rows = 16_777_216;
        long capacity = BalancingMemory.CacheCapacity(BalancingMemory.Candidates);

        Assert.Equal(BalancingMemory.CandidateCacheBytes / 84, capacity);
        Assert.Equal(rows * 20 + capacity * 96 + BalancingMemory.ScoredRowsBytes, BalancingMemory.Bytes(rows, k: 65_536));
        Assert.True(new KMeans.Core.Training.Balancing.CandidateCache(rows, BalancingMemory.Candidates).Rows <= capacity);
        Assert.Equal(100 * 20 + 100 * (2 * 8 + 20 + 12) + 100 * 16 * 4, BalancingMemory.Bytes(100, k: 2));
    }

    [Fact]
    public void ATrainingThatReadsItsInputAgainHoldsOnlyTheProjectedSample()
    {
        ResourcePlan kept = ResourcePlan.Compute(rows: 10_000, k: 16, dimension: 1_024, sampleRate: 256, threads: 2, availableMemoryBytes: GiB,
            trainDimension: 128);
        ResourcePlan reread = ResourcePlan.Compute(rows: 10_000, k: 16, dimension: 1_024, sampleRate: 256, threads: 2, availableMemoryBytes: GiB,
            trainDimension: 128, rereadsInput: true);

        Assert.Equal(4_096 * 128 * 4L, reread.SampleBytes);
        Assert.Equal(kept.SampleBytes / 9, reread.SampleBytes);
        // Each row's input row, hash, slot in input order and sort key, and a copy of each cluster's first row.
        Assert.Equal(kept.WorkingBytes + 4_096 * 28L + 16 * 1_024 * 4L, reread.WorkingBytes);
        Assert.Throws<ArgumentException>(() => ResourcePlan.Compute(rows: 10, k: 2, dimension: 8, sampleRate: 256, threads: 1,
            rereadsInput: true));
    }

    [Fact]
    public void CountsTheScreenWhereLloydsPassesScreen()
    {
        // K = 256 at d = 1,024 screens where this machine has AVX-VNNI; trained at d = 64, it does not.
        ResourcePlan full = ResourcePlan.Compute(rows: 10_000, k: 256, dimension: 1_024, sampleRate: 256, threads: 2, availableMemoryBytes: GiB);
        ResourcePlan reduced = ResourcePlan.Compute(rows: 10_000, k: 256, dimension: 1_024, sampleRate: 256, threads: 2, availableMemoryBytes: GiB,
            trainDimension: 64);
        long screen = ScreenedAssignment.Screens(null, 256, 1_024) ? ScreenedAssignment.Bytes(256, 1_024, 2, ResourcePlan.RowsPerBlock) : 0;

        Assert.Equal(full.WorkingBytes + 10_000 * 8L - screen, reduced.WorkingBytes);
    }

    [Fact]
    public void ATrainingDimensionAddsTheProjectedSample()
    {
        ResourcePlan full = ResourcePlan.Compute(rows: 10_000, k: 16, dimension: 1_024, sampleRate: 256, threads: 2, availableMemoryBytes: GiB);
        ResourcePlan reduced = ResourcePlan.Compute(rows: 10_000, k: 16, dimension: 1_024, sampleRate: 256, threads: 2, availableMemoryBytes: GiB,
            trainDimension: 128);

        Assert.Equal(4_096 * 1_152 * 4L, reduced.SampleBytes);
        Assert.Equal(full.SampleBytes * 9 / 8, reduced.SampleBytes);
        Assert.Equal(full.WorkingBytes + 4_096 * 8L, reduced.WorkingBytes);
    }
}
