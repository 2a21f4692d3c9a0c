using KMeans.Core.Sampling;
using KMeans.Core.Training;

namespace KMeans.Core.Calibration;

/// <summary>
/// Predicted training time for one shape, flat and as the tree that <see cref="HierarchicalMode.Auto"/> trains, from
/// a <see cref="CalibrationResult"/>. It is a model, not a promise: the totals assume every level runs all
/// MaxIterations (convergence usually stops earlier), the seeding is costed as the trainer does it (k-means‖ from
/// K = 64 on costs about 2.5 iterations' worth of assignment, plus greedy k-means++ over its ~2.5·K candidates), and
/// rows kept by <see cref="KMeansOptions.SkipByBounds"/> on clustered data make real iterations faster. Sampling the
/// input, and reading an on-disk sample slower than memory, are not included.
/// </summary>
/// <param name="FlatIteration">One flat Lloyd iteration over the whole sample: update plus assignment to K centroids.</param>
/// <param name="FlatTraining">A flat run: seeding, the first assignment, then <see cref="MaxIterations"/> iterations.</param>
/// <param name="HierarchicalIteration">One iteration at every level of the tree (each level costs about one flat
/// iteration over all rows with one node's centroids, often HierarchicalK), or null when Auto trains this K flat.</param>
/// <param name="HierarchicalTraining">The whole tree, every node running <see cref="MaxIterations"/> iterations, plus
/// any refine passes; null when Auto trains this K flat.</param>
/// <param name="Balancing">Balancing after the training, included in both totals; null when the run does not balance.</param>
/// <param name="MaxIterations">The iteration count the totals are for.</param>
/// <param name="Threads">Threads of the planned run.</param>
/// <param name="Calibration">The measured rates the times come from.</param>
public sealed record TrainingTimeEstimate(
    TimeSpan FlatIteration,
    TimeSpan FlatTraining,
    TimeSpan? HierarchicalIteration,
    TimeSpan? HierarchicalTraining,
    TimeSpan? Balancing,
    int MaxIterations,
    int Threads,
    CalibrationResult Calibration)
{
    /// <summary>
    /// Predicts a run over <paramref name="sampleRows"/> sample rows of <paramref name="dimension"/> values with
    /// <paramref name="k"/> centroids, on <paramref name="threads"/> threads (null: the calibrated count; other counts
    /// scale the rates linearly). <paramref name="refineIterations"/> global passes after the tree each cost one flat
    /// iteration. With <paramref name="trainDimension"/> the iterations and the seeding run in that dimension, and the
    /// totals add the final pass in the full one: every row labelled in the training dimension (among all K centroids,
    /// or after a tree among its node's), then its full row summed into its cluster and its loss taken. With
    /// <paramref name="balanced"/> the totals add balancing (<see cref="TrainingCostModel.Balancing"/>; in the training
    /// dimension and then in the full one when that is reduced). With <paramref name="readsInput"/> the final pass reads
    /// the rows again from the input (<see cref="Training.KMeansOptions.RereadsInputForFinalPass"/>) and sums them on
    /// one thread.
    /// </summary>
    public static TrainingTimeEstimate Predict(CalibrationResult calibration, long sampleRows, int k, int dimension,
        int hierarchicalK, int maxIterations, int? threads = null, int refineIterations = 0, int? trainDimension = null,
        bool balanced = false, bool readsInput = false)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hierarchicalK, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(refineIterations);
        int runThreads = threads ?? calibration.Threads;
        ArgumentOutOfRangeException.ThrowIfLessThan(runThreads, 1, nameof(threads));
        if (sampleRows < k)
            throw new KMeansException(KMeansErrorKind.NotEnoughRows,
                $"K is {k}, but the training sample would hold only {sampleRows} rows: K cannot exceed the number of rows.",
                k);

        if (trainDimension is int reduced)
            RandomizedHadamardProjection.Validate(dimension, reduced);
        var model = new TrainingCostModel(calibration, trainDimension ?? dimension, hierarchicalK, maxIterations);
        double FinalPass(bool tree) =>
            trainDimension is null ? 0 : model.FullDimensionPass(sampleRows, k, runThreads, dimension, tree, readsInput);
        // A reduced-dimension run balances in the training dimension (moving the centroids cheaply), then again in the
        // full one, whose prices assignment applies.
        double balancing = !balanced ? 0 : model.Balancing(sampleRows, k, runThreads) + (trainDimension is null ? 0
            : new TrainingCostModel(calibration, dimension, hierarchicalK, maxIterations).Balancing(sampleRows, k, runThreads));
        TrainingCostModel.Cost flat = model.Flat(sampleRows, k, runThreads);
        TimeSpan? treeIteration = null;
        TimeSpan? treeTraining = null;
        if (model.UsesTree(k))
        {
            TrainingCostModel.Cost tree = model.Tree(sampleRows, k, runThreads);
            double refine = refineIterations == 0 ? 0 : model.Refine(sampleRows, k, runThreads, refineIterations);
            treeIteration = Duration(tree.IterationSeconds);
            // A refined or balanced tree's partition is no longer its leaves: its final pass assigns to all K, as a flat
            // run's does.
            treeTraining = Duration(tree.TotalSeconds + refine + FinalPass(tree: refineIterations == 0 && !balanced) + balancing);
        }
        return new TrainingTimeEstimate(Duration(flat.IterationSeconds),
            Duration(flat.TotalSeconds + FinalPass(tree: false) + balancing), treeIteration, treeTraining,
            balanced ? Duration(balancing) : null, maxIterations, runThreads, calibration);
    }

    /// <summary>A predicted time as a TimeSpan, whose range ends at about 29,000 years.</summary>
    private static TimeSpan Duration(double seconds) => seconds < TimeSpan.MaxValue.TotalSeconds
        ? TimeSpan.FromSeconds(seconds)
        : throw new KMeansException(KMeansErrorKind.InvalidOption,
            new OptionMessage($"The predicted training time, {seconds:E2} seconds, is more than the " +
                $"{TimeSpan.MaxValue.TotalDays / 365.25:N0} years a time span can hold: lower {{0}}, K or {{1}}.",
                KMeansOption.MaxIterations, KMeansOption.SampleRate),
            seconds);
}
