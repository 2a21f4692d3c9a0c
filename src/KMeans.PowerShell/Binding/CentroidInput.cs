using System.Management.Automation;
using KMeans.Core.Files;
using KMeans.Core;
using KMeans.PowerShell.Errors;
using KMeans.PowerShell.Mapping;
using KMeans.PowerShell.Paths;

namespace KMeans.PowerShell.Binding;

/// <summary>
/// Centroids given to a parameter (-InitialCentroid, -Centroid): KMeansCentroid objects, a KMeansModel, the path of a
/// centroid file (or its FileInfo), or anything holding vectors (float[]/double[] arrays, objects with a Vector
/// property), read in the order given.
/// </summary>
internal sealed class CentroidInput
{
    private CentroidInput(List<float[]> vectors, KMeansDistance? distance, List<float?> prices)
    {
        Vectors = vectors;
        Distance = distance;
        Prices = prices.All(price => price is not null) ? prices.Select(price => price!.Value).ToArray() : null;
    }

    public IReadOnlyList<float[]> Vectors { get; }

    /// <summary>The metric the centroids were trained with, when a model, a centroid or a file records it.</summary>
    public KMeansDistance? Distance { get; }

    /// <summary>The partition prices of a balanced model, when every centroid given has one; else null.</summary>
    public float[]? Prices { get; }

    /// <summary>
    /// Refuses centroids trained with another metric than <paramref name="distance"/>, unless the user gave that
    /// metric explicitly: then the user's choice wins.
    /// </summary>
    public ErrorRecord? CheckDistance(KMeansDistance distance, bool givenExplicitly, string parameterName) =>
        Distance is KMeansDistance recorded && recorded != distance && !givenExplicitly
            ? KMeansErrors.DistanceMismatch(parameterName, recorded, distance)
            : null;

    public static CentroidInput? Read(PSCmdlet cmdlet, object[] items, out ErrorRecord? error)
    {
        error = null;
        var vectors = new List<float[]>();
        var prices = new List<float?>();
        KMeansDistance? distance = null;
        void Record(KMeansDistance? recorded, object? source, ref ErrorRecord? conflict)
        {
            if (recorded is null)
                return;
            if (distance is KMeansDistance earlier && earlier != recorded)
                conflict ??= KMeansErrors.InvalidCentroid(vectors.Count, source,
                    $"it was trained with {recorded}, but the centroids before it with {earlier}; give centroids of one model.");
            distance = recorded;
        }
        // A single float[] bound to object[] arrives as its numbers: it is one centroid.
        if (VectorConverter.IsNumberList(items))
            items = [items];
        foreach (object? item in items)
        {
            switch (VectorConverter.Unwrap(item))
            {
                case KMeansModel model:
                    Record(model.Distance, model, ref error);
                    vectors.AddRange(model.Centroids.Select(c => (float[])c.Vector.Clone()));
                    prices.AddRange(model.Centroids.Select(c => c.Price));
                    break;
                case KMeansCentroid centroid:
                    Record(centroid.Distance, centroid, ref error);
                    vectors.Add((float[])centroid.Vector.Clone());
                    prices.Add(centroid.Price);
                    break;
                case string or FileInfo:
                    string path = VectorConverter.Unwrap(item) is FileInfo file ? file.FullName : (string)VectorConverter.Unwrap(item)!;
                    CentroidSet? set = ReadFile(cmdlet, path, out error);
                    if (set is null)
                        return null;
                    Record(set.Distance?.ToPublic(), path, ref error);
                    KMeansCentroid[] fromFile = CentroidSets.ToCentroids(set);
                    vectors.AddRange(fromFile.Select(c => c.Vector));
                    prices.AddRange(fromFile.Select(c => c.Price));
                    break;
                default:
                    if (!VectorConverter.TryConvert(item, "Vector", out float[]? vector, out string? problem))
                    {
                        error = KMeansErrors.InvalidCentroid(vectors.Count, item, problem);
                        return null;
                    }
                    vectors.Add(vector);
                    prices.Add(null);
                    break;
            }
            if (error is not null)
                return null;
        }
        if (vectors.Count == 0)
        {
            error = KMeansErrors.InvalidCentroid(0, null, "no centroids were given.");
            return null;
        }
        return new CentroidInput(vectors, distance, prices);
    }

    private static CentroidSet? ReadFile(PSCmdlet cmdlet, string path, out ErrorRecord? error)
    {
        IReadOnlyList<string> files = ProviderPaths.ResolveExisting(cmdlet, path, literal: false, out error);
        if (error is not null)
            return null;
        if (files.Count > 1)
        {
            error = KMeansErrors.AmbiguousPath(path, files.Count);
            return null;
        }
        try
        {
            return CentroidFile.Read(files[0]);
        }
        catch (KMeansException e)
        {
            error = KMeansErrors.FromException(e);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = KMeansErrors.FileUnreadable(files[0], e);
            return null;
        }
    }
}
