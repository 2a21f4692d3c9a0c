using System.Globalization;

namespace KMeans.PowerShell;

/// <summary>Statistics of one Lloyd iteration of a training run, as recorded in <see cref="KMeansModel.History"/>.</summary>
public sealed class KMeansIteration
{
    public KMeansIteration(int redo, int iteration, double loss, double relativeChange, int repairedClusters,
        long reassigned, double imbalanceFactor, double elapsedSeconds)
    {
        Redo = redo;
        Iteration = iteration;
        Loss = loss;
        RelativeChange = relativeChange;
        RepairedClusters = repairedClusters;
        Reassigned = reassigned;
        ImbalanceFactor = imbalanceFactor;
        ElapsedSeconds = elapsedSeconds;
    }

    /// <summary>Which run (0-based) of -Redos the iteration belongs to.</summary>
    public int Redo { get; }

    public int Iteration { get; }

    public double Loss { get; }

    /// <summary>|previous loss − loss| / |loss|, compared with -Tolerance.</summary>
    public double RelativeChange { get; }

    /// <summary>Empty clusters re-seeded in this iteration.</summary>
    public int RepairedClusters { get; }

    /// <summary>Sample rows whose centroid changed.</summary>
    public long Reassigned { get; }

    /// <summary>K·Σ size² / n²: 1 when every cluster has the same size.</summary>
    public double ImbalanceFactor { get; }

    /// <summary>Wall-clock seconds of the iteration: a number, so ConvertTo-Json and Measure-Object take it as it is.</summary>
    public double ElapsedSeconds { get; }

    /// <summary>How an iteration reads inside another object's view, such as a model's History in Format-List.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Iteration {Iteration}: loss {Loss:G6}");
}
