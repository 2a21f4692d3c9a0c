using KMeans.Core.Files;
using KMeans.Core.Planning;
using KMeans.Core.Training;

namespace KMeans.PowerShell.Paths;

/// <summary>
/// Checks, before the worker starts and so before any progress is shown or anything is written, that the on-disk
/// sample can be written in the temporary directory: the plan Get-KMeansDiskEstimate reports.
/// </summary>
internal static class DiskSpace
{
    public static void EnsureSampleFits(KMeansOptions options, IVectorSource source) =>
        ResourcePlan.Compute(source.RowCount, options.K, source.Dimension, options.SampleRate, options.EffectiveParallelism,
            trainDimension: options.TrainDimension, balanced: options.BalancesPartitions,
            treeFanOut: options.UsesHierarchy ? options.HierarchicalK : null,
            rereadsInput: options.RereadsInputForFinalPass)
            .EnsureFitsOnDisk(options.EffectiveTempDirectory);
}
