using System.Globalization;
using KMeans.Core.Reporting;
using KMeans.Core.Training;

namespace KMeans.PowerShell.Mapping;

/// <summary>Maps a <see cref="KMeansModel"/> to the engine's report input; the engine renders the HTML.</summary>
internal static class TrainingReports
{
    public static TrainingReport FromModel(KMeansModel model, DateTimeOffset created)
    {
        var settings = new List<KeyValuePair<string, string>>();
        if (model.Initialization is { } initialization)
            settings.Add(new("Initialization", initialization));
        if (model.SampleRate > 0)
            settings.Add(new("Sample rate", model.SampleRate.ToString(CultureInfo.InvariantCulture) + " rows per centroid"));
        settings.Add(new("Redos", model.Redos.ToString(CultureInfo.InvariantCulture)));
        if (model.TrainDimension is int trainDimension)
        {
            settings.Add(new("Training dimension", string.Create(CultureInfo.InvariantCulture,
                $"{trainDimension} (rows projected; loss there {model.TrainDimensionLoss:G6}, centroids the means of their rows in {model.Dimension})")));
        }
        return new TrainingReport
        {
            K = model.K,
            Dimension = model.Dimension,
            Distance = model.Distance.ToString(),
            Loss = model.Loss,
            Iterations = model.Iterations,
            Converged = model.Converged,
            Inputs = model.Input,
            RowsRead = model.RowsRead,
            SampleRows = model.SampleRows,
            SkippedRows = model.SkippedRows,
            OnDisk = model.OnDisk,
            Seed = model.Seed,
            Tolerance = model.Tolerance,
            MaxIterations = model.MaxIterations,
            SoftwareVersion = model.ModuleVersion,
            Duration = TimeSpan.FromSeconds(model.DurationSeconds),
            Settings = settings,
            History = [.. model.History.Select(i => new ReportIteration(i.Iteration, i.Loss, i.RelativeChange,
                i.RepairedClusters, i.Reassigned, i.ImbalanceFactor, TimeSpan.FromSeconds(i.ElapsedSeconds)))],
            // Export-KMeansReport refuses a model whose centroids do not record their sizes.
            ClusterSizes = [.. model.Centroids.Select(c => c.Size!.Value)],
            MinClusterSize = model.MinPartitionSize,
            MaxClusterSize = model.MaxPartitionSize,
            DisplacedRows = model.BalanceHistory.Length == 0 ? null : model.BalanceHistory[^1].Displaced,
            PricedSizes = model.PricedPartitionSizes is { } priced ? (priced.Min, priced.Max) : null,
            Levels = [.. model.Levels.Select(l => new HierarchyLevel(l.Level, l.Nodes, l.Centroids, l.Rows, l.MaxIterations,
                l.ConvergedNodes, l.Loss))],
            Created = created,
        };
    }
}
