using KMeans.Core.Buffers;
using KMeans.Core.Planning;
using KMeans.Core.Training;

namespace KMeans.Core.Sampling;

/// <summary>
/// The buffer a sample is written into, created only after <see cref="ResourcePlan"/> has said that it fits the
/// chosen storage (memory, or the temporary directory with -OnDisk), so that nothing is written for a run that cannot
/// start.
/// </summary>
internal static class SampleBuffer
{
    /// <summary>
    /// A sample of more rows than one array can index, which training cannot label: refused before sampling where the
    /// capacity shows it (a sample that reads its input again indexes its rows' origins so), else after.
    /// </summary>
    public static KMeansException TooManyRows(long rows) =>
        new(KMeansErrorKind.InvalidOption,
            new OptionMessage($"A sample of {rows} rows is more than the {Array.MaxLength} supported. Lower {{0}}.",
                KMeansOption.SampleRate),
            rows);

    /// <param name="rows">The input's row count; null when unknown, which plans the full SampleRate × K rows.</param>
    /// <param name="rereadsInput">The sample keeps only the rows projected to <paramref name="trainDimension"/>, and the
    /// buffer has that dimension (<see cref="KMeansOptions.RereadsInputForFinalPass"/>).</param>
    public static TrainingBuffer Create(long? rows, KMeansOptions options, int dimension, int? trainDimension, bool rereadsInput)
    {
        ResourcePlan plan = ResourcePlan.Compute(rows, options.K, dimension, options.SampleRate, options.EffectiveParallelism,
            trainDimension: trainDimension, balanced: options.BalancesPartitions,
            treeFanOut: options.UsesHierarchy ? options.HierarchicalK : null, rereadsInput: rereadsInput);
        if (options.OnDisk)
            plan.EnsureFitsOnDisk(options.EffectiveTempDirectory);
        else
            plan.EnsureFitsInMemory();
        return TrainingBuffer.Create(options.OnDisk, plan.SampleRows, rereadsInput ? trainDimension!.Value : dimension,
            options.EffectiveTempDirectory);
    }
}
