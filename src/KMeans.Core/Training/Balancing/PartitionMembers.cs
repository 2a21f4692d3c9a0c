using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KMeans.Core.Training.Balancing;

/// <summary>
/// The sample's rows grouped by partition, ascending within each: a price step reads the rows of the partitions above
/// the maximum and of those whose price rose, on a skewed sample often a third of the rows or less, where three scans
/// of every row had cost more. Grouped once after a whole assignment, then kept by moving the few rows a step
/// re-assigns, each to its place in order, so the groups read the same as grouping again would.
/// </summary>
internal sealed class PartitionMembers(int k)
{
    private readonly List<int>[] _rows = Enumerable.Range(0, k).Select(_ => new List<int>()).ToArray();

    /// <summary>The rows of <paramref name="partition"/>, ascending.</summary>
    public ReadOnlySpan<int> Of(int partition) => CollectionsMarshal.AsSpan(_rows[partition]);

    /// <summary>Each partition's size.</summary>
    public long[] Sizes() => _rows.Select(rows => (long)rows.Count).ToArray();

    /// <summary>Groups the rows by <paramref name="labels"/>.</summary>
    // Fully optimized from the first call, as every pass of balancing marked so (per-block bodies too): each runs a few
    // times per training, too few for the tiered JIT to promote it in time (see PartitionBalancer's remarks).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Group(int[] labels)
    {
        foreach (List<int> rows in _rows)
            rows.Clear();
        for (int row = 0; row < labels.Length; row++)
            _rows[labels[row]].Add(row);
    }

    /// <summary>Moves <paramref name="row"/> from partition <paramref name="from"/> to its place in <paramref name="to"/>.</summary>
    public void Move(int row, int from, int to)
    {
        List<int> source = _rows[from];
        source.RemoveAt(source.BinarySearch(row));
        List<int> target = _rows[to];
        target.Insert(~target.BinarySearch(row), row);
    }
}
