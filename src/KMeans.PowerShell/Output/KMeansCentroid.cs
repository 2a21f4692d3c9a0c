namespace KMeans.PowerShell;

/// <summary>One trained centroid: its cluster id, how many sample rows it holds and its vector.</summary>
public sealed class KMeansCentroid
{
    public KMeansCentroid(int clusterId, long size, float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        ClusterId = clusterId;
        Size = size;
        Vector = vector;
    }

    public int ClusterId { get; }

    /// <summary>Sample rows assigned to this centroid by the final assignment of the training run.</summary>
    public long Size { get; }

    public int Dimension => Vector.Length;

    public float[] Vector { get; }

    public override string ToString() => $"Centroid {ClusterId} ({Size} rows, {VectorText.Shorten(Vector)})";
}
