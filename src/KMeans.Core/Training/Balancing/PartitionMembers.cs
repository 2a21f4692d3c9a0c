namespace KMeans.Core.Training.Balancing;

/// <summary>
/// The sample's rows grouped by partition, ascending within each, regrouped after every assignment of the price steps:
/// a step reads the rows of the partitions above the maximum and of those whose price rose, on a skewed sample often a
/// third of the rows or less, and grouping them once costs less than the three scans of every row it replaces.
/// </summary>
internal sealed class PartitionMembers(int rows, int k)
{
    private readonly int[] _start = new int[k + 1];
    private readonly int[] _rows = new int[rows];

    /// <summary>The rows of <paramref name="partition"/>, ascending.</summary>
    public ReadOnlySpan<int> Of(int partition) => _rows.AsSpan(_start[partition], _start[partition + 1] - _start[partition]);

    /// <summary>Groups the rows by <paramref name="labels"/> (a stable counting sort) and returns the partitions' sizes.</summary>
    public long[] Group(int[] labels)
    {
        var sizes = new long[k];
        foreach (int label in labels)
            sizes[label]++;
        _start[0] = 0;
        for (int c = 0; c < k; c++)
            _start[c + 1] = _start[c] + (int)sizes[c];
        var next = _start[..k];
        for (int row = 0; row < labels.Length; row++)
            _rows[next[labels[row]]++] = row;
        return sizes;
    }
}
