using System.Management.Automation;

namespace KMeans.PowerShell.Internal;

/// <summary>
/// Centroids given to a parameter (-InitialCentroid, -Centroid): KMeansCentroid objects, a KMeansModel, or anything
/// holding vectors (float[]/double[] arrays, objects with a Vector property), read in the order given.
/// </summary>
internal sealed class CentroidInput
{
    private CentroidInput(List<float[]> vectors, KMeansDistance? distance)
    {
        Vectors = vectors;
        Distance = distance;
    }

    public IReadOnlyList<float[]> Vectors { get; }

    /// <summary>The metric the centroids were trained with, when a model says so.</summary>
    public KMeansDistance? Distance { get; }

    public static CentroidInput? Read(object[] items, out ErrorRecord? error)
    {
        error = null;
        var vectors = new List<float[]>();
        KMeansDistance? distance = null;
        // A single float[] bound to object[] arrives as its numbers: it is one centroid.
        if (VectorConverter.IsNumberList(items))
            items = [items];
        foreach (object? item in items)
        {
            switch (VectorConverter.Unwrap(item))
            {
                case KMeansModel model:
                    vectors.AddRange(model.Centroids.Select(c => (float[])c.Vector.Clone()));
                    distance = model.Distance;
                    break;
                case KMeansCentroid centroid:
                    vectors.Add((float[])centroid.Vector.Clone());
                    break;
                default:
                    if (!VectorConverter.TryConvert(item, "Vector", out float[]? vector, out string? problem))
                    {
                        error = KMeansErrors.InvalidCentroid(vectors.Count, item, problem);
                        return null;
                    }
                    vectors.Add(vector);
                    break;
            }
        }
        if (vectors.Count == 0)
        {
            error = KMeansErrors.InvalidCentroid(0, null, "no centroids were given.");
            return null;
        }
        return new CentroidInput(vectors, distance);
    }
}
