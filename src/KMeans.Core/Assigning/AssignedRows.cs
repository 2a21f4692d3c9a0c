namespace KMeans.Core.Assigning;

/// <summary>
/// The assignments of a run of consecutive input rows, in row order: for each row its <see cref="Nearest"/> nearest
/// cluster ids, nearest first, and their distances. A null row, or one that cannot be assigned (its
/// <see cref="Problem"/> says why), has cluster id −1 and distance 0 in every slot.
/// </summary>
public sealed class AssignedRows
{
    private readonly KMeansException?[]? _problems;

    /// <param name="clusterIds">Row-major, −1 in every slot of a row that was not assigned.</param>
    /// <param name="problems">Per row, why it was not assigned, or null when every row was or the caller reports why.</param>
    public AssignedRows(long firstIndex, long firstSourceRow, int rowCount, int nearest, int[] clusterIds,
        float[] distances, KMeansException?[]? problems = null)
    {
        ArgumentNullException.ThrowIfNull(clusterIds);
        ArgumentNullException.ThrowIfNull(distances);
        if (clusterIds.Length < rowCount * nearest || distances.Length < rowCount * nearest)
            throw new ArgumentException($"{rowCount} rows of {nearest} need {rowCount * nearest} cluster ids and distances.");
        FirstIndex = firstIndex;
        FirstSourceRow = firstSourceRow;
        RowCount = rowCount;
        Nearest = nearest;
        ClusterIds = clusterIds;
        Distances = distances;
        _problems = problems;
    }

    /// <summary>The index of the first row counted across every input of the run.</summary>
    public long FirstIndex { get; }

    /// <summary>The first row's position in its own source.</summary>
    public long FirstSourceRow { get; }

    public int RowCount { get; }

    /// <summary>How many centroids each row has, nearest first.</summary>
    public int Nearest { get; }

    /// <summary><see cref="RowCount"/> × <see cref="Nearest"/> cluster ids, row-major.</summary>
    public ReadOnlyMemory<int> ClusterIds { get; }

    /// <summary>The distances matching <see cref="ClusterIds"/>, in the metric's own units (squared L2, 1 − cosine, −dot).</summary>
    public ReadOnlyMemory<float> Distances { get; }

    /// <summary>Why row <paramref name="row"/> was not assigned, or null when it was (or when it is a null row).</summary>
    public KMeansException? Problem(int row) => _problems?[row];
}
