using KMeans.Core.Training;

namespace KMeans.Core.Calibration;

/// <summary>
/// Seconds of work of a training run, from calibrated rates, following the trainer's structure step by step: the
/// assignment (2·n·K·d flops, K rounded up to whole kernel groups), the update (n·d values), and the seeding that
/// <see cref="KMeansOptions.EffectiveInit"/> picks. Work on t threads takes t / calibrated-threads times as long as
/// on the calibrated threads (linear scaling). Tree nodes are assumed equally large, as the trainer's
/// largest-remainder shares of K then are; each is trained on one thread, and nodes are handed to the first free
/// thread in order, as Parallel.For does.
/// </summary>
internal sealed class TrainingCostModel(CalibrationResult calibration, int dimension, int hierarchicalK, int maxIterations)
{
    private readonly Dictionary<(long Rows, int K, int Threads), Cost> _trees = [];

    /// <summary>One iteration (update and assignment) and the whole run (seeding, first assignment, iterations).</summary>
    public readonly record struct Cost(double IterationSeconds, double TotalSeconds);

    /// <summary>Greedy k-means++ for <paramref name="k"/> centroids computes this many distances per row (one for the
    /// first centroid, then per centroid one to each of its candidates and one to update D²).</summary>
    public static int SeedingPasses(int k) => 1 + (k - 1) * (KMeansPlusPlusInitializer.Trials(k) + 1);

    public Cost Flat(long rows, int k, int threads)
    {
        double speed = (double)threads / calibration.Threads;
        double assignment = AssignmentSeconds(rows, k) / speed;
        double iteration = assignment + UpdateSeconds(rows) / speed;
        return new Cost(iteration, SeedingSeconds(rows, k) / speed + assignment + maxIterations * iteration);
    }

    /// <summary>Global passes from given centroids: no seeding, a first assignment, then the iterations.</summary>
    public double Refine(long rows, int k, int threads, int passes)
    {
        Cost flat = Flat(rows, k, threads);
        double assignment = AssignmentSeconds(rows, k) * calibration.Threads / threads;
        return assignment + passes * flat.IterationSeconds;
    }

    /// <summary>
    /// The final pass of a training in a reduced dimension (this model's dimension): every row assigned to the
    /// <paramref name="k"/> trained centroids, or after a tree (<paramref name="tree"/>) to its top-level node and then
    /// among the node's share of them, then its <paramref name="fullDimension"/> values summed into its cluster with
    /// their spread (two adds per value). Kept rows are summed on every thread; rows read again from the input
    /// (<paramref name="readsInput"/>) on one, as they arrive (reading them is not timed, as sampling is not).
    /// </summary>
    public double FullDimensionPass(long rows, int k, int threads, int fullDimension, bool tree, bool readsInput)
    {
        double labels = tree
            ? AssignmentSeconds(rows, hierarchicalK) + AssignmentSeconds(rows, (k + hierarchicalK - 1) / hierarchicalK)
            : AssignmentSeconds(rows, k);
        double sums = 2.0 * rows * fullDimension / calibration.UpdateValuesPerSecond * calibration.Threads;
        return labels * calibration.Threads / threads + (readsInput ? sums : sums / threads);
    }

    /// <summary>
    /// Balancing after the training (MaxSizeRatio, MinSizeRatio), in this model's dimension: the cache's first
    /// candidates among all <paramref name="k"/> centroids, found by the lists kernel for at most
    /// <see cref="Planning.BalancingMemory.CacheCapacity"/> rows (about <see cref="ListsRate"/> of the assignment
    /// kernel's rate); one whole assignment of the sample under the prices by the two-nearest kernel (about the
    /// assignment kernel's rate); and a pass over the sample for the loss. The later split rounds, the constrained
    /// passes and the price steps and searches are left out: in the bench's production run (4,194,304 × 128,
    /// K = 16,384, MaxSizeRatio 2) they were 4.4 of 56.5 s, the first refresh 15.2 s and the assignment 37.4 s; on small
    /// samples the steps and fixed costs weigh more (the skewed mixture, 65,536 × 128, K = 256, MaxSizeRatio 1.2: about
    /// 0.25 s against 0.02 s modelled).
    /// </summary>
    public double Balancing(long rows, int k, int threads)
    {
        long cached = Math.Min(rows, Planning.BalancingMemory.CacheCapacity(Math.Min(k, Planning.BalancingMemory.Candidates)));
        return (AssignmentSeconds(cached, k) / ListsRate + AssignmentSeconds(rows, k) + UpdateSeconds(rows))
            * calibration.Threads / threads;
    }

