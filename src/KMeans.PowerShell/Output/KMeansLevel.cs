using System.Globalization;

namespace KMeans.PowerShell;

/// <summary>The nodes a hierarchical training trained at one depth of its tree, as recorded in <see cref="KMeansModel.Levels"/>.</summary>
public sealed class KMeansLevel
{
    public KMeansLevel(int level, int nodes, long centroids, long rows, int maxIterations, int convergedNodes, double loss)
    {
        Level = level;
        Nodes = nodes;
        Centroids = centroids;
        Rows = rows;
        MaxIterations = maxIterations;
        ConvergedNodes = convergedNodes;
        Loss = loss;
    }

    /// <summary>Depth in the tree: 1 for the root, which splits the sample into -HierarchicalK clusters.</summary>
    public int Level { get; }

    public int Nodes { get; }

    /// <summary>Centroids trained at this depth: the fan-out of inner nodes, the final centroids of leaves.</summary>
    public long Centroids { get; }

    /// <summary>Sample rows the nodes at this depth were trained on.</summary>
    public long Rows { get; }

    /// <summary>The most Lloyd iterations a node at this depth ran.</summary>
    public int MaxIterations { get; }

    public int ConvergedNodes { get; }

    /// <summary>Sum of the nodes' losses, each over its own rows.</summary>
    public double Loss { get; }

    /// <summary>How a model's list view shows its levels.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Level {Level}: {Nodes:N0} nodes, {Centroids:N0} centroids, loss {Loss:G6}");
}
