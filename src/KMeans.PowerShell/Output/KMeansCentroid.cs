namespace KMeans.PowerShell;

/// <summary>
/// One trained centroid: its cluster id, how many sample rows it holds, its vector and the metric it was trained with,
/// so that Import-KMeansCentroid | Export-KMeansCentroid keeps the metric; and, from a balanced training, its partition
/// price.
/// </summary>
public sealed class KMeansCentroid
{
    public KMeansCentroid(int clusterId, long? size, float[] vector, KMeansDistance? distance = null, float? price = null)
        : this(clusterId, size, (ReadOnlySpan<float>)(vector ?? throw new ArgumentNullException(nameof(vector))), distance, price)
    {
    }

    /// <summary>The module's own: copies the values once, from a model's or a file's centroids.</summary>
    internal KMeansCentroid(int clusterId, long? size, ReadOnlySpan<float> vector, KMeansDistance? distance, float? price)
    {
        ClusterId = clusterId;
        Size = size;
        _vector = vector.ToArray();
        Distance = distance;
        Price = price;
    }

    public int ClusterId { get; }

    /// <summary>
    /// Sample rows assigned to this centroid by the final assignment of the training run; null when its file did not
    /// record sizes (.npy, a CSV or JSON file without them), which is not an empty partition.
    /// </summary>
    public long? Size { get; }

    public int Dimension => _vector.Length;

    private readonly float[] _vector;

    /// <summary>
    /// A copy of the centroid's values (the constructor keeps a copy too): changing it in place (a script that
    /// normalises what it reads) must not change the model that a later export or assignment uses.
    /// </summary>
    public float[] Vector => (float[])_vector.Clone();

    /// <summary>The centroid's values themselves, for the module's own reads.</summary>
    internal ReadOnlySpan<float> Values => _vector;

    /// <summary>The metric the centroid was trained with; null when its file did not record it (.npy, CSV).</summary>
    public KMeansDistance? Distance { get; }

    /// <summary>
    /// The partition price a balanced training (-MaxSizeRatio/-MinSizeRatio) learned, in the metric's distance units:
    /// Get-KMeansAssignment sends each row to the centroid of least distance + price, so that all rows, not only the
    /// sample, get balanced partitions. Null without balancing, and from files that do not record prices (.npy, CSV).
    /// </summary>
    public float? Price { get; }

    public override string ToString() =>
        $"Centroid {ClusterId} ({(Size is long size ? $"{size} rows" : "size unknown")}, {VectorText.Shorten(_vector)})";
}
