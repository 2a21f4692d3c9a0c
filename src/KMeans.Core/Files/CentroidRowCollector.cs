namespace KMeans.Core.Files;

/// <summary>
/// Gathers centroid rows as a reader meets them and puts them in cluster order: files written by other tools may list
/// clusters in any order, but every id from 0 to K − 1 must appear exactly once. Either every row has an id or none
/// has, in which case the row order is the cluster order; likewise a size, and a partition price (a balanced model's),
/// on every row or on none.
/// </summary>
internal sealed class CentroidRowCollector
{
    private readonly string _path;
    private readonly Func<int, string> _describeRow;
    private readonly List<float> _values = [];
    private readonly List<long> _sizes = [];
    private readonly List<int> _clusterIds = [];
    private readonly List<float> _prices = [];
    private int _dimension = -1;
    private int _count;

    /// <param name="path">The file being read, for messages.</param>
    /// <param name="describeRow">Names a row the way the user finds it in the file, e.g. "row 3 (line 5)".</param>
    public CentroidRowCollector(string path, Func<int, string> describeRow)
    {
        _path = path;
        _describeRow = describeRow;
    }

    public int Count => _count;

    public void Add(int? clusterId, long? size, ReadOnlySpan<float> values, float? price = null)
    {
        int row = Count;
        if (_dimension < 0)
            _dimension = values.Length;
        else if (values.Length != _dimension)
            throw Invalid($"{_describeRow(row)} has {values.Length} values, but {_describeRow(0)} has {_dimension}: all centroids must have the same dimension.");
        if (values.Length == 0)
            throw Invalid($"{_describeRow(row)} has no values: a centroid needs at least one.");
        if (size < 0)
            throw Invalid($"{_describeRow(row)} has size {size}; sizes count rows and cannot be negative.");
        if (row > 0 && (size is null) != (_sizes.Count == 0))
            throw Invalid($"{_describeRow(row)} {(size is null ? "has no size, but earlier rows have one" : "has a size, but earlier rows have none")}.");
        if (row > 0 && (clusterId is null) != (_clusterIds.Count == 0))
            throw Invalid($"{_describeRow(row)} {(clusterId is null ? "has no cluster id, but earlier rows have one" : "has a cluster id, but earlier rows have none")}.");
        if (row > 0 && (price is null) != (_prices.Count == 0))
            throw Invalid($"{_describeRow(row)} {(price is null ? "has no price, but earlier rows have one" : "has a price, but earlier rows have none")}.");
        if (price is float candidate && !float.IsFinite(candidate))
            throw Invalid($"{_describeRow(row)} has price {InvariantText.Format(candidate)}; prices must be finite.");
        if (clusterId is int id)
            _clusterIds.Add(id);
        if (price is float given)
            _prices.Add(given);
        if (size is long count)
            _sizes.Add(count);
        _values.AddRange(values);
        _count++;
    }

    /// <summary>
    /// Values, sizes and prices (both null when the rows have none) in cluster order; throws when there are no rows or
    /// the ids are not 0 … K − 1.
    /// </summary>
    public (int K, int Dimension, float[] Values, long[]? Sizes, float[]? Prices) Build()
    {
        int k = Count;
        if (k == 0)
            throw Invalid("it holds no centroids.");
        float[] values = new float[(long)k * _dimension];
        long[]? sizes = _sizes.Count == 0 ? null : new long[k];
        float[]? prices = _prices.Count == 0 ? null : new float[k];
        int[] rowOfCluster = new int[k];
        Array.Fill(rowOfCluster, -1);
        for (int row = 0; row < k; row++)
        {
            int cluster = _clusterIds.Count == 0 ? row : _clusterIds[row];
            if (cluster < 0 || cluster >= k)
                throw Invalid($"{_describeRow(row)} has cluster id {cluster}, but with {k} centroids the ids must run from 0 to {k - 1}.");
            if (rowOfCluster[cluster] >= 0)
                throw Invalid($"cluster id {cluster} appears twice, in {_describeRow(rowOfCluster[cluster])} and {_describeRow(row)}.");
            rowOfCluster[cluster] = row;
            if (sizes is not null)
                sizes[cluster] = _sizes[row];
            if (prices is not null)
                prices[cluster] = _prices[row];
            for (int j = 0; j < _dimension; j++)
                values[cluster * _dimension + j] = _values[row * _dimension + j];
        }

        return (k, _dimension, values, sizes, prices);
    }

    private KMeansException Invalid(string problem) => VectorFileErrors.Invalid(_path, problem);
}
