using System.Runtime.CompilerServices;

namespace KMeans.Core.Distance;

/// <summary>
/// Assigns vectors to the nearest of a fixed set of centroids exactly as training does: the same kernel, the same
/// lowest-index tie-breaking and the same distances (squared L2, 1 − cosine, or −dot), so assigning the training
/// sample to trained centroids reproduces the trained cluster sizes. Rows go through the kernel's register tiles in
/// blocks of <see cref="RowsPerBlock"/>, and a row's label does not depend on which rows share its block. The search is
/// read-only after construction: threads may assign at once, each with its own <see cref="Workspace"/>.
/// </summary>
public sealed class NearestCentroidSearch : IDisposable
{
    /// <summary>Rows per kernel call, as in training: one block's rows stay in the L2 cache while the tiles pass.</summary>
    public const int RowsPerBlock = AssignmentKernel.BlockRows;

    private readonly PackedCentroids _packed;
    private readonly Workspace _single;

    /// <param name="centroids">K centroids of equal length; under Cosine those that are not unit vectors are normalised here.</param>
    public NearestCentroidSearch(IReadOnlyList<float[]> centroids, DistanceMetric metric)
        : this(centroids, metric, null)
    {
    }

    /// <param name="centroids">K centroids of equal length; under Cosine those that are not unit vectors are normalised here.</param>
    /// <param name="prices">
    /// An additive price per centroid (a balanced model's partition prices), or null: each row then goes to the centroid
    /// of least distance + price, as balanced training assigned its sample; distances are reported without the price.
    /// </param>
    public NearestCentroidSearch(IReadOnlyList<float[]> centroids, DistanceMetric metric, IReadOnlyList<float>? prices)
    {
        ArgumentNullException.ThrowIfNull(centroids);
        if (centroids.Count == 0)
            throw new ArgumentException("At least one centroid is needed.", nameof(centroids));
        Metric = metric;
        Dimension = centroids[0].Length;
        var values = new float[(long)centroids.Count * Dimension];
        for (int c = 0; c < centroids.Count; c++)
        {
            if (centroids[c].Length != Dimension)
                throw new ArgumentException($"Centroid {c} has {centroids[c].Length} values, but centroid 0 has {Dimension}.", nameof(centroids));
            Span<float> centroid = values.AsSpan(c * Dimension, Dimension);
            centroids[c].CopyTo(centroid);
            // A trained model's centroids are unit vectors already, and normalising them again moved their last bits:
            // rows at near-ties (which partition prices place rows at) got another centroid than training gave them
            // (a helper found a balanced partition one row above its bound). Only other vectors are normalised.
            if (metric == DistanceMetric.Cosine && !Numerics.VectorNorm.IsUnit(centroid))
                Numerics.VectorMath.Normalize(centroid);
        }
        if (prices is not null && prices.Count != centroids.Count)
            throw new ArgumentException($"{centroids.Count} centroids need {centroids.Count} prices, but {prices.Count} were given.", nameof(prices));
        Prices = prices?.ToArray();
        _packed = new PackedCentroids(centroids.Count, Dimension);
        _packed.Pack(values, metric, Prices);
        _single = CreateWorkspace();
    }

    public int K => _packed.K;

    public int Dimension { get; }

    public DistanceMetric Metric { get; }

    /// <summary>The partition prices the search adds to each distance; null for plain nearest-centroid search.</summary>
    public float[]? Prices { get; }

    /// <summary>The memory one thread needs to assign rows; reuse it for every call on that thread.</summary>
    public Workspace CreateWorkspace() => new(Dimension);

