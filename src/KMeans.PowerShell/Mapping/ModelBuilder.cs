using KMeans.Core.Training.Balancing;
using KMeans.Core.Training;

namespace KMeans.PowerShell.Mapping;

/// <summary>Copies an engine result into the public types PowerShell users see.</summary>
internal static class ModelBuilder
{
    public static KMeansCentroid[] Centroids(KMeansResult result)
    {
        var centroids = new KMeansCentroid[result.K];
        for (int c = 0; c < result.K; c++)
            centroids[c] = new KMeansCentroid(c, result.ClusterSizes[c], result.Centroid(c), result.Distance.ToPublic(),
                result.PartitionPrices?[c]);
        return centroids;
    }

    /// <param name="result">The engine's result.</param>
    /// <param name="input">The files read, or a description of the pipeline input.</param>
    /// <param name="moduleVersion">The version of the module that trained.</param>
    public static KMeansModel Model(KMeansResult result, IReadOnlyList<string>? input = null, string? moduleVersion = null) =>
        new(Centroids(result), result.Distance.ToPublic())
    {
        Loss = result.Loss,
        Iterations = result.Iterations,
        Converged = result.Converged,
        OnDisk = result.OnDisk,
        RowsRead = result.Sampling?.RowsRead ?? result.SampleRows,
        SampleRows = result.SampleRows,
        SkippedRows = (result.Sampling?.NullRowsSkipped ?? 0) + (result.Sampling?.NonFiniteRowsSkipped ?? 0),
        Seed = result.Seed,
        DurationSeconds = result.Duration.TotalSeconds,
        History = result.History.Select(i => new KMeansIteration(i.Redo, i.Iteration, i.Loss, i.RelativeChange,
            i.RepairedClusters, i.Reassigned, i.ImbalanceFactor, i.Elapsed.TotalSeconds)).ToArray(),
        Tolerance = result.Options?.Tolerance ?? 0,
        MaxIterations = result.Options?.MaxIterations ?? result.Iterations,
        SampleRate = result.Options?.SampleRate ?? 0,
        Redos = result.Options?.Redos ?? 1,
        Initialization = result.Options is null ? null
            : result.Options.InitialCentroids is null ? result.Options.EffectiveInit.ToString() : "InitialCentroid",
        TrainDimension = result.TrainDimension,
        TrainDimensionLoss = result.TrainDimensionLoss,
        Input = input?.ToArray() ?? [],
        ModuleVersion = moduleVersion,
        Levels = result.Levels.Select(l => new KMeansLevel(l.Level, l.Nodes, l.Centroids, l.Rows, l.MaxIterations,
            l.ConvergedNodes, l.Loss)).ToArray(),
        PartitionSizes = Sizes(result.PartitionSizes),
        PricedPartitionSizes = result.PricedPartitionSizes is { } priced ? Sizes(priced) : null,
        MinPartitionSize = result.MinPartitionSizeBound,
        MaxPartitionSize = result.MaxPartitionSizeBound,
        BalanceHistory = result.BalanceHistory.Select(pass => new KMeansBalancePass(pass.Pass, pass.Loss, pass.Displaced,
            pass.Reassigned, Sizes(pass.Sizes), pass.Elapsed.TotalSeconds)).ToArray(),
    };

    private static KMeansPartitionSizes Sizes(PartitionSizeStatistics sizes) => new(sizes.Min, sizes.Max, sizes.Mean,
        sizes.MaxOverMean, sizes.MinOverMean, sizes.CoefficientOfVariation);
}
