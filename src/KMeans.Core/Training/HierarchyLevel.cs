namespace KMeans.Core.Training;

/// <summary>
/// The nodes a hierarchical training trained at one depth of the tree (level 1 is the root, which splits the sample
/// into <see cref="KMeansOptions.HierarchicalK"/> clusters).
/// </summary>
/// <param name="Level">Depth in the tree, 1 for the root.</param>
/// <param name="Nodes">Nodes trained at this depth.</param>
/// <param name="Centroids">Centroids those nodes trained: the fan-out of inner nodes, the final centroids of leaves.</param>
/// <param name="Rows">Sample rows those nodes were trained on.</param>
/// <param name="MaxIterations">The most Lloyd iterations any node at this depth ran.</param>
/// <param name="ConvergedNodes">Nodes whose loss stopped changing before the iteration limit.</param>
/// <param name="Loss">Sum of the nodes' losses over their own rows.</param>
public sealed record HierarchyLevel(int Level, int Nodes, long Centroids, long Rows, int MaxIterations, int ConvergedNodes,
    double Loss)
{
    /// <summary>
    /// Passes over the parents' rows that gathered this level's nodes into their own buffers, summed over the parents
    /// (0 for the root, which trains on the sample itself).
    /// </summary>
    internal int GatheringPasses { get; init; }

    /// <summary>The level a single trained node contributes.</summary>
    internal static HierarchyLevel Node(int level, KMeansResult result, long rows) =>
        new(level, 1, result.K, rows, result.Iterations, result.Converged ? 1 : 0, result.Loss);

    /// <summary>Adds up, level by level, the levels of sibling subtrees (in node order, so the sums are reproducible).</summary>
    internal static IReadOnlyList<HierarchyLevel> Combine(IEnumerable<IReadOnlyList<HierarchyLevel>> subtrees)
    {
        var byLevel = new SortedDictionary<int, HierarchyLevel>();
        foreach (IReadOnlyList<HierarchyLevel> subtree in subtrees)
        {
            foreach (HierarchyLevel level in subtree)
            {
                byLevel[level.Level] = byLevel.TryGetValue(level.Level, out HierarchyLevel? sum)
                    ? new HierarchyLevel(level.Level, sum.Nodes + level.Nodes, sum.Centroids + level.Centroids,
                        sum.Rows + level.Rows, Math.Max(sum.MaxIterations, level.MaxIterations),
                        sum.ConvergedNodes + level.ConvergedNodes, sum.Loss + level.Loss)
                    {
                        GatheringPasses = sum.GatheringPasses + level.GatheringPasses,
                    }
                    : level;
            }
        }
        return [.. byLevel.Values];
    }
}