    /// <summary>The nearest centroid of one vector of <see cref="Dimension"/> finite values, and the distance to it.</summary>
    public (int ClusterId, float Distance) Assign(ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimension)
            throw new ArgumentException($"The vector has {vector.Length} values, but the centroids have {Dimension}.", nameof(vector));
        if (Metric == DistanceMetric.Cosine && Numerics.VectorNorm.IsZero(vector))
            throw new KMeansException(KMeansErrorKind.ZeroVector,
                "The vector is the zero vector (every value is 0), which has no direction under Cosine distance.");
        Span<int> label = stackalloc int[1];
        Span<float> distance = stackalloc float[1];
        Assign(vector, label, distance, _single);
        return (label[0], distance[0]);
    }

    /// <summary>
    /// The nearest centroid and the distance to it for each row of <paramref name="rows"/> (row-major, a whole number of
    /// rows of <see cref="Dimension"/> finite values, none of them zero under Cosine: callers check rows first, so that
    /// they can say which one is wrong).
    /// </summary>
    // Fully optimized from the first call: the streaming assignment calls it once per chunk (see StreamingAssignment.Assign).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Assign(ReadOnlySpan<float> rows, Span<int> clusterIds, Span<float> distances, Workspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        int d = Dimension;
        int count = CheckShape(rows, clusterIds.Length, distances.Length, 1);
        for (int start = 0; start < count; start += RowsPerBlock)
        {
            int n = Math.Min(RowsPerBlock, count - start);
            ReadOnlySpan<float> block = Prepare(rows.Slice(start * d, n * d), n, workspace);
            KernelPaths.Assign(Path, block, n, _packed, workspace.Labels, workspace.Scores, workspace.Kernel);
            workspace.Labels.AsSpan(0, n).CopyTo(clusterIds.Slice(start, n));
            DistancesOf(block, 1, clusterIds.Slice(start, n), workspace.Scores.AsSpan(0, n), distances.Slice(start, n));
        }
    }

    /// <summary>
    /// The <paramref name="nearest"/> nearest centroids of each row, nearest first (ties to the lower index), and their
    /// distances, row-major into <paramref name="clusterIds"/> and <paramref name="distances"/>. The first of each row
    /// is what <see cref="Assign(ReadOnlySpan{float}, Span{int}, Span{float}, Workspace)"/> gives; rows as there. Under
    /// L2 without prices the lists are the exact n nearest in exact order: a row whose float scores leave either in
    /// doubt is ranked again (<see cref="NearTies"/>).
    /// </summary>
    // Fully optimized from the first call, as Assign is.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AssignNearest(ReadOnlySpan<float> rows, int nearest, Span<int> clusterIds, Span<float> distances,
        Workspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (nearest < 1 || nearest > K)
            throw new ArgumentOutOfRangeException(nameof(nearest), nearest, $"Between 1 and the {K} centroids.");
        int d = Dimension;
        int count = CheckShape(rows, clusterIds.Length, distances.Length, nearest);
        for (int start = 0; start < count; start += RowsPerBlock)
        {
            int n = Math.Min(RowsPerBlock, count - start);
            ReadOnlySpan<float> block = Prepare(rows.Slice(start * d, n * d), n, workspace);
            Span<int> labels = clusterIds.Slice(start * nearest, n * nearest);
            Span<float> scores = distances.Slice(start * nearest, n * nearest);
            bool settles = _packed.SettlesNearTies;
            if (nearest == 1)
                KernelPaths.Assign(Path, block, n, _packed, labels, scores, workspace.Kernel);
            else if (nearest == 2 && Path != KernelPath.Portable)
                TwoNearestKernel.Assign(block, n, _packed, labels, scores, workspace.TwoNearest, wide: Path == KernelPath.Avx512,
                    settles ? workspace.Nexts : default);
            else if (settles)
                AssignLists(block, n, nearest, labels, scores, workspace);
            else
                NearestKernel.Assign(block, n, _packed, nearest, labels, scores, Path);
            if (settles)
                NearTies.SettleLists(block, n, _packed, nearest, labels, scores, workspace.Nexts, Path);
            DistancesOf(block, nearest, labels, scores, scores);
        }
    }

    /// <summary>
    /// The <paramref name="nearest"/> nearest of <paramref name="count"/> rows by <see cref="NearestKernel"/>, and in
    /// the workspace's <see cref="Workspace.Nexts"/> each row's next score (+∞ when there is none), which
    /// <see cref="NearTies.SettleLists"/> needs to know the lists are complete: the kernel lists one more.
    /// </summary>
    private void AssignLists(ReadOnlySpan<float> block, int count, int nearest, Span<int> labels, Span<float> scores,
        Workspace workspace)
    {
        int listed = Math.Min(nearest + 1, K);
        (int[] longerLabels, float[] longerScores) = workspace.Lists(count * listed);
        NearestKernel.Assign(block, count, _packed, listed, longerLabels, longerScores, Path);
        for (int i = 0; i < count; i++)
        {
            longerLabels.AsSpan(i * listed, nearest).CopyTo(labels.Slice(i * nearest, nearest));
            longerScores.AsSpan(i * listed, nearest).CopyTo(scores.Slice(i * nearest, nearest));
            workspace.Nexts[i] = listed > nearest ? longerScores[i * listed + nearest] : float.PositiveInfinity;
        }
    }

    public void Dispose() => _packed.Dispose();

    internal PackedCentroids Packed => _packed;

    /// <summary>The kernel's arithmetic: the machine's fastest, unless a test asks for another it can run.</summary>
    internal KernelPath Path { get; set; } = KernelPaths.Machine;

    internal int CheckShape(ReadOnlySpan<float> rows, int labelLength, int distanceLength, int perRow)
    {
        if (rows.Length % Dimension != 0)
            throw new ArgumentException($"{rows.Length} values are not a whole number of rows of {Dimension}.", nameof(rows));
        int count = rows.Length / Dimension;
        if (labelLength < count * perRow || distanceLength < count * perRow)
            throw new ArgumentException($"{count} rows need room for {count * perRow} cluster ids and distances.");
        return count;
    }

    /// <summary>The rows as the kernel must see them: normalised into the workspace under Cosine, as training does.</summary>
    internal ReadOnlySpan<float> Prepare(ReadOnlySpan<float> rows, int count, Workspace workspace)
    {
        if (Metric != DistanceMetric.Cosine)
            return rows;
        int d = Dimension;
        Span<float> normalised = workspace.Normalised.AsSpan(0, count * d);
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = rows.Slice(i * d, d);
            // The sampler's normalisation, so that a row scores as its sampled copy did (and 1e-30s keep a direction).
            Numerics.VectorNorm.TryNormalize(row, normalised.Slice(i * d, d));
        }
        return normalised;
    }

    /// <summary>
    /// The reported distances from the kernel's scores, <paramref name="perRow"/> per row of <paramref name="rows"/>
    /// (<paramref name="distances"/> may be <paramref name="scores"/>): L2 recomputes ‖x − c‖² directly, as training's
    /// loss does (the expanded form loses digits to cancellation when x is near c); the inner-product metrics use the
    /// score as it is.
    /// </summary>
    // Fully optimized from the first call, with the distance inlined: one call per block, not per row and centroid.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DistancesOf(ReadOnlySpan<float> rows, int perRow, ReadOnlySpan<int> labels, ReadOnlySpan<float> scores,
        Span<float> distances)
    {
        int d = Dimension;
        ReadOnlySpan<float> plain = _packed.Plain;
        for (int i = 0; i < labels.Length; i++)
        {
            ReadOnlySpan<float> row = rows.Slice(i / perRow * d, d);
            distances[i] = Metric switch
            {
                _ when Prices is not null => RowLoss.Of(row, plain.Slice(labels[i] * d, d), Metric),
                DistanceMetric.L2 => SquaredDistance.Of(row, plain.Slice(labels[i] * d, d)),
                DistanceMetric.Cosine => Math.Max(0f, 1f + scores[i] / 2f),
                _ => scores[i] / 2f,
            };
        }
    }

    /// <summary>One thread's scratch for <see cref="Assign(ReadOnlySpan{float}, Span{int}, Span{float}, Workspace)"/>.</summary>
    public sealed class Workspace
    {
        private TwoNearestKernel.Scratch? _twoNearest;

        internal Workspace(int dimension)
        {
            Normalised = new float[RowsPerBlock * dimension];
        }

        internal AssignmentKernel.Scratch Kernel { get; } = new(RowsPerBlock);

        internal int[] Labels { get; } = new int[RowsPerBlock];

        internal float[] Scores { get; } = new float[RowsPerBlock];

        internal float[] Normalised { get; }

        internal TwoNearestKernel.Scratch TwoNearest => _twoNearest ??= new TwoNearestKernel.Scratch(RowsPerBlock);

        /// <summary>Each row's score after its list, for <see cref="NearTies.SettleLists"/>.</summary>
        internal float[] Nexts { get; } = new float[RowsPerBlock];

        private int[] _listLabels = [];
        private float[] _listScores = [];

        /// <summary>Room for <paramref name="length"/> list entries, kept for the next call.</summary>
        internal (int[] Labels, float[] Scores) Lists(int length)
        {
            if (_listLabels.Length < length)
            {
                _listLabels = new int[length];
                _listScores = new float[length];
            }
            return (_listLabels, _listScores);
        }
    }
}