    /// <summary>
    /// The lists kernel's rate (8 nearest per row) as a share of the assignment kernel's, at large K: 1.2 M rows against
    /// 16,384 centroids in 128 dimensions took 15.2 s in the production run, 330 GFLOP/s where its assignment ran
    /// at 470.
    /// </summary>
    private const double ListsRate = 0.7;

    /// <summary>The flat top level, then every node's subtree (or flat run) on one thread each.</summary>
    public Cost Tree(long rows, int k, int threads)
    {
        if (_trees.TryGetValue((rows, k, threads), out Cost known))
            return known;
        Cost top = Flat(rows, hierarchicalK, threads);
        var sizes = new long[hierarchicalK];
        for (int node = 0; node < hierarchicalK; node++)
            sizes[node] = rows / hierarchicalK + (node < rows % hierarchicalK ? 1 : 0);
        int[] shares = ProportionalAllocation.Allocate(sizes, k);
        var nodes = new List<Cost>();
        for (int node = 0; node < hierarchicalK; node++)
        {
            if (shares[node] == 0)
                continue;
            Cost cost = UsesTree(shares[node]) ? Tree(sizes[node], shares[node], 1) : Flat(sizes[node], shares[node], 1);
            double gather = UpdateSeconds(sizes[node]) * calibration.Threads;
            nodes.Add(cost with { TotalSeconds = cost.TotalSeconds + gather });
        }
        var tree = new Cost(
            top.IterationSeconds + Makespan(nodes.Select(n => n.IterationSeconds), threads),
            top.TotalSeconds + Makespan(nodes.Select(n => n.TotalSeconds), threads));
        _trees[(rows, k, threads)] = tree;
        return tree;
    }

    /// <summary>Whether <see cref="KMeansOptions.Hierarchical"/> Auto trains this K as a tree.</summary>
    public bool UsesTree(int k) => new KMeansOptions { K = k, HierarchicalK = hierarchicalK }.UsesHierarchy;

    private double AssignmentSeconds(long rows, int centroids)
    {
        int group = calibration.CentroidGroup;
        long scored = (centroids + group - 1L) / group * group;
        return 2.0 * rows * scored * dimension / (calibration.KernelGflops * 1e9);
    }

    private double UpdateSeconds(long rows) => (double)rows * dimension / calibration.UpdateValuesPerSecond;

    private double GreedySeedingSeconds(long rows, int k) =>
        (double)SeedingPasses(k) * rows * dimension / calibration.SeedingValuesPerSecond;

    /// <summary>
    /// k-means‖ from K = <see cref="KMeansOptions.ParallelInitThreshold"/> on: a norms pass, an assignment to the first
    /// row, then per round an assignment to its ~K/2 new candidates (about 2.5 iterations' worth of assignment in
    /// all), and greedy k-means++ over the ~2.5·K candidates. Below it, greedy k-means++ over the whole sample.
    /// </summary>
    private double SeedingSeconds(long rows, int k)
    {
        if (new KMeansOptions { K = k }.EffectiveInit != InitMethod.KMeansParallel)
            return GreedySeedingSeconds(rows, k);
        int perRound = Math.Max(1, k / 2);
        long candidates = Math.Min(rows, 1 + (long)KMeansParallelInitializer.Rounds * perRound);
        double rounds = (double)rows * dimension / calibration.SeedingValuesPerSecond
            + AssignmentSeconds(rows, 1)
            + KMeansParallelInitializer.Rounds * AssignmentSeconds(rows, perRound);
        return rounds + GreedySeedingSeconds(candidates <= k ? rows : candidates, k);
    }

    /// <summary>When the last of <paramref name="jobs"/> ends if each, in order, goes to the first free of
    /// <paramref name="threads"/> threads.</summary>
    private static double Makespan(IEnumerable<double> jobs, int threads)
    {
        var busyUntil = new double[threads];
        foreach (double job in jobs)
        {
            int free = Array.IndexOf(busyUntil, busyUntil.Min());
            busyUntil[free] += job;
        }
        return busyUntil.Max();
    }
}
