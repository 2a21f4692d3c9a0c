using System.Management.Automation;
using KMeans.PowerShell.Internal;

namespace KMeans.PowerShell;

/// <summary>
/// Assigns each input vector to its nearest centroid, streaming one KMeansAssignment per vector in input order, or
/// with -Summary one KMeansAssignmentSummary per cluster at the end.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KMeansAssignment", DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(KMeansAssignment), typeof(KMeansAssignmentSummary))]
public sealed class GetKMeansAssignmentCommand : PSCmdlet
{
    private const string InputObjectSet = "InputObject";

    private NearestCentroid? _nearest;
    private KMeansDistance _distance;
    private long _nextIndex;
    private long[]? _counts;
    private double[]? _distanceSums;

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public PSObject? InputObject { get; set; }

    [Parameter(ParameterSetName = InputObjectSet)]
    [ValidateNotNullOrEmpty]
    public string VectorProperty { get; set; } = "Vector";

    /// <summary>KMeansCentroid objects, a KMeansModel, or vectors.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public object[]? Centroid { get; set; }

    /// <summary>The metric; by default the model's, else L2.</summary>
    [Parameter]
    public KMeansDistance? Distance { get; set; }

    [Parameter]
    public SwitchParameter Summary { get; set; }

    protected override void BeginProcessing()
    {
        CentroidInput? centroids = CentroidInput.Read(this, Centroid!, out ErrorRecord? error);
        if (error is not null)
            ThrowTerminatingError(error);
        IReadOnlyList<float[]> vectors = centroids!.Vectors;
        for (int c = 1; c < vectors.Count; c++)
        {
            if (vectors[c].Length != vectors[0].Length)
                ThrowTerminatingError(KMeansErrors.InvalidCentroid(c, Centroid![Math.Min(c, Centroid.Length - 1)],
                    $"it has {vectors[c].Length} values, but centroid 0 has {vectors[0].Length}."));
        }
        _distance = Distance ?? centroids.Distance ?? KMeansDistance.L2;
        if (_distance == KMeansDistance.Cosine && vectors.FirstOrDefault(v => v.All(x => x == 0)) is { } zero)
            ThrowTerminatingError(KMeansErrors.InvalidCentroid(vectors.ToList().IndexOf(zero), zero,
                "it is the zero vector, which has no direction under Cosine distance."));
        _nearest = new NearestCentroid(vectors, _distance);
        _counts = new long[vectors.Count];
        _distanceSums = new double[vectors.Count];
    }

    protected override void ProcessRecord()
    {
        object? item = VectorConverter.Unwrap(InputObject);
        if (item is System.Collections.IList items && !VectorConverter.IsNumberList(item) && item is not System.Collections.IDictionary)
        {
            foreach (object? element in items)
                AssignItem(element);
        }
        else
        {
            AssignItem(InputObject);
        }
    }

    protected override void EndProcessing()
    {
        if (!Summary)
            return;
        long[] counts = _counts!;
        long total = counts.Sum();
        for (int c = 0; c < counts.Length; c++)
        {
            long count = counts[c];
            WriteObject(new KMeansAssignmentSummary(c, count, total == 0 ? 0 : (double)count / total,
                count == 0 ? double.NaN : _distanceSums![c] / count));
        }
    }

    private void AssignItem(object? item)
    {
        long index = _nextIndex++;
        ErrorRecord? problem = VectorProblem(index, item, out float[] vector);
        if (problem is not null)
        {
            WriteError(problem);
            return;
        }
        (int clusterId, double distance) = _nearest!.Assign(vector);
        _counts![clusterId]++;
        _distanceSums![clusterId] += distance;
        if (!Summary)
            WriteObject(new KMeansAssignment(index, clusterId, distance));
    }

    private ErrorRecord? VectorProblem(long index, object? item, out float[] vector)
    {
        vector = [];
        if (!VectorConverter.TryConvert(item, VectorProperty, out float[]? converted, out string? notAVector))
            return KMeansErrors.NotAVector(index, item, notAVector);
        vector = converted;
        if (vector.Length != _nearest!.Dimension)
            return KMeansErrors.FromException(new Core.KMeansException(Core.KMeansErrorKind.DimensionMismatch,
                $"Input item {index} has {vector.Length} values, but the centroids have {_nearest.Dimension}.", index));
        if (vector.Any(v => !float.IsFinite(v)))
            return KMeansErrors.FromException(new Core.KMeansException(Core.KMeansErrorKind.NonFiniteValue,
                $"Input item {index} holds NaN or infinity at value {Array.FindIndex(vector, v => !float.IsFinite(v))}.", index));
        if (_distance == KMeansDistance.Cosine && vector.All(v => v == 0))
            return KMeansErrors.FromException(new Core.KMeansException(Core.KMeansErrorKind.ZeroVector,
                $"Input item {index} is the zero vector, which has no direction under Cosine distance.", index));
        return null;
    }
}
