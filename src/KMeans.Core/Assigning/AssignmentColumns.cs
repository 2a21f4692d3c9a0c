namespace KMeans.Core.Assigning;

/// <summary>The assigned rows of a chunk as flat columns, one entry per (row, rank), unassigned rows left out.</summary>
internal sealed class AssignmentColumns
{
    private AssignmentColumns(int count)
    {
        Count = count;
        RowIndices = new ulong[count];
        Ranks = new int[count];
        ClusterIds = new int[count];
        Distances = new float[count];
    }

    public int Count { get; }

    public ulong[] RowIndices { get; }

    public int[] Ranks { get; }

    public int[] ClusterIds { get; }

    public float[] Distances { get; }

    public static AssignmentColumns Of(AssignedRows chunk)
    {
        int n = chunk.Nearest;
        ReadOnlySpan<int> ids = chunk.ClusterIds.Span;
        ReadOnlySpan<float> distances = chunk.Distances.Span;
        int assigned = 0;
        for (int i = 0; i < chunk.RowCount; i++)
            assigned += ids[i * n] >= 0 ? 1 : 0;
        var columns = new AssignmentColumns(assigned * n);
        int entry = 0;
        for (int i = 0; i < chunk.RowCount; i++)
        {
            if (ids[i * n] < 0)
                continue;
            for (int r = 0; r < n; r++, entry++)
            {
                columns.RowIndices[entry] = (ulong)(chunk.FirstIndex + i);
                columns.Ranks[entry] = r;
                columns.ClusterIds[entry] = ids[i * n + r];
                columns.Distances[entry] = distances[i * n + r];
            }
        }
        return columns;
    }
}
